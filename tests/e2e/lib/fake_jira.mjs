// A fake Jira Cloud site on loopback for Connect end-to-end tests: install-key server (RS256), signed installs,
// webhooks and tokens the way Atlassian signs them, Jira REST endpoints over an in-memory issue store that verify
// Doppel's outgoing JWTs, call recording, and fault injection (429, slowness, dropped connections, duplicates), and
// whole-site modes (a stalled or a throttling site).
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import atlassianJwt from 'atlassian-jwt';

export const APP_KEY = process.env.DOPPEL_APP_KEY ?? 'io.doppel.jira';
export const SOURCE_DIR = process.env.DOPPEL_SOURCE_DIR ?? join(import.meta.dirname, '../../..');
export const DATASET_PATH = join(SOURCE_DIR, '../shared/datasets/apache-hadoop.jsonl.gz');

const nowSeconds = () => Math.floor(Date.now() / 1000);
const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

// Signs a JWT: RS256 with a private KeyObject, HS256 with a string/Buffer secret, or alg "none".
export function signJwt(header, claims, key) {
  const input = `${b64url({ typ: 'JWT', ...header })}.${b64url(claims)}`;
  if (header.alg === 'none') return `${input}.`;
  if (header.alg === 'HS256') return `${input}.${crypto.createHmac('sha256', key).update(input).digest('base64url')}`;
  return `${input}.${crypto.sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

// qsh of `method pathWithQuery` as seen by a receiver whose base URL is `baseUrl` (path prefix stripped).
export function qshFor(method, pathWithQuery, baseUrl) {
  return atlassianJwt.createQueryStringHash(atlassianJwt.fromMethodAndUrl(method, pathWithQuery), false, baseUrl);
}

// Reads the first `limit` issues of the shared Hadoop dataset (skipping `offset`), without issue links.
let datasetCache;
export function loadDataset({ offset = 0, limit = 200 } = {}) {
  if (!datasetCache) {
    datasetCache = gunzipSync(readFileSync(DATASET_PATH)).toString('utf8').split('\n').filter(Boolean);
  }
  return datasetCache.slice(offset, offset + limit).map((line) => {
    const issue = JSON.parse(line);
    delete issue.fields.issuelinks;
    return issue;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Install keys: what https://connect-install-keys.atlassian.com serves, one RSA key per kid.

export async function startInstallKeyServer() {
  const keys = new Map(); // kid -> {privateKey, publicPem}
  const addKey = (kid = `kid-${crypto.randomBytes(6).toString('hex')}`) => {
    const pair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys.set(kid, { privateKey: pair.privateKey, publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }) });
    return kid;
  };
  const kid = addKey();
  const requests = [];
  const server = createServer((req, res) => {
    requests.push(req.url);
    const wanted = decodeURIComponent(req.url.replace(/^\//, '').split('?')[0]);
    const entry = keys.get(wanted);
    if (!entry) { res.writeHead(404, { 'content-type': 'text/plain' }); return res.end('not found'); }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(entry.publicPem);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    kid,
    keys,
    requests,
    addKey,
    publicPem: keys.get(kid).publicPem,
    // An RS256 token as Atlassian signs lifecycle installs; `signKid` / `signKey` allow forgeries.
    sign(claims, { signKid = kid, signKey } = {}) {
      const key = signKey ?? keys.get(signKid)?.privateKey ?? keys.get(kid).privateKey;
      return signJwt({ alg: 'RS256', kid: signKid }, claims, key);
    },
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Talking to Doppel. `target` = {url: where it listens, baseUrl: its DOPPEL_BASE_URL (JWT aud, qsh base path)}.

export async function call(target, method, pathWithQuery, { authorization, body, rawBody, headers = {}, timeoutMs = 15_000 } = {}) {
  const init = {
    method,
    headers: { ...(authorization ? { authorization } : {}), ...headers },
    signal: AbortSignal.timeout(timeoutMs),
  };
  if (rawBody !== undefined) {
    init.body = rawBody;
    init.headers['content-type'] ??= 'application/json';
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${target.url}${pathWithQuery}`, init);
  const text = await response.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: response.status, json, text, headers: response.headers };
}

// ---------------------------------------------------------------------------------------------------------------
// The fake site.

export const REPORT_ACCOUNTS_PATH = '/app/report-accounts/';

export class FakeJira {
  // keyServer: from startInstallKeyServer(); basePath: path part of the site's baseUrl ('' like *.atlassian.net).
  // forge: true = the site behind a Forge app's apiBaseUrl: REST calls must carry `Authorization: Bearer <token>`
  // with a token from `bearerTokens` (add/delete to issue/revoke) that has not expired (JWT exp), not a Connect JWT.
  constructor({ keyServer, clientKey, basePath = '', appKey = APP_KEY, forge = false } = {}) {
    this.forge = forge;
    this.bearerTokens = new Set();
    this.keyServer = keyServer;
    this.appKey = appKey;
    this.basePath = basePath;
    this.clientKey = clientKey ?? `fake-jira-${crypto.randomUUID()}`;
    this.sharedSecret = crypto.randomBytes(32).toString('hex');
    this.issues = new Map(); // key -> REST issue (the truth)
    this.calls = []; // {method, path, query, authOk, status}
    this.links = [];
    this.comments = [];
    this.properties = new Map(); // `${issueKey}/${propertyKey}` -> value
    this.rejectedCalls = 0; // Doppel calls with a bad JWT (must stay 0)
    this.authErrors = []; // reasons for rejected calls
    this.faults = {
      searchRateLimit: 0, // next N search calls answer 429
      retryAfterSeconds: 1,
      delayMs: 0, // every REST answer waits this long
      dropConnections: 0, // next N REST calls get their socket destroyed
      linkStatus: 0, // non-zero: issueLink answers this status
      commentLostAnswers: 0, // next N comment POSTs are stored, then answered 502 (the caller never learns it worked)
      permissionCheckStatus: 0, // non-zero: POST /rest/api/3/permissions/check answers this status
      reportRateLimit: 0, // next N report-accounts calls answer 429 with retryAfterSeconds
    };
    // The whole site's condition (setMode): 'normal'; 'stall' = every REST answer waits stallMs; 'throttle' = every
    // REST call answers 429 with Retry-After: retryAfterSeconds, as Jira does when an app exceeds its rate limit.
    this.mode = { kind: 'normal', stallMs: 20_000, retryAfterSeconds: 60 };
    this.nextIssueNumber = 1;
    // Permissions (POST /rest/api/3/permissions/check): null = an open site where every account browses and links
    // in every project and sees every secured issue (ADMINISTER still only for `admins`). See setPermissions().
    this.permissions = null;
    this.securityLevels = new Map(); // level id -> name
    this.projectIds = new Map(); // project key -> numeric id (as text), learnt from issues or assigned
    this.permissionChecks = []; // every permission-check body Doppel sent
    // Issue types of the site (GET /rest/api/3/issuetype); replace the list to change them mid-test.
    this.issueTypes = [{ id: '10001', name: 'Bug' }, { id: '10002', name: 'Task' }, { id: '10003', name: 'Story' }];
    // Personal data reporting (POST /app/report-accounts/, Atlassian's user privacy guide): accounts Atlassian
    // answers as closed or updated, the Cycle-Period header to send (null = none), every request body received.
    this.closedAccounts = new Set();
    this.updatedAccounts = new Set();
    this.cyclePeriod = null;
    this.accountReports = [];
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async start() {
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = this.server.address().port;
    this.baseUrl = `http://127.0.0.1:${this.port}${this.basePath}`;
    return this;
  }

  close() {
    this.server.closeAllConnections?.();
    return new Promise((resolve) => this.server.close(resolve));
  }

  // Puts the site in a mode: setMode('stall', { stallMs: 20_000 }), setMode('throttle', { retryAfterSeconds: 60 }),
  // setMode('normal'). Calls already waiting in a stall still answer when their wait ends.
  setMode(kind, options = {}) {
    if (!['normal', 'stall', 'throttle'].includes(kind)) throw new Error(`unknown fake Jira mode ${kind}`);
    this.mode = { ...this.mode, ...options, kind };
    return this;
  }

  // --- the issue store --------------------------------------------------------------------------------------------

  loadIssues(issues) {
    for (const issue of issues) {
      const project = issue.fields?.project;
      if (project?.key && project.id && !this.projectIds.has(project.key)) this.projectIds.set(project.key, String(project.id));
      this.issues.set(issue.key, structuredClone(issue));
    }
    return this;
  }

  loadDataset(options) {
    return this.loadIssues(loadDataset(options));
  }

  // Creates (or replaces) an issue; `fields` merge over sensible defaults; `updated` defaults to now.
  putIssue({ id, key, fields = {} }) {
    const previous = this.issues.get(key);
    const stamp = new Date().toISOString().replace('Z', '+0000');
    const issue = {
      id: String(id ?? previous?.id ?? 900000 + this.nextIssueNumber++),
      key,
      fields: {
        summary: '',
        created: stamp,
        labels: [],
        components: [],
        issuetype: { name: 'Bug' },
        status: { name: 'Open' },
        project: { key: key.split('-')[0], id: this.projectId(key.split('-')[0]) },
        security: null,
        ...(previous?.fields ?? {}),
        updated: stamp,
        ...fields,
      },
    };
    this.issues.set(key, issue);
    return issue;
  }

  // Applies field changes and bumps `updated` strictly past the previous value.
  updateIssue(key, fields) {
    const issue = this.issues.get(key);
    if (!issue) throw new Error(`no issue ${key}`);
    const previous = Date.parse(issue.fields.updated.replace(/\+0000$/, 'Z'));
    const next = Math.max(Date.now(), previous + 1000);
    issue.fields = { ...issue.fields, ...fields, updated: new Date(next).toISOString().replace('Z', '+0000') };
    return structuredClone(issue);
  }

  deleteIssue(key) {
    const issue = this.issues.get(key);
    this.issues.delete(key);
    return issue;
  }

  // --- projects, issue security and who may do what ------------------------------------------------------------

  // The numeric id (text) of a project key: the one issues carry, else a stable new one.
  projectId(key) {
    if (!this.projectIds.has(key)) this.projectIds.set(key, String(10000 + this.projectIds.size));
    return this.projectIds.get(key);
  }

  // An issue as Jira serves it (REST and webhooks): fields.project with its id, fields.security (null = no level).
  served(issue) {
    const copy = structuredClone(issue);
    copy.fields ??= {};
    const projectKey = copy.fields.project?.key ?? copy.key.split('-')[0];
    copy.fields.project = { ...(copy.fields.project ?? {}), key: projectKey, id: copy.fields.project?.id ?? this.projectId(projectKey) };
    if (!('security' in copy.fields)) copy.fields.security = null;
    return copy;
  }

  // Restricts the site. `users`: accountId -> { browse: [projectKey...] | '*', link: [projectKey...] | '*',
  // levels: [securityLevelId...] (secured issues of those levels it may see), admin: bool (ADMINISTER) }.
  // Accounts not listed may do nothing. Replaces any earlier table; call again (or revokeAccess) mid-test.
  setPermissions({ users = {} } = {}) {
    this.permissions = { users: structuredClone(users) };
    return this;
  }

  // Everything the account could do is gone (effective for the next permission check Doppel makes).
  revokeAccess(accountId) {
    if (!this.permissions) this.permissions = { users: {} };
    this.permissions.users[accountId] = { browse: [], link: [], levels: [], admin: false };
  }

  // Puts the issue under a security level (null lifts it); returns the updated issue for a webhook.
  setSecurity(key, levelId, levelName = `Level ${levelId}`) {
    if (levelId !== null) this.securityLevels.set(String(levelId), levelName);
    return this.updateIssue(key, { security: levelId === null ? null : { id: String(levelId), name: this.securityLevels.get(String(levelId)) } });
  }

  // Whether accountId holds the project permission in projectKey (BROWSE_PROJECTS or LINK_ISSUES; others follow browse).
  mayInProject(accountId, permission, projectKey) {
    if (accountId === undefined) return true; // no accountId: Jira answers for the caller, the app's all-seeing user
    if (!this.permissions) return true;
    const user = this.permissions.users[accountId];
    if (!user) return false;
    const list = permission === 'LINK_ISSUES' ? user.link : user.browse;
    return list === '*' || (Array.isArray(list) && list.includes(projectKey));
  }

  // Issue-level answer: the project permission and, for a secured issue, the level among the account's levels.
  mayOnIssue(accountId, permission, issue) {
    const projectKey = issue.fields?.project?.key ?? issue.key.split('-')[0];
    if (!this.mayInProject(accountId, permission, projectKey)) return false;
    const level = issue.fields?.security?.id;
    if (!level || accountId === undefined || !this.permissions) return true;
    const levels = this.permissions.users[accountId]?.levels ?? [];
    return levels === '*' || levels.includes(String(level));
  }

  // POST /rest/api/3/permissions/check with the documented shapes (atlassian-platform.md §10): at most 1,000
  // projects and 1,000 issues per call, unknown ids ignored, answers list the granted ids per permission.
  permissionCheck(body) {
    this.permissionChecks.push(structuredClone(body ?? {}));
    if (!body || typeof body !== 'object') return [400, { errorMessages: ['body required'] }];
    const accountId = typeof body.accountId === 'string' && body.accountId ? body.accountId : undefined;
    const admin = accountId !== undefined && (this.admins?.has(accountId) || this.permissions?.users?.[accountId]?.admin === true);
    const globalPermissions = (body.globalPermissions ?? []).filter((p) => p === 'ADMINISTER' && admin);
    const projectPermissions = [];
    const projectKeyOf = new Map([...this.projectIds].map(([key, id]) => [id, key]));
    const issueById = new Map([...this.issues.values()].map((issue) => [String(issue.id), this.served(issue)]));
    for (const entry of body.projectPermissions ?? []) {
      const projects = entry.projects ?? [], issues = entry.issues ?? [];
      if (projects.length > 1000 || issues.length > 1000) return [400, { errorMessages: ['at most 1000 projects and 1000 issues'] }];
      for (const permission of (entry.permissions ?? []).filter((p) => typeof p === 'string' && p)) {
        projectPermissions.push({
          permission,
          projects: projects.filter((id) => projectKeyOf.has(String(id)) && this.mayInProject(accountId, permission, projectKeyOf.get(String(id)))).map(Number),
          issues: issues.filter((id) => issueById.has(String(id)) && this.mayOnIssue(accountId, permission, issueById.get(String(id)))).map(Number),
        });
      }
    }
    return [200, { globalPermissions, projectPermissions }];
  }

  // GET /rest/api/3/project/search as documented: `keys` repeated (at most 50), startAt/maxResults (max 100) paging;
  // the app sees every project. Keys the site does not have are left out.
  projectSearch(params) {
    const keys = params.getAll('keys');
    if (keys.length > 50) return [400, { errorMessages: ['at most 50 project keys'] }];
    const startAt = Number(params.get('startAt') ?? 0), maxResults = Math.min(Number(params.get('maxResults') ?? 50) || 50, 100);
    const all = [...this.projectIds].filter(([key]) => keys.length === 0 || keys.includes(key))
      .map(([key, id]) => ({ id, key, name: key, self: `${this.baseUrl}/rest/api/3/project/${id}` }));
    const values = all.slice(startAt, startAt + maxResults);
    return [200, { startAt, maxResults, total: all.length, isLast: startAt + maxResults >= all.length, values }];
  }

  // --- Atlassian-side signing -------------------------------------------------------------------------------------

  // A computed-qsh HS256 token for `method path` at Doppel (webhooks, lifecycle, pages).
  computedToken(target, method, pathWithQuery, { secret = this.sharedSecret, iss = this.clientKey, expiresIn = 180, extra = {} } = {}) {
    const iat = nowSeconds();
    return signJwt({ alg: 'HS256' }, {
      iss, iat, exp: iat + expiresIn, qsh: qshFor(method, pathWithQuery, target.baseUrl), ...extra,
    }, secret);
  }

  // A context token as AP.context.getToken() hands it to our iframe (qsh "context-qsh").
  contextToken({ sub = '5b10ac8d82e05b22cc7d4ef5', secret = this.sharedSecret, iss = this.clientKey, expiresIn = 180, extra = {} } = {}) {
    const iat = nowSeconds();
    return signJwt({ alg: 'HS256' }, { iss, sub, iat, exp: iat + expiresIn, qsh: 'context-qsh', ...extra }, secret);
  }

  installBody(overrides = {}) {
    return {
      key: this.appKey,
      clientKey: this.clientKey,
      sharedSecret: this.sharedSecret,
      baseUrl: this.baseUrl,
      displayUrl: this.baseUrl,
      productType: 'jira',
      description: 'Fake Jira for Doppel e2e',
      serverVersion: '100000',
      pluginsVersion: '1001.0.0',
      eventType: 'installed',
      ...overrides,
    };
  }

  // RS256 token for a lifecycle install/uninstall request.
  installToken(target, path, { iss = this.clientKey, aud = [target.baseUrl], signKid, signKey, expiresIn = 180 } = {}) {
    const iat = nowSeconds();
    return this.keyServer.sign({ iss, aud, iat, exp: iat + expiresIn, qsh: qshFor('POST', path, target.baseUrl) }, { signKid, signKey });
  }

  install(target, { body = {}, token } = {}) {
    const payload = this.installBody(body);
    return call(target, 'POST', '/lifecycle/installed', {
      authorization: `JWT ${token ?? this.installToken(target, '/lifecycle/installed')}`,
      body: payload,
    });
  }

  // Secret rotation: Jira sends `installed` again with a new sharedSecret.
  async reinstallWithNewSecret(target) {
    const oldSecret = this.sharedSecret;
    this.sharedSecret = crypto.randomBytes(32).toString('hex');
    const response = await this.install(target);
    if (response.status >= 300) this.sharedSecret = oldSecret;
    return { response, oldSecret };
  }

  uninstall(target) {
    return call(target, 'POST', '/lifecycle/uninstalled', {
      authorization: `JWT ${this.installToken(target, '/lifecycle/uninstalled')}`,
      body: this.installBody({ eventType: 'uninstalled' }),
    });
  }

  lifecycle(target, event) {
    const path = `/lifecycle/${event}`;
    return call(target, 'POST', path, {
      authorization: `JWT ${this.computedToken(target, 'POST', path)}`,
      body: this.installBody({ eventType: event }),
    });
  }

  // A webhook body as Jira sends it for `event` (created | updated | deleted) about `issue`.
  webhookBody(event, issue) {
    const eventName = { created: 'jira:issue_created', updated: 'jira:issue_updated', deleted: 'jira:issue_deleted' }[event];
    const typeName = { created: 'issue_created', updated: 'issue_generic', deleted: 'issue_deleted' }[event];
    return {
      timestamp: Date.now(),
      webhookEvent: eventName,
      issue_event_type_name: typeName,
      user: { accountId: '5b10ac8d82e05b22cc7d4ef5' },
      issue: this.served(issue),
    };
  }

  // Delivers one webhook with a fresh token. `id` is X-Atlassian-Webhook-Identifier (same across retries).
  sendWebhook(target, body, { id = crypto.randomUUID(), retry = 0, token, timeoutMs } = {}) {
    const path = '/webhooks/jira';
    return call(target, 'POST', path, {
      authorization: `JWT ${token ?? this.computedToken(target, 'POST', path)}`,
      rawBody: typeof body === 'string' ? body : JSON.stringify(body),
      headers: {
        'x-atlassian-webhook-identifier': id,
        'x-atlassian-webhook-retry': String(retry),
        'x-atlassian-webhook-flow': retry ? 'Secondary' : 'Primary',
      },
      timeoutMs,
    });
  }

  // Delivers like Jira: retries (same identifier) on 408/409/425/429/5xx and network errors until 2xx.
  async deliver(target, body, { id = crypto.randomUUID(), attempts = 20, pauseMs = 200 } = {}) {
    let last;
    for (let retry = 0; retry < attempts; ++retry) {
      try {
        last = await this.sendWebhook(typeof target === 'function' ? target() : target, body, { id, retry });
        if (last.status < 300) return { id, status: last.status, retries: retry };
        if (![408, 409, 425, 429].includes(last.status) && last.status < 500) return { id, status: last.status, retries: retry };
      } catch (error) {
        last = { status: 0, error };
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    return { id, status: last?.status ?? 0, retries: attempts };
  }

  // Replays `deliveries` ([{id, body}]) with Jira's delivery faults: each one sent 1..`maxCopies` times with the same
  // identifier (duplicates), all copies in a random order (reordering), `concurrency` at a time. Returns the statuses.
  async replay(target, deliveries, { maxCopies = 3, shuffle = true, concurrency = 8, random = Math.random } = {}) {
    const sends = deliveries.flatMap((d) => Array.from({ length: 1 + Math.floor(random() * maxCopies) }, (_, retry) => ({ ...d, retry })));
    if (shuffle) {
      for (let i = sends.length - 1; i > 0; --i) {
        const j = Math.floor(random() * (i + 1));
        [sends[i], sends[j]] = [sends[j], sends[i]];
      }
    }
    const statuses = [];
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < sends.length) {
        const { id, body, retry } = sends[next++];
        statuses.push((await this.sendWebhook(target, body, { id, retry })).status);
      }
    }));
    return statuses;
  }

  // Signed panel-API call as our iframe makes it (context token, Authorization: JWT).
  api(target, method, pathWithQuery, { token, body } = {}) {
    return call(target, method, pathWithQuery, { authorization: `JWT ${token ?? this.contextToken()}`, body });
  }

  // --- Jira REST (what Doppel calls) ------------------------------------------------------------------------------

  verifyIncoming(req) {
    const header = req.headers.authorization ?? '';
    if (this.forge) return this.verifyBearer(header);
    if (!header.startsWith('JWT ')) return 'no JWT authorization header';
    const token = header.slice(4);
    let claims;
    try {
      claims = atlassianJwt.decodeSymmetric(token, this.sharedSecret, atlassianJwt.SymmetricAlgorithm.HS256);
    } catch (error) {
      return `signature: ${error.message}`;
    }
    if (claims.iss !== this.appKey) return `iss ${claims.iss}`;
    if (typeof claims.exp !== 'number' || claims.exp < nowSeconds()) return 'expired';
    if (typeof claims.iat !== 'number' || claims.iat > nowSeconds() + 30) return 'bad iat';
    const expected = atlassianJwt.createQueryStringHash(atlassianJwt.fromMethodAndUrl(req.method, req.url), false, this.baseUrl);
    if (claims.qsh !== expected) return `qsh mismatch for ${req.method} ${req.url}`;
    return null;
  }

  // Forge: the app system token must be one this site issued, not revoked, and not past its exp.
  verifyBearer(header) {
    if (!header.startsWith('Bearer ')) return 'no Bearer authorization header';
    const token = header.slice(7);
    if (!this.bearerTokens.has(token)) return 'unknown or revoked bearer token';
    let exp;
    try { exp = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).exp; } catch { exp = undefined; }
    if (typeof exp === 'number' && exp < nowSeconds()) return 'expired bearer token';
    return null;
  }

  async handle(req, res) {
    const url = new URL(req.url, 'http://fake');
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString('utf8');
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    // The personal data reporting API is Atlassian's platform API: for a Forge app at the origin of apiBaseUrl
    // (https://api.atlassian.com), for a Connect app under the site's baseUrl.
    const platform = this.forge && url.pathname === REPORT_ACCOUNTS_PATH;
    if (!platform && !url.pathname.startsWith(this.basePath)) return send(404, { errorMessages: ['outside the site'] });
    const path = platform ? url.pathname : url.pathname.slice(this.basePath.length);
    const record = { method: req.method, path, query: url.search, at: Date.now(), status: 0, authorization: req.headers.authorization ?? '' };
    this.calls.push(record);
    const problem = this.verifyIncoming(req);
    record.authOk = !problem;
    if (problem) {
      this.rejectedCalls += 1;
      this.authErrors.push(problem);
      record.status = 401;
      return send(401, { errorMessages: ['Failed to authenticate'] });
    }
    if (this.faults.dropConnections > 0) {
      this.faults.dropConnections -= 1;
      record.status = -1;
      return req.socket.destroy();
    }
    if (this.mode.kind === 'throttle') {
      record.status = 429;
      this.onCall?.(record);
      return send(429, { errorMessages: ['Rate limit exceeded.'] }, {
        'retry-after': String(this.mode.retryAfterSeconds), 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '0',
        'ratelimit-reason': 'jira-quota-tenant-based',
      });
    }
    if (this.mode.kind === 'stall') {
      // unref: a stalled answer never keeps the test process alive on its own.
      await new Promise((resolve) => setTimeout(resolve, this.mode.stallMs).unref());
      record.stalled = true;
    }
    if (this.faults.delayMs) await new Promise((resolve) => setTimeout(resolve, this.faults.delayMs));
    let body;
    try { body = text ? JSON.parse(text) : undefined; } catch { record.status = 400; return send(400, { errorMessages: ['bad json'] }); }
    const [status, answer, headers] = this.route(req.method, path, url.searchParams, body);
    record.status = status;
    this.onCall?.(record);
    return send(status, answer, headers);
  }

  sortedIssues() {
    return [...this.issues.values()].sort((a, b) =>
      a.fields.created < b.fields.created ? -1 : a.fields.created > b.fields.created ? 1 : Number(a.id) - Number(b.id));
  }

  route(method, path, params, body) {
    if (method === 'POST' && path === '/rest/api/3/search/approximate-count') {
      if (!body || typeof body.jql !== 'string') return [400, { errorMessages: ['jql required'] }];
      return [200, { count: this.issues.size }];
    }
    if (method === 'GET' && path === '/rest/api/3/search/jql') {
      if (this.faults.searchRateLimit > 0) {
        this.faults.searchRateLimit -= 1;
        return [429, { errorMessages: ['rate limited'] }, { 'retry-after': String(this.faults.retryAfterSeconds), 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '0' }];
      }
      if (!params.get('jql')) return [400, { errorMessages: ['unbounded JQL'] }];
      const max = Math.min(Number(params.get('maxResults') ?? 50) || 50, 100);
      const token = params.get('nextPageToken');
      const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
      if (!Number.isInteger(start) || start < 0) return [400, { errorMessages: ['bad nextPageToken'] }];
      const all = this.sortedIssues();
      const issues = all.slice(start, start + max).map((issue) => this.served(issue));
      const isLast = start + max >= all.length;
      return [200, { issues, isLast, ...(isLast ? {} : { nextPageToken: Buffer.from(String(start + max)).toString('base64url') }) }];
    }
    let m = path.match(/^\/rest\/api\/3\/issue\/([^/]+)$/);
    if (method === 'GET' && m) {
      const wanted = decodeURIComponent(m[1]);
      const issue = [...this.issues.values()].find((i) => i.key === wanted || i.id === wanted);
      return issue ? [200, this.served(issue)] : [404, { errorMessages: ['Issue does not exist'] }];
    }
    if (method === 'POST' && path === '/rest/api/3/issueLink') {
      if (this.faults.linkStatus) return [this.faults.linkStatus, { errorMessages: ['injected'] }];
      const inward = body?.inwardIssue?.key;
      const outward = body?.outwardIssue?.key;
      if (body?.type?.name !== 'Duplicate' || !this.issues.has(inward) || !this.issues.has(outward)) return [400, { errorMessages: ['bad link'] }];
      this.links.push({ type: body.type.name, inward, outward });
      return [201, undefined];
    }
    m = path.match(/^\/rest\/api\/3\/issue\/([^/]+)\/comment$/);
    if (method === 'POST' && m) {
      const key = decodeURIComponent(m[1]);
      if (!this.issues.has(key)) return [404, { errorMessages: ['Issue does not exist'] }];
      this.comments.push({ key, body: body?.body, properties: Array.isArray(body?.properties) ? body.properties : [] });
      if (this.faults.commentLostAnswers > 0) {
        this.faults.commentLostAnswers--;
        return [502, { errorMessages: ['gateway timeout after the comment was created'] }];
      }
      return [201, { id: String(this.comments.length) }];
    }
    if (method === 'GET' && m) {
      // Issue comments, oldest first, startAt/maxResults paging; properties only with expand=properties.
      const key = decodeURIComponent(m[1]);
      if (!this.issues.has(key)) return [404, { errorMessages: ['Issue does not exist'] }];
      const all = this.comments.map((c, i) => ({ ...c, id: String(i + 1) })).filter((c) => c.key === key);
      const startAt = Number(params.get('startAt') ?? 0), maxResults = Math.min(Number(params.get('maxResults') ?? 50), 100);
      const expand = (params.get('expand') ?? '').split(',').includes('properties');
      const comments = all.slice(startAt, startAt + maxResults)
        .map((c) => ({ id: c.id, body: c.body, ...(expand ? { properties: c.properties } : {}) }));
      return [200, { startAt, maxResults, total: all.length, comments }];
    }
    m = path.match(/^\/rest\/api\/3\/issue\/([^/]+)\/properties\/([^/]+)$/);
    if (method === 'PUT' && m) {
      const key = decodeURIComponent(m[1]);
      if (![...this.issues.values()].some((i) => i.key === key || i.id === key)) return [404, { errorMessages: ['Issue does not exist'] }];
      this.properties.set(`${key}/${decodeURIComponent(m[2])}`, body);
      return [200, undefined];
    }
    if (method === 'POST' && path === '/rest/api/3/permissions/check') {
      if (this.faults.permissionCheckStatus) return [this.faults.permissionCheckStatus, { errorMessages: ['injected'] }];
      return this.permissionCheck(body);
    }
    // Before the Get-project pattern below, which would read 'search' as a project key.
    if (method === 'GET' && path === '/rest/api/3/project/search') return this.projectSearch(params);
    m = path.match(/^\/rest\/api\/3\/project\/([^/]+)$/);
    if (method === 'GET' && m) {
      // Get project (GET /rest/api/3/project/{projectIdOrKey}): a project some issue of the site belongs to.
      const wanted = decodeURIComponent(m[1]);
      const known = [...this.issues.values()].some((i) => (i.fields?.project?.key ?? i.key.split('-')[0]) === wanted);
      return known ? [200, { id: this.projectId(wanted), key: wanted, name: `Project ${wanted}` }] : [404, { errorMessages: ['No project could be found'] }];
    }
    if (method === 'GET' && path === '/rest/api/3/issuetype') return [200, this.issueTypes.map((t) => ({ ...t, self: `${this.baseUrl}/rest/api/3/issuetype/${t.id}`, subtask: false }))];
    if (method === 'POST' && path === REPORT_ACCOUNTS_PATH) return this.reportAccounts(body);
    return [404, { errorMessages: [`fake Jira has no ${method} ${path}`] }];
  }
}

// POST /app/report-accounts/ as documented: {"accounts":[{accountId, updatedAt}]} with 1 to 90 accounts, each id
// 1-128 characters of [A-Za-z0-9:-] and updatedAt an RFC 3339 time → 200 {"accounts":[{accountId, status}]} for
// those needing action, 204 when none; 400 {errorType, errorMessage} for a malformed request; 429 with Retry-After.
FakeJira.prototype.reportAccounts = function reportAccounts(body) {
  const headers = this.cyclePeriod ? { 'cycle-period': this.cyclePeriod } : {};
  if (this.faults.reportRateLimit > 0) {
    this.faults.reportRateLimit -= 1;
    return [429, { errorType: 'rate_limited', errorMessage: 'slow down' }, { 'retry-after': String(this.faults.retryAfterSeconds) }];
  }
  const accounts = body?.accounts;
  const bad = (errorMessage) => [400, { errorType: 'bad_request', errorMessage }];
  if (!Array.isArray(accounts) || accounts.length < 1 || accounts.length > 90) return bad('accounts must hold 1 to 90 entries');
  const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
  for (const a of accounts) {
    if (typeof a?.accountId !== 'string' || !/^[A-Za-z0-9:-]{1,128}$/.test(a.accountId) || a.accountId === 'unknown') return bad('bad accountId');
    if (typeof a.updatedAt !== 'string' || !rfc3339.test(a.updatedAt) || Number.isNaN(Date.parse(a.updatedAt))) return bad('bad updatedAt');
  }
  this.accountReports.push(body);
  const actions = accounts.flatMap(({ accountId }) =>
    this.closedAccounts.has(accountId) ? [{ accountId, status: 'closed' }]
      : this.updatedAccounts.has(accountId) ? [{ accountId, status: 'updated' }] : []);
  return actions.length ? [200, { accounts: actions }, headers] : [204, undefined, headers];
};

// Starts a fake site (and adds it to nothing else): `new FakeJira(opts).start()`.
export function startFakeJira(options) {
  return new FakeJira(options).start();
}

// Environment for `doppel serve` against fake sites: fixed base URL (so restarts and replicas agree on aud/qsh),
// fixed secret key (replicas must open each other's sealed secrets), loopback tenants allowed.
export function doppelEnv({ databaseUrl, keyServer, baseUrl = 'http://doppel-e2e.test', secretKey, dataDir, extra = {} }) {
  const env = {
    DOPPEL_DATABASE_URL: databaseUrl,
    DOPPEL_BASE_URL: baseUrl,
    DOPPEL_BIND: '127.0.0.1',
    DOPPEL_INSTALL_KEYS_URL: keyServer.url,
    DOPPEL_ALLOWED_HOSTS: '127.0.0.1:*',
    DOPPEL_SECRET_KEY: secretKey ?? crypto.randomBytes(32).toString('hex'),
    ...(dataDir ? { DOPPEL_DATA_DIR: dataDir } : {}),
    DOPPEL_LOG_LEVEL: 'info',
    ...extra,
  };
  for (const [name, value] of Object.entries(env)) if (value === undefined || value === '') delete env[name];
  return env;
}

// Polls `probe` (sync or async) until it returns a truthy value; throws with `what` and the last value on timeout.
export async function eventually(probe, what, { timeoutMs = 45_000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
}

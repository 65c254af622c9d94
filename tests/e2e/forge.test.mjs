// End-to-end: Doppel as a Forge Remote backend against a fake Forge platform on loopback (own RSA keys,
// JWKS, install-key server and Jira REST API): install, product events with retries and reordering, the
// panel API as a user, and a negative token matrix. Needs DOPPEL_BIN; uses DOPPEL_TEST_DATABASE_URL if set.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readline from 'node:readline';
import atlassianJwt from 'atlassian-jwt';
import { renderDescriptor } from '../tools/lib/render.mjs';

const DOPPEL_BIN = process.env.DOPPEL_BIN;
const APP_ID = `ari:cloud:ecosystem::app/${crypto.randomUUID()}`;
const OTHER_APP_ID = `ari:cloud:ecosystem::app/${crypto.randomUUID()}`;
const FIT_ISSUER = 'forge/invocation-token';
const CLOUD_ID = crypto.randomUUID();
const INSTALLATION_ID = `ari:cloud:ecosystem::installation/${crypto.randomUUID()}`;
const ENVIRONMENT_ID = `ari:cloud:ecosystem::environment/${crypto.randomUUID()}`;
const SITE_URL = 'https://acme-e2e.atlassian.net';
const USER_ACCOUNT_ID = '5b10ac8d82e05b22cc7d4ef5';
const SYSTEM_TOKEN = crypto.randomBytes(24).toString('base64url');
const FORGE_KID = 'forge-e2e-key-1';
const CONNECT_KID = 'connect-e2e-key-1';
const CONNECT_CLIENT_KEY = `e2e-connect-${crypto.randomUUID()}`;
const CONNECT_SECRET = crypto.randomBytes(32).toString('hex');
const READY_TIMEOUT_MS = 90_000;
const EVENTUALLY_TIMEOUT_MS = 45_000;

// ---------------------------------------------------------------------------------------------------
// Tokens

const forgeKeys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const rogueKeys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const connectInstallKeys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const forgePublicPem = forgeKeys.publicKey.export({ type: 'spki', format: 'pem' });

const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

// Signs a JWT with RS256 (RSASSA-PKCS1-v1_5 / SHA-256), HS256, or nothing for alg "none".
function signJwt(header, claims, key) {
  const input = `${b64url(header)}.${b64url(claims)}`;
  if (header.alg === 'none') return `${input}.`;
  if (header.alg === 'HS256') return `${input}.${crypto.createHmac('sha256', key).update(input).digest('base64url')}`;
  return `${input}.${crypto.sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

// A Forge Invocation Token as the platform sends it; `overrides` replaces claims, `header` the JOSE header.
function fit({ moduleKey = 'doppel-issue-events', principal, overrides = {}, header = {}, key = forgeKeys.privateKey } = {}) {
  const iat = nowSeconds();
  const claims = {
    iss: FIT_ISSUER,
    aud: APP_ID,
    iat,
    nbf: iat,
    exp: iat + 60,
    jti: crypto.randomUUID(),
    app: {
      installationId: INSTALLATION_ID,
      apiBaseUrl: `${platform.url}/ex/jira/${CLOUD_ID}`,
      id: APP_ID,
      appVersion: '1.0.0',
      environment: { type: 'DEVELOPMENT', id: ENVIRONMENT_ID },
      module: { type: moduleKey.startsWith('doppel-') ? 'core:endpoint' : 'jira:issueContext', key: moduleKey },
    },
    context: { cloudId: CLOUD_ID, siteUrl: SITE_URL },
    ...(principal ? { principal } : {}),
    ...overrides,
  };
  return signJwt({ alg: 'RS256', typ: 'JWT', kid: FORGE_KID, ...header }, claims, key);
}

// ---------------------------------------------------------------------------------------------------
// Fake platform: JWKS, Connect install keys and the Jira REST API, all on one loopback server.

const jiraIssues = new Map(); // key -> issue JSON as Jira returns it (the "truth"); deleted issues removed
const jiraRequests = []; // {method, url, authorization}

const platform = {
  url: '',
  jwksRequests: 0,
  server: createServer((req, res) => {
    const url = new URL(req.url, 'http://platform');
    const send = (status, body, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/jwks.json') {
      platform.jwksRequests += 1;
      const jwk = forgeKeys.publicKey.export({ format: 'jwk' });
      return send(200, { keys: [{ ...jwk, kid: FORGE_KID, alg: 'RS256', use: 'sig' }] });
    }
    if (url.pathname === `/connect-install-keys/${CONNECT_KID}`) {
      return send(200, connectInstallKeys.publicKey.export({ type: 'spki', format: 'pem' }), 'text/plain');
    }
    if (url.pathname.startsWith('/connect-install-keys/')) return send(404, 'not found', 'text/plain');

    const jiraPrefix = `/ex/jira/${CLOUD_ID}`;
    if (url.pathname.startsWith(jiraPrefix)) {
      jiraRequests.push({ method: req.method, url: req.url, authorization: req.headers.authorization ?? '' });
      req.resume();
      if (req.headers.authorization !== `Bearer ${SYSTEM_TOKEN}`) return send(401, { errorMessages: ['bad token'] });
      const path = url.pathname.slice(jiraPrefix.length);
      const issueMatch = path.match(/^\/rest\/api\/3\/issue\/([^/]+)$/);
      if (req.method === 'GET' && issueMatch) {
        const wanted = decodeURIComponent(issueMatch[1]);
        const issue = [...jiraIssues.values()].find((candidate) => candidate.key === wanted || candidate.id === wanted);
        return issue ? send(200, issue) : send(404, { errorMessages: ['Issue does not exist'] });
      }
      if (req.method === 'GET' && path === '/rest/api/3/search/jql') {
        return send(200, { issues: [...jiraIssues.values()], isLast: true });
      }
      if (req.method === 'PUT' && /^\/rest\/api\/3\/issue\/[^/]+\/properties\//.test(path)) return send(204, '');
      if (req.method === 'POST' && path === '/rest/api/3/issueLink') return send(201, '');
      if (req.method === 'POST' && /^\/rest\/api\/3\/issue\/[^/]+\/comment$/.test(path)) return send(201, { id: '1' });
      if (req.method === 'GET' && path.startsWith('/rest/api/3/permissions/check')) return send(200, { globalPermissions: [] });
      return send(404, { errorMessages: [`fake Jira has no ${req.method} ${path}`] });
    }
    return send(404, 'not found', 'text/plain');
  }),
};

// ---------------------------------------------------------------------------------------------------
// Issues and events

const PROJECT = { id: '10000', key: 'PROJ', name: 'Project' };
const BUG = { id: '10001', name: 'Bug' };
const OPEN = { id: '1', name: 'To Do' };
const at = (minute) => `2026-11-20T10:${String(minute).padStart(2, '0')}:00.000+0000`;

function issue(number, summary, description, updatedMinute) {
  return {
    id: String(20000 + number),
    key: `PROJ-${number}`,
    self: `${SITE_URL}/rest/api/3/issue/${20000 + number}`,
    fields: {
      summary,
      description,
      issuetype: BUG,
      project: PROJECT,
      status: OPEN,
      labels: [],
      created: at(0),
      updated: at(updatedMinute),
    },
  };
}

const A = issue(1, 'Login page crashes on Safari when the password contains emoji',
  'Open the login page in Safari 17, type a password with an emoji and press enter: the page crashes to a blank screen.', 1);
const B = issue(2, 'Safari login crash when password has an emoji',
  'Safari 17 shows a blank screen after submitting the login form with an emoji in the password.', 2);
const C = issue(3, 'Quarterly invoice export misses VAT column',
  'Finance reports that the CSV export for invoices drops the VAT column since the November release.', 3);
const D1 = issue(4, 'Rename billing address form labels', 'Marketing wants the billing address labels in sentence case.', 4);
const D2 = issue(4, 'Emoji password crashes the Safari login page',
  'Typing an emoji into the password field on the login page crashes Safari with a blank page.', 9);
const E = issue(5, 'Safari crashes at login with emoji password',
  'Login with an emoji password crashes Safari to a blank screen.', 5);
const FORGED = issue(99, 'Login page crashes on Safari when the password contains emoji',
  'Open the login page in Safari 17, type a password with an emoji and press enter: the page crashes.', 10);

function issueEvent(eventType, payloadIssue) {
  return {
    eventType,
    issue: payloadIssue,
    atlassianId: USER_ACCOUNT_ID,
    associatedUsers: [{ accountId: USER_ACCOUNT_ID }],
    context: { cloudId: CLOUD_ID, moduleKey: 'doppel-issue-events' },
  };
}

function lifecycleEvent(eventType) {
  return {
    eventType,
    id: INSTALLATION_ID,
    installerAccountId: USER_ACCOUNT_ID,
    app: { id: APP_ID, version: '1.0.0' },
    environment: { id: ENVIRONMENT_ID },
    context: { cloudId: CLOUD_ID, moduleKey: 'doppel-app-lifecycle' },
  };
}

// ---------------------------------------------------------------------------------------------------
// Doppel process and database

let doppel; // {proc, baseUrl, exit}
const serverLog = []; // the last non-access log lines of doppel serve, quoted when an eventual condition times out
const SERVER_LOG_KEEP = 40;
let databaseName;
let dataDir;

function databaseUrl(name) {
  const url = new URL(process.env.DOPPEL_TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

function psql(sql) {
  execFileSync('psql', [process.env.DOPPEL_TEST_DATABASE_URL, '-v', 'ON_ERROR_STOP=1', '-qc', sql], { stdio: 'pipe' });
}

// Starts `doppel serve` on a free port and resolves once it logs its "listening" line.
function startDoppel(env) {
  return new Promise((resolve, reject) => {
    const proc = spawn(DOPPEL_BIN, ['serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exit = new Promise((done) => proc.on('exit', (code, signal) => done({ code, signal })));
    const stderr = [];
    proc.stderr.on('data', (chunk) => stderr.push(chunk));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`doppel serve did not log "listening" within ${READY_TIMEOUT_MS} ms; stderr: ${Buffer.concat(stderr)}`));
    }, READY_TIMEOUT_MS);
    exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`doppel serve exited early (code ${code}, signal ${signal}); stderr: ${Buffer.concat(stderr)}`));
    });
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.msg !== 'request') {
        serverLog.push(line);
        if (serverLog.length > SERVER_LOG_KEEP) serverLog.shift();
      }
      if (entry.msg === 'listening' && Number.isInteger(entry.port) && entry.port > 0) {
        clearTimeout(timer);
        resolve({ proc, exit, port: entry.port, baseUrl: entry.base_url ?? `http://localhost:${entry.port}`, url: `http://127.0.0.1:${entry.port}` });
      }
    });
  });
}

async function call(method, path, { token, scheme = 'Bearer', body, headers = {} } = {}) {
  const response = await fetch(`${doppel.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `${scheme} ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

// Delivers one event as Forge does: POST to the endpoint route with a FIT and the app system token.
function deliver(event, { token = fit({ moduleKey: event.context.moduleKey }) } = {}) {
  return call('POST', '/api/forge/events', { token, body: event, headers: { 'x-forge-oauth-system': SYSTEM_TOKEN } });
}

function similar(issueKey, token = fit({ moduleKey: 'possible-duplicates', principal: USER_ACCOUNT_ID })) {
  return call('GET', `/api/issues/${encodeURIComponent(issueKey)}/similar?limit=10`, { token });
}

// Re-evaluates `probe` until it returns a truthy value; fails with the last value after the deadline.
async function eventually(probe, what) {
  const deadline = Date.now() + EVENTUALLY_TIMEOUT_MS;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last.done) return last.value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.fail(`${what} did not happen within ${EVENTUALLY_TIMEOUT_MS} ms; last: ${JSON.stringify(last.value)}\n` +
    `fake Jira saw: ${JSON.stringify(jiraRequests.slice(-10))}\nserver log tail:\n${serverLog.join('\n')}`);
}

function assertAccepted(response, what) {
  assert.ok(response.status >= 200 && response.status < 300, `${what}: expected 2xx, got ${response.status} ${response.text}`);
}

function assertRejected(response, codes, what) {
  assert.equal(response.status, 401, `${what}: expected 401, got ${response.status} ${response.text}`);
  assert.ok(response.json && typeof response.json.error === 'string' && typeof response.json.message === 'string',
    `${what}: error body must be {"error","message"}, got ${response.text}`);
  assert.ok(codes.includes(response.json.error), `${what}: error code ${response.json.error} not in ${codes}`);
}

before(async () => {
  assert.ok(DOPPEL_BIN, 'DOPPEL_BIN must name the built doppel binary');
  await new Promise((resolve) => platform.server.listen(0, '127.0.0.1', resolve));
  platform.url = `http://127.0.0.1:${platform.server.address().port}`;

  dataDir = mkdtempSync(join(tmpdir(), 'doppel-forge-e2e-'));
  const env = {
    DOPPEL_PORT: '0',
    DOPPEL_BIND: '127.0.0.1',
    DOPPEL_DATA_DIR: dataDir,
    DOPPEL_SECRET_KEY: crypto.randomBytes(32).toString('hex'),
    DOPPEL_FORGE_APP_ID: APP_ID,
    DOPPEL_FORGE_JWKS_URL: `${platform.url}/.well-known/jwks.json`,
    DOPPEL_INSTALL_KEYS_URL: `${platform.url}/connect-install-keys`,
    DOPPEL_ALLOWED_HOSTS: '*.atlassian.net,127.0.0.1:*',
    DOPPEL_LOG_LEVEL: 'info',
  };
  delete process.env.DOPPEL_BASE_URL;
  if (process.env.DOPPEL_TEST_DATABASE_URL) {
    databaseName = `doppel_forge_e2e_${crypto.randomBytes(6).toString('hex')}`;
    psql(`CREATE DATABASE ${databaseName}`);
    env.DOPPEL_DATABASE_URL = databaseUrl(databaseName);
  }
  doppel = await startDoppel(env);
});

after(async () => {
  if (doppel && doppel.proc.exitCode === null && doppel.proc.signalCode === null) {
    doppel.proc.kill('SIGKILL');
    await doppel.exit.catch(() => {});
  }
  await new Promise((resolve) => platform.server.close(resolve));
  if (databaseName) psql(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------
// The declarations the server hands out

test('the served Connect descriptor is the template rendered for this server', async () => {
  const sourceDir = process.env.DOPPEL_SOURCE_DIR ?? join(import.meta.dirname, '../..');
  const template = readFileSync(join(sourceDir, 'connect-descriptor/atlassian-connect.json'), 'utf8');
  const response = await call('GET', '/atlassian-connect.json');
  assert.equal(response.status, 200, response.text);
  assert.deepEqual(response.json, JSON.parse(renderDescriptor(template, { baseUrl: doppel.baseUrl, appKey: process.env.DOPPEL_APP_KEY ?? 'io.doppel.jira' })));
});

// ---------------------------------------------------------------------------------------------------
// The happy path

test('install: avi:forge:installed:app is accepted, and so is its retry', async () => {
  assertAccepted(await deliver(lifecycleEvent('avi:forge:installed:app')), 'installed');
  assertAccepted(await deliver(lifecycleEvent('avi:forge:installed:app')), 'installed (retried delivery)');
});

test('product events with retries and reordering are all accepted', async () => {
  for (const current of [A, B, C]) jiraIssues.set(current.key, current);
  jiraIssues.set(D2.key, D2);
  jiraIssues.set(E.key, E);

  assertAccepted(await deliver(issueEvent('avi:jira:created:issue', A)), 'A created');
  assertAccepted(await deliver(issueEvent('avi:jira:created:issue', B)), 'B created');
  assertAccepted(await deliver(issueEvent('avi:jira:created:issue', B)), 'B created (retry, fresh FIT)');
  assertAccepted(await deliver(issueEvent('avi:jira:created:issue', C)), 'C created');
  // D: the newer update overtakes its own creation; the stale creation must not win.
  assertAccepted(await deliver(issueEvent('avi:jira:updated:issue', D2)), 'D updated (newer, first)');
  assertAccepted(await deliver(issueEvent('avi:jira:created:issue', D1)), 'D created (older, late)');
  assertAccepted(await deliver(issueEvent('avi:jira:updated:issue', D2)), 'D updated (retry)');
  // E: created, deleted, then a late update: the delete must stick.
  assertAccepted(await deliver(issueEvent('avi:jira:created:issue', E)), 'E created');
  jiraIssues.delete(E.key);
  assertAccepted(await deliver(issueEvent('avi:jira:deleted:issue', { id: E.id, key: E.key, fields: { project: PROJECT } })), 'E deleted');
  assertAccepted(await deliver(issueEvent('avi:jira:updated:issue', E)), 'E updated (late, after delete)');
  assertAccepted(await deliver(lifecycleEvent('avi:forge:upgraded:app')), 'upgraded');
});

test('panel API as a user: duplicates ranked, newest text, deletes stick', async () => {
  const body = await eventually(async () => {
    const response = await similar(A.key);
    const keys = response.json?.candidates?.map((candidate) => candidate.key) ?? [];
    return { done: response.status === 200 && keys.includes(B.key) && keys.includes(D2.key), value: response.json ?? response.text };
  }, `GET /api/issues/${A.key}/similar listing ${B.key} and ${D2.key}`);

  assert.equal(body.issue, A.key);
  const keys = body.candidates.map((candidate) => candidate.key);
  assert.equal(new Set(keys).size, keys.length, `candidates repeat a key: ${keys}`);
  assert.ok(!keys.includes(A.key), 'an issue is not its own duplicate');
  assert.ok(!keys.includes(C.key), `${C.key} shares no words with ${A.key} and must not be listed`);
  assert.ok(!keys.includes(E.key), `${E.key} was deleted; a late update must not bring it back`);
  assert.ok(!keys.includes(FORGED.key), `${FORGED.key} only ever arrived with rejected tokens`);
  for (const candidate of body.candidates) {
    for (const field of ['key', 'summary', 'project', 'status', 'score', 'url']) assert.ok(field in candidate, `candidate lacks ${field}: ${JSON.stringify(candidate)}`);
    assert.equal(typeof candidate.score, 'number');
    assert.ok(candidate.url.endsWith(`/browse/${candidate.key}`), `url ${candidate.url} does not browse ${candidate.key}`);
  }
  const scores = body.candidates.map((candidate) => candidate.score);
  assert.deepEqual(scores, [...scores].sort((x, y) => y - x), 'candidates must be best first');
  const d = body.candidates.find((candidate) => candidate.key === D2.key);
  assert.equal(d.summary, D2.fields.summary, 'the newest version of a reordered issue wins');
});

// ---------------------------------------------------------------------------------------------------
// Negative matrix: every case is refused on the Forge events route and on the panel API, and leaves no trace.

const NEGATIVE = [
  ['wrong audience', () => fit({ overrides: { aud: OTHER_APP_ID } }), ['jwt_audience']],
  ['wrong issuer', () => fit({ overrides: { iss: 'forge/invocation-token-evil' } }), ['jwt_unknown_issuer']],
  ['expired', () => {
    const iat = nowSeconds() - 3600;
    return fit({ overrides: { iat, nbf: iat, exp: iat + 60 } });
  }, ['jwt_expired']],
  ['unknown kid (key not in the JWKS)', () => fit({ header: { kid: 'rogue-kid' }, key: rogueKeys.privateKey }), ['jwt_unknown_kid']],
  ['known kid, signed by another key', () => fit({ key: rogueKeys.privateKey }), ['jwt_signature']],
  ['alg none', () => fit({ header: { alg: 'none' } }), ['jwt_alg']],
  ['HS256 with the public key as secret', () => fit({ header: { alg: 'HS256' }, key: forgePublicPem }), ['jwt_alg']],
];

for (const [name, makeToken, codes] of NEGATIVE) {
  test(`negative: ${name}`, async () => {
    const forgedEvent = issueEvent('avi:jira:created:issue', FORGED);
    assertRejected(await deliver(forgedEvent, { token: makeToken() }), codes, `${name} on POST /api/forge/events`);
    assertRejected(await similar(A.key, makeToken()), codes, `${name} on GET /api/issues/{key}/similar`);
  });
}

test('negative: no token at all', async () => {
  assertRejected(await call('POST', '/api/forge/events', { body: issueEvent('avi:jira:created:issue', FORGED) }), ['jwt_missing'], 'no token on events');
  assertRejected(await call('GET', `/api/issues/${A.key}/similar`), ['jwt_missing'], 'no token on the panel API');
});

test('Connect install on the same server (sets up the cross-kind cases)', async () => {
  const baseUrl = doppel.baseUrl;
  const iat = nowSeconds();
  const installClaims = {
    iss: CONNECT_CLIENT_KEY,
    aud: baseUrl,
    iat,
    exp: iat + 180,
    qsh: atlassianJwt.createQueryStringHash(atlassianJwt.fromMethodAndUrl('POST', '/lifecycle/installed')),
  };
  const token = signJwt({ alg: 'RS256', typ: 'JWT', kid: CONNECT_KID }, installClaims, connectInstallKeys.privateKey);
  const response = await call('POST', '/lifecycle/installed', {
    token,
    scheme: 'JWT',
    body: {
      key: 'io.doppel.jira',
      clientKey: CONNECT_CLIENT_KEY,
      sharedSecret: CONNECT_SECRET,
      baseUrl: `${platform.url}/connect-jira`,
      displayUrl: SITE_URL,
      productType: 'jira',
      description: 'e2e',
      eventType: 'installed',
    },
  });
  assertAccepted(response, 'signed Connect install');
});

test('negative: a Connect token on the Forge route', async () => {
  const iat = nowSeconds();
  const computed = atlassianJwt.encodeSymmetric({
    iss: CONNECT_CLIENT_KEY,
    iat,
    exp: iat + 60,
    qsh: atlassianJwt.createQueryStringHash(atlassianJwt.fromMethodAndUrl('POST', '/api/forge/events')),
  }, CONNECT_SECRET);
  const context = atlassianJwt.encodeSymmetric({ iss: CONNECT_CLIENT_KEY, sub: USER_ACCOUNT_ID, iat, exp: iat + 60, qsh: 'context-qsh' }, CONNECT_SECRET);
  const event = issueEvent('avi:jira:created:issue', FORGED);
  for (const [label, token, scheme] of [['computed-qsh JWT', computed, 'JWT'], ['context JWT', context, 'JWT'], ['computed-qsh as Bearer', computed, 'Bearer']]) {
    const response = await call('POST', '/api/forge/events', { token, scheme, body: event, headers: { 'x-forge-oauth-system': SYSTEM_TOKEN } });
    assertRejected(response, ['jwt_token_kind', 'jwt_alg'], `Connect ${label} on POST /api/forge/events`);
  }
});

test('negative: a FIT on Connect routes', async () => {
  const token = fit();
  const webhook = { timestamp: Date.now(), webhookEvent: 'jira:issue_created', issue: FORGED };
  assertRejected(await call('POST', '/webhooks/jira', { token, body: webhook }), ['jwt_token_kind'], 'FIT as Bearer on /webhooks/jira');
  assertRejected(await call('POST', '/webhooks/jira', { token, scheme: 'JWT', body: webhook }), ['jwt_token_kind', 'jwt_alg'], 'FIT as JWT on /webhooks/jira');
  assertRejected(await call('GET', `/pages/panel?issueKey=${A.key}&issueId=${A.id}&projectKey=PROJ&jwt=${token}`), ['jwt_token_kind', 'jwt_alg'], 'FIT as ?jwt= on /pages/panel');
  assertRejected(await call('POST', '/lifecycle/enabled', { token, body: {} }), ['jwt_token_kind', 'jwt_alg'], 'FIT as Bearer on /lifecycle/enabled');
});

test('rejected requests left no trace', async () => {
  // A fresh, valid call still works and still does not know the forged issue.
  const response = await similar(A.key);
  assert.equal(response.status, 200, response.text);
  assert.ok(!response.json.candidates.some((candidate) => candidate.key === FORGED.key), 'forged issue reached the index');
  assert.ok(!jiraRequests.some((request) => request.url.includes(FORGED.key)), 'Doppel fetched the forged issue from Jira');
  assert.ok(jiraRequests.every((request) => request.authorization === `Bearer ${SYSTEM_TOKEN}`),
    'every call to Jira must carry the app system token from x-forge-oauth-system');
});

test('SIGTERM drains and exits 0', async () => {
  doppel.proc.kill('SIGTERM');
  const { code, signal } = await doppel.exit;
  assert.equal(signal, null);
  assert.equal(code, 0);
});

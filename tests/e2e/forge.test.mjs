// End-to-end: Doppel as a Forge Remote backend against a fake Forge platform on loopback (own RSA keys, JWKS and
// install-key server) and a fake Jira behind the FIT's apiBaseUrl (lib/fake_jira.mjs in Forge mode: it accepts
// only app system tokens the platform issued and has not revoked or let expire): install and backfill with the
// system token, product events with retries and reordering, the panel API as a user, link and dismiss from a UI
// call, a backfill that waits without a usable token and resumes, tokens kept out of logs and the database, and a
// negative token matrix. Needs DOPPEL_BIN; uses DOPPEL_TEST_DATABASE_URL if set (the leak check needs it).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import readline from 'node:readline';
import atlassianJwt from 'atlassian-jwt';
import { renderDescriptor } from '../tools/lib/render.mjs';
import { loadDataset, signJwt } from './lib/fake_jira.mjs';
import { ForgeSite, forgeCall } from './lib/forge_site.mjs';

const DOPPEL_BIN = process.env.DOPPEL_BIN;
const SITE_URL = 'https://acme-e2e.atlassian.net';
const forge = new ForgeSite({ siteUrl: SITE_URL });
const { site, appId: APP_ID, cloudId: CLOUD_ID, installationId: INSTALLATION_ID, issuedTokens } = forge;
const OTHER_APP_ID = `ari:cloud:ecosystem::app/${crypto.randomUUID()}`;
const USER_ACCOUNT_ID = '5b10ac8d82e05b22cc7d4ef5';
const SECOND_INSTALLATION_ID = `ari:cloud:ecosystem::installation/${crypto.randomUUID()}`;
const BACKLOG = 230; // issues already in the site when the app is installed (3 search pages of 100)
const PROPERTY_KEY = `com.atlassian.jira.issue:${process.env.DOPPEL_APP_KEY ?? 'io.doppel.jira'}:possible-duplicates:status`;
const CONNECT_KID = 'connect-e2e-key-1';
const CONNECT_CLIENT_KEY = `e2e-connect-${crypto.randomUUID()}`;
const CONNECT_SECRET = crypto.randomBytes(32).toString('hex');
const READY_TIMEOUT_MS = 90_000;
const EVENTUALLY_TIMEOUT_MS = 45_000;

// ---------------------------------------------------------------------------------------------------
// Tokens

const rogueKeys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const connectInstallKeys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const forgePublicPem = forge.keys.publicKey.export({ type: 'spki', format: 'pem' });
forge.installKeys.set(CONNECT_KID, connectInstallKeys.publicKey.export({ type: 'spki', format: 'pem' }));
const nowSeconds = () => Math.floor(Date.now() / 1000);
// A FIT (lib/forge_site.mjs) and an app system token the fake site accepts; every token issued is kept for the leak check.
const fit = (options) => forge.fit(options);
const systemToken = (options) => forge.systemToken(options);
const SYSTEM_TOKEN = systemToken();

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

const lifecycleEvent = (eventType) => forge.lifecycleEvent(eventType, USER_ACCOUNT_ID);

// ---------------------------------------------------------------------------------------------------
// Doppel process and database

let doppel; // {proc, baseUrl, exit}
const fullLog = []; // every line doppel serve wrote (stdout and stderr), for the token leak check
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

// A query against Doppel's own database; unaligned rows, '|' between columns.
function psqlOut(sql) {
  return execFileSync('psql', [databaseUrl(databaseName), '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 }).trim();
}

// Starts `doppel serve` on a free port and resolves once it logs its "listening" line.
function startDoppel(env) {
  return new Promise((resolve, reject) => {
    const proc = spawn(DOPPEL_BIN, ['serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exit = new Promise((done) => proc.on('exit', (code, signal) => done({ code, signal })));
    const stderr = [];
    proc.stderr.on('data', (chunk) => { stderr.push(chunk); fullLog.push(String(chunk)); });
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`doppel serve did not log "listening" within ${READY_TIMEOUT_MS} ms; stderr: ${Buffer.concat(stderr)}`));
    }, READY_TIMEOUT_MS);
    exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`doppel serve exited early (code ${code}, signal ${signal}); stderr: ${Buffer.concat(stderr)}`));
    });
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      fullLog.push(line);
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

const call = (method, path, options) => forgeCall(doppel, method, path, options);

// Delivers one event as Forge does, with the installed event's system token unless `systemToken` is given ('' = none).
const deliver = (event, options = {}) => forge.deliver(doppel, event, { systemToken: SYSTEM_TOKEN, ...options });

// A Custom UI call through invokeRemote (endpoint doppel-ui): a FIT with the user as principal plus the app system token.
function uiCall(method, path, { installationId = INSTALLATION_ID, systemTokenValue, body } = {}) {
  const token = fit({ moduleKey: 'possible-duplicates', principal: USER_ACCOUNT_ID, installationId });
  const headers = systemTokenValue ? { 'x-forge-oauth-system': systemTokenValue } : {};
  return call(method, path, { token, body, headers });
}

async function backfillStatus(installationId = INSTALLATION_ID) {
  const response = await uiCall('GET', '/api/status', { installationId });
  assert.equal(response.status, 200, response.text);
  return response.json.backfill;
}

const searchCalls = (token) => site.calls.filter((c) => c.path === '/rest/api/3/search/jql' && c.authorization === `Bearer ${token}`);

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
  const seen = site.calls.slice(-10).map(({ method, path, query, status, authOk }) => ({ method, path, query, status, authOk }));
  assert.fail(`${what} did not happen within ${EVENTUALLY_TIMEOUT_MS} ms; last: ${JSON.stringify(last.value)}\n` +
    `fake Jira saw: ${JSON.stringify(seen)}\nserver log tail:\n${serverLog.join('\n')}`);
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
  await forge.start();
  site.loadIssues(loadDataset({ limit: BACKLOG }));

  dataDir = mkdtempSync(join(tmpdir(), 'doppel-forge-e2e-'));
  const env = {
    DOPPEL_PORT: '0',
    DOPPEL_BIND: '127.0.0.1',
    DOPPEL_DATA_DIR: dataDir,
    DOPPEL_SECRET_KEY: crypto.randomBytes(32).toString('hex'),
    ...forge.doppelEnv(),
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
  await forge.close();
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

test('install starts a backfill of the existing issues through Jira with the app system token', async () => {
  const done = await eventually(async () => {
    const b = await backfillStatus();
    return { done: b.state === 'done', value: b };
  }, `backfill of the ${BACKLOG} existing issues`);
  assert.equal(done.indexed, BACKLOG);
  assert.equal(done.waiting, null);
  const pages = searchCalls(SYSTEM_TOKEN).filter((c) => c.status === 200);
  assert.equal(pages.length, Math.ceil(BACKLOG / 100), 'one search call per page of 100');
  assert.ok(site.calls.every((c) => c.authOk), `Jira rejected a call: ${site.authErrors}`);
  assert.ok(site.calls.every((c) => c.authorization === `Bearer ${SYSTEM_TOKEN}`), 'every Jira call carries the installed event\'s system token');
  const similar = await uiCall('GET', `/api/issues/${site.sortedIssues()[0].key}/similar`);
  assert.equal(similar.status, 200, similar.text);
  assert.equal(similar.json.indexed, true, 'a backfilled issue is in the index');
  if (databaseName) {
    const row = psqlOut(`SELECT system_token_box, EXTRACT(EPOCH FROM system_token_expires_at)::bigint FROM tenants WHERE tenant_id = '${INSTALLATION_ID}'`).split('|');
    assert.match(row[0], /^v1\./, 'the system token is stored sealed');
    assert.equal(Number(row[1]), JSON.parse(Buffer.from(SYSTEM_TOKEN.split('.')[1], 'base64url')).exp, 'its exp is recorded');
    assert.equal(psqlOut(`SELECT base_url FROM tenants WHERE tenant_id = '${INSTALLATION_ID}'`), site.baseUrl, 'apiBaseUrl is recorded');
  }
});

test('product events with retries and reordering are all accepted', async () => {
  for (const current of [A, B, C]) site.issues.set(current.key, current);
  site.issues.set(D2.key, D2);
  site.issues.set(E.key, E);

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
  site.issues.delete(E.key);
  assertAccepted(await deliver(issueEvent('avi:jira:deleted:issue', { id: E.id, key: E.key, fields: { project: PROJECT } })), 'E deleted');
  assertAccepted(await deliver(issueEvent('avi:jira:updated:issue', E)), 'E updated (late, after delete)');
  assertAccepted(await deliver(lifecycleEvent('avi:forge:upgraded:app')), 'upgraded');
});

test('panel API as a user: duplicates ranked, newest text, deletes stick', async () => {
  if (databaseName) {
    // Every accepted event applied first (E's delete and its late update included), so that what follows checks the
    // final state rather than a moment between two of E's jobs.
    const installation = INSTALLATION_ID.replaceAll("'", "''");
    await eventually(() => {
      const waiting = Number(psqlOut(`SELECT (SELECT count(*) FROM inbox WHERE tenant_id = '${installation}' AND processed_at IS NULL)
        + (SELECT count(*) FROM jobs WHERE tenant_id = '${installation}' AND kind = 'apply_issue')`));
      return { done: waiting === 0, value: `${waiting} events or apply jobs waiting` };
    }, 'every product event applied');
  }
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

test('an oversized product event (3 MiB description) is accepted and its issue found by a word of the prefix', async () => {
  const big = issue(7, 'Attachment importer stalls on huge lists',
    `The wombatlantern importer stalls right here. ${'Filler words about the attachment importer. '.repeat(75_000)}`, 11);
  assert.ok(big.fields.description.length > 3 * 1024 * 1024);
  site.issues.set(big.key, big);
  try {
    assertAccepted(await deliver(issueEvent('avi:jira:created:issue', big)), 'oversized created event');
    await eventually(async () => {
      const response = await uiCall('POST', '/api/similar', { body: { summary: 'wombatlantern importer', projectKey: PROJECT.key } });
      return { done: response.status === 200 && response.json.candidates.some((c) => c.key === big.key), value: response.json ?? response.text };
    }, `${big.key} listed for a word of its description's prefix`);
  } finally {
    site.issues.delete(big.key);
    assertAccepted(await deliver(issueEvent('avi:jira:deleted:issue', { id: big.id, key: big.key, fields: { project: PROJECT } })), 'its delete');
  }
});

// ---------------------------------------------------------------------------------------------------
// Writes from the Custom UI: invokeRemote calls carry the app system token; Doppel writes to Jira with it.

test('link and dismiss from a Forge UI call land in Jira with the app system token', async () => {
  const uiToken = systemToken();
  const linked = await uiCall('POST', `/api/pairs/${A.key}/${B.key}/link`, { systemTokenValue: uiToken });
  assert.equal(linked.status, 200, linked.text);
  assert.deepEqual(linked.json, { status: 'confirmed' });
  assert.deepEqual(site.links.at(-1), { type: 'Duplicate', inward: B.key, outward: A.key }, `${A.key} duplicates ${B.key}`);
  const linkCall = site.calls.findLast((c) => c.method === 'POST' && c.path === '/rest/api/3/issueLink');
  assert.equal(linkCall.authorization, `Bearer ${uiToken}`, 'the link is written with the token of that UI call');

  const mark = site.calls.length;
  const dismissed = await uiCall('POST', `/api/pairs/${A.key}/${D2.key}/dismiss`, { systemTokenValue: systemToken() });
  assert.equal(dismissed.status, 200, dismissed.text);
  // The pending count of A changed: the panel status property is rewritten (a job, with the stored token).
  await eventually(() => {
    const put = site.calls.slice(mark).findLast((c) => c.method === 'PUT' && c.path.startsWith(`/rest/api/3/issue/${A.key}/properties/`));
    return { done: Boolean(put && put.status === 200 && put.authOk), value: put ?? null };
  }, `PUT ${A.key} property ${PROPERTY_KEY}`);
  assert.ok(site.properties.has(`${A.key}/${PROPERTY_KEY}`));
  const after = await similar(A.key);
  assert.ok(!after.json.candidates.some((c) => c.key === D2.key && c.pairStatus !== 'dismissed'), 'the dismissed pair is not pending');

  // requestRemote calls come without the token: a link then uses the newest stored one.
  const plain = await call('POST', `/api/pairs/${A.key}/${C.key}/link`, { token: fit({ moduleKey: 'possible-duplicates', principal: USER_ACCOUNT_ID }) });
  assert.equal(plain.status, 200, plain.text);
  const plainCall = site.calls.findLast((c) => c.method === 'POST' && c.path === '/rest/api/3/issueLink');
  assert.ok(plainCall.authOk && issuedTokens.some((t) => plainCall.authorization === `Bearer ${t}`), 'stored system token used');
});

// ---------------------------------------------------------------------------------------------------
// No usable system token: a second installation's backfill waits, says why, keeps its progress and resumes.

let revokedToken = '';

test('backfill without a usable system token waits, says why, and resumes with the next event\'s token', async () => {
  const installationId = SECOND_INSTALLATION_ID;
  const total = site.issues.size;
  const callsBefore = site.calls.length;
  // Installed without x-forge-oauth-system: the backfill starts and waits for a token.
  assertAccepted(await deliver(lifecycleEvent('avi:forge:installed:app'), { installationId, systemToken: '' }), 'installed, no token');
  let b = await eventually(async () => {
    const s = await backfillStatus(installationId);
    return { done: s.waiting?.reason === 'forge_token_missing', value: s };
  }, 'backfill waiting for a missing token');
  assert.equal(b.state, 'running');
  assert.match(b.waiting.message, /not sent Doppel an app system token/);
  // (The first installation's jobs may still write issue properties; the backfill reads nothing without a token.)
  const backfillCalls = () => site.calls.slice(callsBefore).filter((c) => c.path.startsWith('/rest/api/3/search'));
  assert.deepEqual(backfillCalls(), [], 'no backfill call to Jira without a token');

  // An event with a token about to expire (inside the safety margin): stored, but not used.
  const event = (issue) => ({ ...issueEvent('avi:jira:updated:issue', issue), context: { cloudId: CLOUD_ID, moduleKey: 'doppel-issue-events' } });
  const shortLived = systemToken({ expiresIn: 20 });
  assertAccepted(await deliver(event(A), { installationId, systemToken: shortLived }), 'event with a short-lived token');
  b = await eventually(async () => {
    const s = await backfillStatus(installationId);
    return { done: s.waiting?.reason === 'forge_token_expired', value: s };
  }, 'backfill waiting because the token expired');
  assert.match(b.waiting.message, /expired/);
  assert.equal(searchCalls(shortLived).length, 0, 'an expiring token is not used for the backfill');
  assert.deepEqual(backfillCalls(), [], 'no backfill call to Jira with an expiring token');

  // A fresh token that Jira revokes after one page: the page is kept, Doppel forgets the token and waits again.
  revokedToken = systemToken();
  site.onCall = (record) => {
    if (record.path === '/rest/api/3/search/jql' && record.status === 200 && record.authorization === `Bearer ${revokedToken}`) site.bearerTokens.delete(revokedToken);
  };
  assertAccepted(await deliver(event(B), { installationId, systemToken: revokedToken }), 'event with a token Jira will revoke');
  b = await eventually(async () => {
    const s = await backfillStatus(installationId);
    return { done: s.waiting?.reason === 'forge_token_rejected', value: s };
  }, 'backfill waiting because Jira rejected the token');
  site.onCall = null;
  assert.equal(b.indexed, 100, 'the page fetched before the token was revoked is kept');
  assert.match(b.waiting.message, /401/);
  if (databaseName) assert.equal(psqlOut(`SELECT system_token_box IS NULL FROM tenants WHERE tenant_id = '${installationId}'`), 't', 'the rejected token is forgotten');

  // The next event brings a good token: the backfill resumes where it stopped and finishes.
  const fresh = systemToken();
  assertAccepted(await deliver(event(C), { installationId, systemToken: fresh }), 'event with a fresh token');
  b = await eventually(async () => {
    const s = await backfillStatus(installationId);
    return { done: s.state === 'done', value: s };
  }, 'backfill finished after the fresh token');
  assert.equal(b.seen, total, 'every issue of the site was read once');
  assert.ok(b.indexed >= BACKLOG && b.indexed <= total, `indexed ${b.indexed}: issues already known from events are not counted again`);
  assert.equal(b.waiting, null);
  const pages = [...searchCalls(revokedToken), ...searchCalls(fresh)].filter((c) => c.status === 200);
  const pageTokens = pages.map((c) => new URLSearchParams(c.query).get('nextPageToken') ?? '');
  assert.equal(new Set(pageTokens).size, pageTokens.length, `a page was fetched twice: ${pageTokens}`);
  assert.equal(pages.length, Math.ceil(total / 100));
  console.log(`# second installation: waited (missing, expired, rejected), then backfilled ${b.seen} issues in ${pages.length} pages`);
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

test('negative: a user\'s UI token cannot deliver events', async () => {
  const token = fit({ moduleKey: 'possible-duplicates', principal: USER_ACCOUNT_ID });
  const response = await deliver(issueEvent('avi:jira:created:issue', FORGED), { token });
  assertRejected(response, ['jwt_token_kind'], 'UI FIT (with principal) on POST /api/forge/events');
});

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
      baseUrl: `${forge.url}/connect-jira`,
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
  assert.ok(!site.calls.some((request) => `${request.path}${request.query}`.includes(FORGED.key)), 'Doppel fetched the forged issue from Jira');
  // Every call to Jira carried an app system token the platform issued (the only 401s are the revoked token's).
  const issued = new Set(issuedTokens.map((token) => `Bearer ${token}`));
  assert.ok(site.calls.every((request) => issued.has(request.authorization)), 'a Jira call without an issued system token');
  assert.ok(site.calls.every((request) => request.authOk || request.authorization === `Bearer ${revokedToken}`),
    `Jira rejected calls: ${site.authErrors}`);
});

test('the system tokens never appear in the log or in the database in clear text', () => {
  assert.ok(databaseName, 'needs DOPPEL_TEST_DATABASE_URL (run through CTest / deploy/test.sh)');
  assert.ok(issuedTokens.length >= 5);
  const log = fullLog.join('\n');
  assert.ok(log.includes('forge installation registered'), 'the log was captured');
  const tables = psqlOut("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").split('\n');
  assert.ok(tables.includes('tenants') && tables.includes('inbox') && tables.includes('jobs'), `tables: ${tables}`);
  const dump = tables.map((table) => psqlOut(`SELECT t::text FROM public.${table} t`)).join('\n');
  assert.ok(dump.includes(INSTALLATION_ID), 'the dump holds the tenant rows');
  for (const token of issuedTokens) {
    const signature = token.split('.')[2];
    assert.ok(!log.includes(token) && !log.includes(signature), 'a system token was logged');
    assert.ok(!dump.includes(token) && !dump.includes(signature), 'a system token is stored in clear text');
  }
});

test('SIGTERM drains and exits 0', async () => {
  doppel.proc.kill('SIGTERM');
  const { code, signal } = await doppel.exit;
  assert.equal(signal, null);
  assert.equal(code, 0);
});

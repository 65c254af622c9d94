// Two tenants on one server: tenant A's Jira stalls (20 s answers), then throttles (429, Retry-After: 60). Tenant B's
// webhook acknowledgements and panel reads stay fast and all of B's work is applied meanwhile; A's work is applied
// once A's Jira recovers, and a throttling A is not called again before its Retry-After. Prints measured latencies.
// Needs DOPPEL_BIN and DOPPEL_TEST_DATABASE_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { freshDatabaseUrl, psql, startDoppel } from './lib/doppel.mjs';
import { APP_KEY, FakeJira, doppelEnv, eventually, startInstallKeyServer } from './lib/fake_jira.mjs';

const BASE_URL = 'http://doppel-e2e.test';
const PROPERTY_KEY = `com.atlassian.jira.issue:${APP_KEY}:possible-duplicates:status`;
const STALL_MS = 20_000;
const RETRY_AFTER_S = 60;
// Generous bounds for tenant B (A's stall is 20 s): a request of B must not wait for A's Jira.
const B_WEBHOOK_BOUND_MS = 2_000;
const B_READ_BOUND_MS = 3_000;

const quote = (text) => `'${String(text).replaceAll("'", "''")}'`;
const cleanups = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

let keyServer, databaseUrl, server, target, siteA, siteB;
const sql = (query) => psql(databaseUrl, query);

before(async () => {
  keyServer = await startInstallKeyServer();
  databaseUrl = freshDatabaseUrl('doppel_iso');
  siteA = await new FakeJira({ keyServer }).start();
  siteB = await new FakeJira({ keyServer }).start();
  siteA.loadDataset({ offset: 0, limit: 60 });
  siteB.loadDataset({ offset: 60, limit: 60 });
  server = await startDoppel(doppelEnv({ databaseUrl, keyServer, baseUrl: BASE_URL, extra: { DOPPEL_WORKERS: '2' } }));
  target = { url: server.url, baseUrl: BASE_URL };
  cleanups.push(async () => {
    await server.stop('SIGKILL');
    await siteA.close();
    await siteB.close();
    await keyServer.close();
    psql(process.env.DOPPEL_TEST_DATABASE_URL, `DROP DATABASE IF EXISTS ${new URL(databaseUrl).pathname.slice(1)} WITH (FORCE)`);
  });
  for (const site of [siteA, siteB]) {
    const response = await site.install(target);
    assert.equal(response.status, 204, response.text);
    await eventually(() => sql(`SELECT state FROM backfill_progress WHERE tenant_id = ${quote(site.clientKey)}`) === 'done',
      `backfill of ${site.clientKey}`, { timeoutMs: 60_000 });
  }
});

// A near-copy of one of the site's issues (so its apply stores a likely pair and publishes a badge in Jira).
let copies = 0;
function nearCopy(site) {
  const originals = [...site.issues.values()].filter((issue) => issue.fields.description && issue.fields.summary.split(/\s+/).length >= 5);
  const original = originals[copies % originals.length];
  copies += 1;
  return site.putIssue({
    key: `${original.key.split('-')[0]}-${970000 + copies}`,
    fields: { summary: `${original.fields.summary} (seen again)`, description: original.fields.description, project: original.fields.project },
  });
}

const timed = async (fn) => {
  const t0 = performance.now();
  const response = await fn();
  return { ms: performance.now() - t0, status: response.status, response };
};

// A panel read as a new viewer (an account the permission cache has not seen, so the read asks the site's Jira).
function panelRead(site, key) {
  const token = site.contextToken({ sub: `acct-${crypto.randomBytes(6).toString('hex')}` });
  return timed(() => site.api(target, 'GET', `/api/issues/${key}/similar?limit=5`, { token }));
}

function webhook(site, issue) {
  return timed(() => site.sendWebhook(target, site.webhookBody('created', issue), { timeoutMs: 60_000 }));
}

const percentile = (values, p) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
};
const summary = (values) => `n=${values.length} p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms`;

// While A's Jira is in trouble: A gets webhooks (each a near-copy whose badge needs A's Jira) and panel reads from new
// viewers (each a permission check in A's Jira), B the same every 100 ms for `seconds`. Returns the measurements.
async function mixedLoad(seconds, label) {
  const aIssues = [], bIssues = [], aReads = [], bReads = [], aHooks = [], bHooks = [];
  const pending = [];
  const existingB = [...siteB.issues.values()].slice(0, 20).map((issue) => issue.key);
  const existingA = [...siteA.issues.values()].slice(0, 20).map((issue) => issue.key);
  const t0 = Date.now();
  for (let tick = 0; Date.now() - t0 < seconds * 1000; ++tick) {
    const a = nearCopy(siteA), b = nearCopy(siteB);
    aIssues.push(a);
    bIssues.push(b);
    pending.push(webhook(siteA, a).then((r) => aHooks.push(r)));
    pending.push(webhook(siteB, b).then((r) => bHooks.push(r)));
    pending.push(panelRead(siteA, existingA[tick % existingA.length]).then((r) => aReads.push(r)));
    pending.push(panelRead(siteB, existingB[tick % existingB.length]).then((r) => bReads.push(r)));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await Promise.all(pending);
  const statuses = (list) => JSON.stringify(list.reduce((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {}));
  console.log(`# ${label}: B webhook acks ${summary(bHooks.map((r) => r.ms))} ${statuses(bHooks)}`);
  console.log(`# ${label}: B panel reads ${summary(bReads.map((r) => r.ms))} ${statuses(bReads)}`);
  console.log(`# ${label}: A webhook acks ${summary(aHooks.map((r) => r.ms))} ${statuses(aHooks)}`);
  console.log(`# ${label}: A panel reads ${summary(aReads.map((r) => r.ms))} ${statuses(aReads)}`);
  return { aIssues, bIssues, aReads, bReads, aHooks, bHooks };
}

function assertBFast(load, label) {
  for (const r of load.bHooks) assert.equal(r.status, 204, `${label}: B webhook answered ${r.status}`);
  for (const r of load.bReads) assert.equal(r.status, 200, `${label}: B panel read answered ${r.status} ${r.response.text}`);
  const slowHook = Math.max(...load.bHooks.map((r) => r.ms)), slowRead = Math.max(...load.bReads.map((r) => r.ms));
  assert.ok(slowHook < B_WEBHOOK_BOUND_MS, `${label}: a B webhook took ${slowHook.toFixed(0)} ms`);
  assert.ok(slowRead < B_READ_BOUND_MS, `${label}: a B panel read took ${slowRead.toFixed(0)} ms`);
  // A's acknowledgements never wait for A's Jira either (its events are stored, applied later).
  for (const r of load.aHooks) assert.equal(r.status, 204, `${label}: A webhook answered ${r.status}`);
}

// Every one of B's new issues is indexed and has its badge in B's Jira: B's jobs ran while A's Jira was in trouble.
async function assertBApplied(load, label) {
  const t0 = Date.now();
  for (const issue of load.bIssues)
    await eventually(() => siteB.properties.has(`${issue.key}/${PROPERTY_KEY}`), `${label}: badge on B's ${issue.key}`, { timeoutMs: 30_000 });
  console.log(`# ${label}: all ${load.bIssues.length} of B's badges published ${((Date.now() - t0) / 1000).toFixed(1)} s after the load ended`);
}

async function assertAAppliedAfterRecovery(load, label, timeoutMs) {
  const t0 = Date.now();
  for (const issue of load.aIssues)
    await eventually(() => siteA.properties.has(`${issue.key}/${PROPERTY_KEY}`), `${label}: badge on A's ${issue.key}`, { timeoutMs, intervalMs: 250 });
  const dead = sql(`SELECT count(*) FROM jobs WHERE state = 'dead'`);
  assert.equal(dead, '0', `${label}: dead jobs`);
  console.log(`# ${label}: all ${load.aIssues.length} of A's badges published ${((Date.now() - t0) / 1000).toFixed(1)} s after A recovered`);
}

test("A's Jira stalls for 20 s: B's acknowledgements and panel reads stay fast, A catches up once it answers", async () => {
  siteA.setMode('stall', { stallMs: STALL_MS });
  const load = await mixedLoad(10, 'stall');
  assertBFast(load, 'stall');
  await assertBApplied(load, 'stall');
  // A's panel reads fail (503: the permission check could not be made) within the request budget, never after 20 s.
  const slowestA = Math.max(...load.aReads.map((r) => r.ms));
  assert.ok(slowestA < STALL_MS - 5_000, `an A panel read took ${slowestA.toFixed(0)} ms`);
  assert.ok(load.aReads.every((r) => r.status === 503), JSON.stringify(load.aReads.map((r) => r.status)));
  siteA.setMode('normal');
  await assertAAppliedAfterRecovery(load, 'stall', 120_000);
  assert.equal(siteA.rejectedCalls + siteB.rejectedCalls, 0);
});

test("A's Jira throttles (429, Retry-After: 60): B unaffected, A not called again before the Retry-After, then applied", async () => {
  const callsBefore = siteA.calls.length;
  siteA.setMode('throttle', { retryAfterSeconds: RETRY_AFTER_S });
  const load = await mixedLoad(10, 'throttle');
  assertBFast(load, 'throttle');
  await assertBApplied(load, 'throttle');
  // A's panel reads fail fast (the site asked us to wait): a request thread never sleeps out a Retry-After.
  const slowestA = Math.max(...load.aReads.map((r) => r.ms));
  assert.ok(slowestA < 2_000, `an A panel read took ${slowestA.toFixed(0)} ms`);
  const throttled = siteA.calls.slice(callsBefore).filter((c) => c.status === 429);
  assert.ok(throttled.length >= 1, 'A was called and throttled');
  // After its first 429 the site is not called again until the Retry-After has passed (calls already in flight
  // then, at most a few, may still arrive).
  const firstAt = throttled[0].at;
  const early = siteA.calls.slice(callsBefore).filter((c) => c.at > firstAt + 200 && c.at < firstAt + RETRY_AFTER_S * 1000 - 1000);
  console.log(`# throttle: ${throttled.length} calls to A answered 429; ${early.length} calls to A during its Retry-After`);
  assert.equal(early.length, 0, `calls to A during its Retry-After: ${JSON.stringify(early.map((c) => `${c.method} ${c.path}`))}`);
  siteA.setMode('normal');
  const recovered = Date.now();
  await assertAAppliedAfterRecovery(load, 'throttle', 150_000);
  console.log(`# throttle: A's work applied ${((Date.now() - firstAt) / 1000).toFixed(1)} s after its first 429 (Retry-After ${RETRY_AFTER_S} s), ` +
              `${((Date.now() - recovered) / 1000).toFixed(1)} s after it stopped throttling`);
  assert.equal(siteA.rejectedCalls + siteB.rejectedCalls, 0);
});

// End-to-end: the real binary on port 0: health, descriptor, route table, limits, timeouts, drain, restarts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabaseUrl, psql, rawRequest, startDoppel, statusOf } from './lib/doppel.mjs';

let doppel;
let dbUrl;

before(async () => {
  dbUrl = freshDatabaseUrl();
  doppel = await startDoppel({ DOPPEL_DATABASE_URL: dbUrl, DOPPEL_READ_TIMEOUT_SECONDS: '2' });
});
after(async () => { await doppel?.stop(); });

test('health endpoints, descriptor and metrics', async () => {
  assert.equal((await fetch(`${doppel.url}/livez`)).status, 200);
  const ready = await fetch(`${doppel.url}/readyz`);
  assert.equal(ready.status, 200);
  const descriptor = await (await fetch(`${doppel.url}/atlassian-connect.json`)).json();
  assert.equal(descriptor.baseUrl, `http://localhost:${doppel.port}`);
  assert.equal(descriptor.authentication.type, 'jwt');
  const metrics = await (await fetch(`${doppel.url}/metrics`)).text();
  assert.match(metrics, /doppel_http_requests_total\{route="livez",status="200"\} \d+/);
  assert.match(metrics, /doppel_http_request_duration_seconds_bucket\{route="readyz",le="\+Inf"\} \d+/);
  // The index copies' budget (DOPPEL_INDEX_MEMORY_MB, default 1024 MiB) in full bytes, and their size and traffic.
  assert.match(metrics, /^doppel_index_memory_budget_bytes 1073741824$/m);
  for (const name of ['doppel_index_memory_resident_bytes', 'doppel_index_copies', 'doppel_index_cache_hits_total',
    'doppel_index_cache_loads_total', 'doppel_index_cache_evictions_total'])
    assert.match(metrics, new RegExp(`^${name} \\d+$`, 'm'));
});

test('unknown path is 404, wrong method is 405 with Allow, both JSON errors', async () => {
  const missing = await fetch(`${doppel.url}/no/such/route`);
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { error: 'not_found', message: 'No such route' });
  const wrong = await fetch(`${doppel.url}/livez`, { method: 'DELETE' });
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get('allow'), 'GET');
  assert.equal((await wrong.json()).error, 'method_not_allowed');
});

test('security headers on every answer; no X-Frame-Options', async () => {
  const res = await fetch(`${doppel.url}/livez`);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('x-frame-options'), null);
});

test('oversized header gets 431 and the server keeps serving', async () => {
  const big = 'x'.repeat(9 * 1024);
  const reply = await rawRequest(doppel.port, `GET /livez HTTP/1.1\r\nHost: t\r\nX-Big: ${big}\r\n\r\n`);
  assert.equal(statusOf(reply.data), 431);
  assert.equal((await fetch(`${doppel.url}/livez`)).status, 200);
});

test('oversized body gets 413 and the server keeps serving', async () => {
  const body = 'a'.repeat(8 * 1024 * 1024 + 10); // past the webhook routes' 8 MiB
  const reply = await rawRequest(doppel.port,
    `POST /webhooks/jira HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  assert.equal(statusOf(reply.data), 413);
  assert.match(reply.data, /"error":"payload_too_large"/);
  assert.equal((await fetch(`${doppel.url}/livez`)).status, 200);
});

test('a body on a route without one is refused with 413', async () => {
  const reply = await rawRequest(doppel.port, 'GET /livez HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello');
  assert.equal(statusOf(reply.data), 413);
});

test('a slow client is timed out and cut off without affecting others', async () => {
  const slow = rawRequest(doppel.port, 'GET /livez HTTP/1.1\r\nHost: t\r\n', { timeoutMs: 10_000 });
  assert.equal((await fetch(`${doppel.url}/livez`)).status, 200);
  const reply = await slow;
  assert.ok(reply.closed, 'server closed the slow connection');
  if (reply.data) assert.equal(statusOf(reply.data), 408);
});

test('keep-alive serves several requests on one connection', async () => {
  const req = 'GET /livez HTTP/1.1\r\nHost: t\r\n\r\n';
  const reply = await rawRequest(doppel.port, [req, req, 'GET /livez HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'], { gapMs: 20 });
  assert.equal((reply.data.match(/HTTP\/1\.1 200 OK/g) || []).length, 3);
});

test('embedded PostgreSQL: first start creates it, data survives a restart, SIGTERM stops it cleanly', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'doppel-embedded-'));
  chmodSync(dataDir, 0o755);
  try {
    const first = await startDoppel({ DOPPEL_DATA_DIR: dataDir });
    assert.equal((await fetch(`${first.url}/readyz`)).status, 200);
    const sock = join(dataDir, 'pg-run');
    const url = `postgresql://doppel@/doppel?host=${sock}`;
    psql(url, "INSERT INTO tenants (tenant_id, kind, base_url, state) VALUES ('persist-me', 'connect', 'https://a.atlassian.net', 'installed')");
    assert.equal((await first.stop()).code, 0);
    const pgCtl = '/usr/lib/postgresql/15/bin/pg_ctl';
    const asPg = process.getuid() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
    const status = () => { try { execFileSync(asPg[0] ?? pgCtl, [...asPg.slice(1), ...(asPg.length ? [pgCtl] : []), '-D', join(dataDir, 'pg'), 'status'], { stdio: 'ignore' }); return 0; } catch (e) { return e.status; } };
    assert.equal(status(), 3, 'the embedded cluster is stopped after SIGTERM');
    const second = await startDoppel({ DOPPEL_DATA_DIR: dataDir });
    assert.equal(psql(url, "SELECT count(*) FROM tenants WHERE tenant_id = 'persist-me'"), '1');
    assert.equal((await second.stop()).code, 0);
    assert.ok(existsSync(join(dataDir, 'secret.key')));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('embedded PostgreSQL after a kill -9: the restart adopts the running cluster and a clean stop stops it too', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'doppel-adopt-'));
  chmodSync(dataDir, 0o755);
  const pgCtl = '/usr/lib/postgresql/15/bin/pg_ctl';
  const asPg = process.getuid() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const status = () => { try { execFileSync(asPg[0] ?? pgCtl, [...asPg.slice(1), ...(asPg.length ? [pgCtl] : []), '-D', join(dataDir, 'pg'), 'status'], { stdio: 'ignore' }); return 0; } catch (e) { return e.status; } };
  try {
    const first = await startDoppel({ DOPPEL_DATA_DIR: dataDir });
    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal(status(), 0, 'the killed doppel left its cluster running');
    const second = await startDoppel({ DOPPEL_DATA_DIR: dataDir });
    assert.ok(second.logs.some((l) => l.msg === 'embedded postgres: adopting running cluster'), 'adopted');
    // A second doppel on the same data dir is refused in one line while the first runs.
    const third = await startDoppel({ DOPPEL_DATA_DIR: dataDir }).then(() => null, (e) => e);
    assert.ok(third, 'a second doppel on the same data dir must not start');
    assert.match(third.message, /in use by another running doppel/);
    assert.equal((await second.stop()).code, 0);
    assert.equal(status(), 3, 'the adopted cluster is stopped with the doppel that adopted it');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a data dir the embedded PostgreSQL cannot reach is refused at start in one line naming it', { skip: process.getuid() !== 0 && 'needs root (PostgreSQL runs as postgres)' }, async () => {
  const parent = mkdtempSync(join(tmpdir(), 'doppel-closed-'));
  chmodSync(parent, 0o700);  // root only: postgres cannot enter anything below it
  const dataDir = join(parent, 'data');
  try {
    const err = await startDoppel({ DOPPEL_DATA_DIR: dataDir }, { timeoutMs: 20_000 }).then(() => null, (e) => e);
    assert.ok(err, 'doppel must not start');
    assert.match(err.message, new RegExp(`DOPPEL_DATA_DIR ${dataDir}: the embedded PostgreSQL runs as 'postgres' and .*cannot enter it`));
    assert.doesNotMatch(err.message, /initdb failed/);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

// Shared by the permission and privacy e2e tests (Connect and Forge): a Connect site with Doppel installed, the roles
// and test issues on a fake site, and the checks of the review queue, CSV export and dashboard summary against an
// oracle built from Doppel's stored pairs and the fake Jira's own permission rule (FakeJira.mayOnIssue), never from
// Doppel's answers.
import assert from 'node:assert/strict';
import { freshDatabaseUrl, psql, startDoppel } from './doppel.mjs';
import { FakeJira, doppelEnv, eventually, signJwt, startInstallKeyServer } from './fake_jira.mjs';

// A Connect site with Doppel installed: the install-key server, a FakeJira holding the first `datasetLimit` issues of
// the shared dataset plus what `prepare(site)` adds, `doppel serve` on a fresh database (`env`: extra settings), the
// signed install and a finished backfill. Each part is kept as it starts, so that close() ends whatever started.
export class InstalledConnectSite {
  async start({ databasePrefix, datasetLimit, prepare, env = {} }) {
    this.keyServer = await startInstallKeyServer();
    this.site = await new FakeJira({ keyServer: this.keyServer }).start();
    this.site.loadDataset({ offset: 0, limit: datasetLimit });
    prepare(this.site);
    this.databaseUrl = freshDatabaseUrl(databasePrefix);
    this.doppel = await startDoppel(doppelEnv({ databaseUrl: this.databaseUrl, keyServer: this.keyServer, extra: env }));
    this.target = { url: this.doppel.url, baseUrl: 'http://doppel-e2e.test' };
    const installed = await this.site.install(this.target);
    assert.equal(installed.status, 204, installed.text);
    await eventually(() => this.sql(`SELECT state FROM backfill_progress WHERE tenant_id = '${this.site.clientKey}'`) === 'done',
      'backfill done', { timeoutMs: 90_000 });
    return this;
  }

  // A query on Doppel's database.
  sql(query) {
    return psql(this.databaseUrl, query);
  }

  // Who calls: a context token for account `sub`.
  as(sub) {
    return { token: this.site.contextToken({ sub }) };
  }

  // A context token without `sub`, correctly signed for the site.
  anonymousToken() {
    const iat = Math.floor(Date.now() / 1000);
    return signJwt({ alg: 'HS256' }, { iss: this.site.clientKey, iat, exp: iat + 180, qsh: 'context-qsh' }, this.site.sharedSecret);
  }

  async close() {
    await this.doppel?.stop('SIGKILL');
    await this.site?.close();
    await this.keyServer?.close();
    if (this.databaseUrl) psql(process.env.DOPPEL_TEST_DATABASE_URL, `DROP DATABASE IF EXISTS ${new URL(this.databaseUrl).pathname.slice(1)} WITH (FORCE)`);
  }
}

// Puts the test issues on the site (with their security level where given) and the role table: the admin browses
// and links everywhere and sees the staff level; the developer browses and links in `open` only; the viewer only
// browses there; the stranger (not listed) may do nothing.
export function restrictSite(site, { issues, open, staffLevel, accounts }) {
  for (const issue of issues) {
    site.putIssue({ id: issue.id, key: issue.key, fields: { summary: issue.summary } });
    if (issue.security) site.setSecurity(issue.key, issue.security, 'Staff only');
  }
  site.setPermissions({
    users: {
      [accounts.admin]: { browse: '*', link: '*', levels: [staffLevel], admin: true },
      [accounts.developer]: { browse: [open], link: [open], levels: [] },
      [accounts.viewer]: { browse: [open], link: [], levels: [] },
    },
  });
}

// The rows of an RFC 4180 CSV text (quoted cells may hold commas, quotes and line breaks).
export function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; }
    else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else cell += ch;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

// What the account may see per the site: the stored pairs (both issues live) whose two issues it may browse, and
// the live indexed issues it may browse. `sql(query)` runs on Doppel's database (one tenant).
export function expectedFor(site, sql, accountId) {
  const may = (key) => {
    const issue = site.issues.get(key);
    return Boolean(issue) && site.mayOnIssue(accountId, 'BROWSE_PROJECTS', site.served(issue));
  };
  const rows = sql(`SELECT i.issue_key || ',' || c.issue_key || ',' || p.status || ',' || i.project_key FROM pairs p
    JOIN index_documents i ON i.tenant_id = p.tenant_id AND i.issue_id = p.issue_id AND i.deleted_ms IS NULL
    JOIN index_documents c ON c.tenant_id = p.tenant_id AND c.issue_id = p.candidate_id AND c.deleted_ms IS NULL`);
  const pairs = rows ? rows.split('\n').map((line) => line.split(',')) : [];
  const visible = pairs.filter(([issue, candidate]) => may(issue) && may(candidate));
  const byStatus = { pending: 0, confirmed: 0, dismissed: 0 };
  const byProject = {};
  for (const [, , status, project] of visible) {
    byStatus[status] += 1;
    byProject[project] = (byProject[project] ?? 0) + 1;
  }
  const issues = sql('SELECT issue_key FROM index_documents WHERE deleted_ms IS NULL').split('\n').filter((k) => k && may(k));
  return { pairs: visible.map(([issue, candidate]) => `${issue}>${candidate}`).sort(), byStatus, byProject, issues: issues.length };
}

// The queue (every page), the CSV and the summary as `who`; `get(path, who)` answers {status, json, text}.
// Returns the first non-200 answer's status and error code instead when there is one.
export async function readDashboard(get, who) {
  const queue = [];
  let total;
  for (let page = 1; ; page++) {
    const r = await get(`/api/pairs?status=&pageSize=100&page=${page}`, who);
    if (r.status !== 200) return { status: r.status, error: r.json?.error, route: 'pairs' };
    total = r.json.total;
    queue.push(...r.json.items.map((it) => `${it.issue.key}>${it.candidate.key}`));
    if (r.json.items.length < 100) break;
  }
  const csv = await get('/api/pairs.csv?status=', who);
  if (csv.status !== 200) return { status: csv.status, error: csv.json?.error, route: 'csv' };
  const [header, ...rows] = parseCsv(csv.text);
  assert.deepEqual(header.slice(0, 5), ['issue_key', 'issue_summary', 'issue_project', 'issue_status', 'candidate_key']);
  const summary = await get('/api/dashboard/summary', who);
  if (summary.status !== 200) return { status: summary.status, error: summary.json?.error, route: 'summary' };
  return {
    status: 200, queue: queue.sort(), total, csv: rows.map((r) => `${r[0]}>${r[4]}`).sort(),
    summary: summary.json, texts: [csv.text, JSON.stringify(summary.json)],
  };
}

// Resolves once Doppel's workers have nothing due (panel views and pair actions store pairs in background jobs).
export function settled(sql) {
  return eventually(() => sql("SELECT count(*) FROM jobs WHERE state = 'running' OR (state = 'queued' AND run_at <= now())") === '0',
    'the job queue drained', { timeoutMs: 30_000 });
}

// Asserts that the queue, the CSV and every number of the summary equal what the account may see; returns the
// expectation (for positive controls).
export async function assertDashboardFor(get, site, sql, accountId, who, label) {
  await settled(sql);
  const expected = expectedFor(site, sql, accountId);
  const seen = await readDashboard(get, who);
  assert.equal(seen.status, 200, `${label}: ${seen.route} answered ${seen.status} ${seen.error}`);
  assert.deepEqual(seen.queue, expected.pairs, `${label}: review queue`);
  assert.equal(seen.total, expected.pairs.length, `${label}: queue total`);
  assert.deepEqual(seen.csv, expected.pairs, `${label}: CSV rows`);
  const head = seen.summary.headline;
  assert.deepEqual({ pending: head.pending, confirmed: head.confirmed, dismissed: head.dismissed }, expected.byStatus,
    `${label}: headline counts`);
  assert.equal(head.issues, expected.issues, `${label}: issues count`);
  const byProject = Object.fromEntries(seen.summary.byProject.map((p) => [p.project, p.found]));
  assert.deepEqual(byProject, expected.byProject, `${label}: per-project chart`);
  const found = seen.summary.series.reduce((n, d) => n + d.found, 0);
  assert.equal(found, expected.pairs.length, `${label}: daily series (every pair was found within 90 days)`);
  assert.equal(seen.summary.partial, false, `${label}: every secured issue was checked`);
  return { ...expected, texts: seen.texts };
}

// Polls until the account's queue is empty (after a revocation); returns the seconds it took. Fails past 75 s.
export async function secondsUntilQueueEmpty(get, who) {
  const started = Date.now();
  while (Date.now() - started < 75_000) {
    const r = await get('/api/pairs?status=&pageSize=1', who);
    if (r.status === 200 && r.json.total === 0) return (Date.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error('the revoked account still sees pairs after 75 s');
}

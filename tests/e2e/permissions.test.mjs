// End-to-end: each user sees and changes only what Jira lets them (issue #16), Connect over a fake Jira with a
// permission table behind POST /rest/api/3/permissions/check: an admin, a developer, a viewer without Link Issues,
// a stranger and an anonymous token against the panel (issue and draft, context claims, not-yet-indexed issues),
// the pair actions, the review queue, its CSV and the dashboard summary; positive controls (the filter does not just
// hide everything); a developer who loses access mid-test. Needs DOPPEL_BIN and DOPPEL_TEST_DATABASE_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from './lib/fake_jira.mjs';
import { InstalledConnectSite, assertDashboardFor, readDashboard, restrictSite, secondsUntilQueueEmpty } from './lib/permission_roles.mjs';

const ADMIN = '5b10ac8d82e05b22cc7d4e01';
const DEV = '5b10ac8d82e05b22cc7d4e02';
const VIEWER = '5b10ac8d82e05b22cc7d4e03'; // may browse OPEN, may not link
const STRANGER = '5b10ac8d82e05b22cc7d4e04';
const STAFF_ONLY = '10050';

// Near-identical summaries so every one is a strong candidate for the others; filler issues give the words weight.
const TEXT = 'Payroll export crashes with quantum flux capacitor overflow on the nightly ledger batch';
const ISSUES = [
  { key: 'OPEN-1', id: 31001, summary: TEXT },
  { key: 'OPEN-2', id: 31002, summary: `${TEXT} again` },
  { key: 'OPEN-3', id: 31003, summary: `${TEXT} for staff`, security: STAFF_ONLY },
  { key: 'HR-1', id: 31004, summary: `${TEXT} in HR` },
];

const connect = new InstalledConnectSite();
let site;
let target;

const sql = (query) => connect.sql(query);
const as = (sub) => connect.as(sub);
const anonymous = () => ({ token: connect.anonymousToken() });
const similar = (key, who) => site.api(target, 'GET', `/api/issues/${key}/similar?limit=10`, who);
const draft = (who) => site.api(target, 'POST', '/api/similar', { ...who, body: { summary: TEXT, description: '', projectKey: 'OPEN', issueType: 'Bug' } });
const pair = (action, a, b, who) => site.api(target, 'POST', `/api/pairs/${a}/${b}/${action}`, who);
// Candidate keys among this test's issues (the filler issues of the dataset may show up for the admin).
const keysOf = (response) => (response.json?.candidates ?? []).map((c) => c.key).filter((k) => ISSUES.some((i) => i.key === k)).sort();
const get = (path, who) => site.api(target, 'GET', path, who);
const pairsRow = () => sql(`SELECT string_agg(issue_id || '>' || candidate_id || ':' || status, ',' ORDER BY issue_id, candidate_id) FROM pairs`);

before(async () => {
  assert.ok(process.env.DOPPEL_BIN, 'DOPPEL_BIN must name the built doppel binary');
  ({ site, target } = await connect.start({
    databasePrefix: 'doppel_perm',
    datasetLimit: 60,
    prepare: (fake) => restrictSite(fake, { issues: ISSUES, open: 'OPEN', staffLevel: STAFF_ONLY, accounts: { admin: ADMIN, developer: DEV, viewer: VIEWER } }),
  }));
  assert.equal(sql(`SELECT security_level_id FROM index_documents WHERE issue_key = 'OPEN-3'`), STAFF_ONLY,
    'the secured issue\'s level is stored from the REST payload');
  assert.equal(sql(`SELECT project_id FROM index_documents WHERE issue_key = 'HR-1'`), site.projectId('HR'));
});

after(() => connect.close());

test('panel: the admin sees every candidate (positive control), the developer only what Jira lets them browse', async () => {
  const admin = await similar('OPEN-1', as(ADMIN));
  assert.equal(admin.status, 200, admin.text);
  assert.deepEqual(keysOf(admin), ['HR-1', 'OPEN-2', 'OPEN-3'], 'the admin sees the restricted project and the secured issue');
  for (const who of [DEV, VIEWER]) {
    const response = await similar('OPEN-1', as(who));
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(keysOf(response), ['OPEN-2'], `${who}: no restricted-project or staff-only candidate`);
    assert.ok(!response.text.includes('in HR') && !response.text.includes('for staff'), 'no restricted summary in the answer');
  }
  const checks = site.permissionChecks.filter((b) => b.accountId === DEV);
  assert.ok(checks.length > 0, 'the developer\'s permissions were asked of Jira with their account id');
  assert.ok(site.permissionChecks.every((b) => typeof b.accountId === 'string' && b.accountId), 'every check names an account');
});

test('panel: an issue the viewer may not browse answers 404 like an unknown one; no sub is 401', async () => {
  const unknown = await similar('OPEN-999', as(DEV));
  assert.equal(unknown.status, 404, unknown.text);
  for (const key of ['HR-1', 'OPEN-3']) {
    const hidden = await similar(key, as(DEV));
    assert.equal(hidden.status, 404, `${key}: ${hidden.text}`);
    assert.equal(hidden.json?.error, unknown.json?.error, 'same error as an unknown issue');
  }
  const admin = await similar('HR-1', as(ADMIN));
  assert.equal(admin.status, 200, 'positive control: the admin may open the HR issue\'s panel');
  const stranger = await similar('OPEN-1', as(STRANGER));
  assert.equal(stranger.status, 404, stranger.text);
  const anon = await similar('OPEN-1', anonymous());
  assert.equal(anon.status, 401, anon.text);
});

test('draft panel: filtered for the viewer too', async () => {
  const admin = await draft(as(ADMIN));
  assert.equal(admin.status, 200, admin.text);
  assert.ok(keysOf(admin).includes('HR-1') && keysOf(admin).includes('OPEN-3'), `admin: ${keysOf(admin)}`);
  const dev = await draft(as(DEV));
  assert.equal(dev.status, 200, dev.text);
  assert.deepEqual(keysOf(dev), ['OPEN-1', 'OPEN-2']);
  assert.equal((await draft(as(STRANGER))).json?.candidates?.length, 0);
  assert.equal((await draft(anonymous())).status, 401);
});

test('pair actions: refused with 403 and nothing changed unless the viewer may browse (and link) both issues', async () => {
  const before = { pairs: pairsRow(), links: site.links.length };
  const refusals = [
    ['link', 'OPEN-1', 'OPEN-2', VIEWER, 'link_forbidden'],
    ['link', 'OPEN-1', 'HR-1', DEV, 'issue_forbidden'],
    ['dismiss', 'OPEN-1', 'HR-1', DEV, 'issue_forbidden'],
    ['dismiss', 'OPEN-1', 'OPEN-3', DEV, 'issue_forbidden'],
    ['restore', 'OPEN-1', 'OPEN-2', STRANGER, 'issue_forbidden'],
  ];
  for (const [action, a, b, who, code] of refusals) {
    const response = await pair(action, a, b, as(who));
    assert.equal(response.status, 403, `${action} ${a}/${b} as ${who}: ${response.text}`);
    assert.equal(response.json?.error, code);
  }
  const anon = await pair('dismiss', 'OPEN-1', 'OPEN-2', anonymous());
  assert.equal(anon.status, 401, anon.text);
  assert.equal(pairsRow(), before.pairs, 'a refused action changed a pair');
  assert.equal(site.links.length, before.links, 'a refused link reached Jira');

  // Positive controls: the viewer may dismiss and restore what it sees; the developer may link in OPEN.
  assert.equal((await pair('dismiss', 'OPEN-1', 'OPEN-2', as(VIEWER))).status, 200);
  assert.equal((await pair('restore', 'OPEN-1', 'OPEN-2', as(VIEWER))).status, 200);
  const linked = await pair('link', 'OPEN-2', 'OPEN-1', as(DEV));
  assert.equal(linked.status, 200, linked.text);
  assert.equal(site.links.length, before.links + 1);
  const adminLink = await pair('link', 'OPEN-1', 'HR-1', as(ADMIN));
  assert.equal(adminLink.status, 200, adminLink.text);
});

test('review queue, CSV and summary: each viewer gets exactly the pairs and counts of what Jira lets them browse', async () => {
  // The staff-only pair is stored (the admin dismisses it), so the admin's queue holds a secured issue.
  assert.equal((await pair('dismiss', 'OPEN-3', 'OPEN-1', as(ADMIN))).status, 200);
  const admin = await assertDashboardFor(get, site, sql, ADMIN, as(ADMIN), 'admin');
  assert.ok(admin.pairs.some((p) => p.includes('HR-1')) && admin.pairs.some((p) => p.includes('OPEN-3')),
    `positive control: the admin's queue holds the restricted and the staff-only pairs: ${admin.pairs}`);
  for (const [who, label] of [[DEV, 'developer'], [VIEWER, 'viewer']]) {
    const seen = await assertDashboardFor(get, site, sql, who, as(who), label);
    assert.ok(seen.pairs.includes('OPEN-2>OPEN-1') && seen.byStatus.pending + seen.byStatus.confirmed > 0,
      `positive control: the ${label} sees the open project's pairs: ${seen.pairs}`);
    assert.ok(seen.pairs.length < admin.pairs.length, `${label}: fewer pairs than the admin`);
    assert.ok(seen.texts.every((t) => !t.includes('in HR') && !t.includes('for staff')), `${label}: no restricted summary`);
  }
  const stranger = await assertDashboardFor(get, site, sql, STRANGER, as(STRANGER), 'stranger');
  assert.equal(stranger.pairs.length, 0);
  assert.equal(stranger.issues, 0);
  for (const path of ['/api/pairs', '/api/pairs.csv', '/api/dashboard/summary', '/api/status']) {
    const anon = await get(path, anonymous());
    assert.equal(anon.status, 401, `${path}: ${anon.text}`);
    assert.equal(anon.json?.error, 'anonymous_viewer');
  }
  assert.equal((await get('/api/status', as(STRANGER))).status, 200, '/api/status: tenant-wide counts, no issue content');
});

test('review queue, CSV and summary: a failed permission check shows nothing (503), never everything', async () => {
  site.faults.permissionCheckStatus = 500;
  try {
    for (const who of [ADMIN, DEV]) {
      const seen = await readDashboard(get, as(who));
      assert.equal(seen.status, 503, `${who}: ${JSON.stringify(seen)}`);
      assert.equal(seen.error, 'permission_check_failed');
    }
    const csv = await get('/api/pairs.csv', as(STRANGER));
    assert.equal(csv.status, 503, csv.text);
    assert.ok(!csv.text.includes('OPEN-'), 'no CSV rows');
  } finally {
    site.faults.permissionCheckStatus = 0;
  }
  assert.equal((await get('/api/pairs', as(DEV))).status, 200, 'answers again once Jira does');
});

test('panel: a context token naming its issue serves that issue only; tokens without context claims still work', async () => {
  const named = (sub, key, id) => ({ token: site.contextToken({ sub, extra: { context: { jira: { issue: { key, id: String(id) }, project: { key: 'OPEN' } } } } }) });
  const same = await similar('OPEN-1', named(DEV, 'OPEN-1', 31001));
  assert.equal(same.status, 200, same.text);
  const other = await similar('OPEN-2', named(DEV, 'OPEN-1', 31001));
  assert.equal(other.status, 403, other.text);
  assert.equal(other.json?.error, 'context_issue_mismatch');
  const adminOther = await similar('HR-1', named(ADMIN, 'OPEN-1', 31001));
  assert.equal(adminOther.status, 403, 'the match applies to every viewer');
  const byId = { token: site.contextToken({ sub: DEV, extra: { context: { jira: { issue: { id: '31002' } } } } }) };
  assert.equal((await similar('OPEN-2', byId)).status, 200, 'a claim with only the id matches that issue');
  assert.equal((await similar('OPEN-1', byId)).status, 403);
  assert.equal((await similar('OPEN-2', as(DEV))).status, 200, 'no context claim: served as before');
});

test('panel: a not-yet-indexed issue is fetched from Jira only for a viewer who may browse its project', async () => {
  site.putIssue({ id: 31050, key: 'NEW-1', fields: { summary: TEXT } });  // a project Doppel has never seen
  site.putIssue({ id: 31051, key: 'OPEN-51', fields: { summary: TEXT } });
  const fetches = (key) => site.calls.filter((c) => c.method === 'GET' && c.path === `/rest/api/3/issue/${key}`).length;
  const hidden = await similar('NEW-1', as(DEV));
  assert.equal(hidden.status, 404, hidden.text);
  assert.equal(fetches('NEW-1'), 0, 'nothing of the issue was fetched for a viewer who may not browse its project');
  assert.ok(site.calls.some((c) => c.method === 'GET' && c.path === '/rest/api/3/project/NEW'), 'the project id came from Jira\'s metadata');
  assert.equal((await similar('NEW-1', as(STRANGER))).status, 404);
  assert.equal(fetches('NEW-1'), 0);
  const admin = await similar('NEW-1', as(ADMIN));
  assert.equal(admin.status, 200, `positive control: the admin gets the new issue's panel: ${admin.text}`);
  assert.equal(fetches('NEW-1'), 1);
  const dev = await similar('OPEN-51', as(DEV));
  assert.equal(dev.status, 200, `the developer gets a new issue of the open project: ${dev.text}`);
  assert.equal(fetches('OPEN-51'), 1);
  assert.ok(!site.calls.some((c) => c.path === '/rest/api/3/project/OPEN'), 'the open project\'s id came from the index');
});

test('a developer who loses access: writes refused at once; the panel and the dashboard hide everything within 60 s', async () => {
  assert.equal((await similar('OPEN-1', as(DEV))).status, 200);
  assert.ok((await get('/api/pairs', as(DEV))).json?.total > 0, 'positive control: the developer sees pairs before');
  site.revokeAccess(DEV);
  const dismissed = await pair('dismiss', 'OPEN-1', 'OPEN-2', as(DEV));
  assert.equal(dismissed.status, 403, 'a write after the revocation is refused on the next request');
  const started = Date.now();
  const [, queueSeconds] = await Promise.all([
    eventually(async () => (await similar('OPEN-1', as(DEV))).status === 404, 'the revoked panel answers 404',
      { timeoutMs: 75_000, intervalMs: 1000 }),
    secondsUntilQueueEmpty(get, as(DEV)),
  ]);
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds <= 62 && queueSeconds <= 62, `revocation took ${seconds.toFixed(1)} s to show`);
  console.log(`# revocation visible in the panel and the queue after ${seconds.toFixed(1)} s (queue ${queueSeconds.toFixed(1)} s; cache limit 60 s)`);
  await assertDashboardFor(get, site, sql, DEV, as(DEV), 'revoked developer');
  assert.equal((await similar('OPEN-1', as(ADMIN))).status, 200, 'positive control: the admin is unaffected');
  assert.ok((await get('/api/pairs', as(ADMIN))).json?.total > 0, 'positive control: the admin\'s queue is unaffected');
});

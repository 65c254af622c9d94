// End-to-end: the viewer's Jira permissions over Forge UI calls (issue #16): a fake Forge platform (own RSA keys and
// JWKS) and a fake Jira behind apiBaseUrl with a permission table; Custom UI calls carry a FIT whose `principal` is
// the viewer plus the app system token. Admin, developer, viewer without Link Issues, stranger, and a FIT without
// a principal, against the panel, the pair actions, the review queue, its CSV and the dashboard summary; positive
// controls; a developer who loses access. Needs DOPPEL_BIN and DOPPEL_TEST_DATABASE_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { psql } from './lib/doppel.mjs';
import { loadDataset } from './lib/fake_jira.mjs';
import { ForgeSite, forgeCall } from './lib/forge_site.mjs';
import { assertDashboardFor, restrictSite, secondsUntilQueueEmpty } from './lib/permission_roles.mjs';

const ADMIN = '5b10ac8d82e05b22cc7d4f01';
const DEV = '5b10ac8d82e05b22cc7d4f02';
const VIEWER = '5b10ac8d82e05b22cc7d4f03';
const STRANGER = '5b10ac8d82e05b22cc7d4f04';
const STAFF_ONLY = '10060';
const TEXT = 'Warehouse scanner firmware freezes when the pallet barcode has a checksum of zero';
const ISSUES = [
  { key: 'OPS-1', id: 41001, summary: TEXT },
  { key: 'OPS-2', id: 41002, summary: `${TEXT} again` },
  { key: 'OPS-3', id: 41003, summary: `${TEXT} for staff`, security: STAFF_ONLY },
  { key: 'SEC-1', id: 41004, summary: `${TEXT} in security` },
];

const forge = new ForgeSite({ siteUrl: 'https://perm-e2e.atlassian.net' });
const { site } = forge;

// A Custom UI call (invokeRemote) as `principal` (undefined: a FIT without one), with an app system token.
const ui = (method, path, principal, body) => forgeCall(forge.doppel, method, path,
  { token: forge.fit({ moduleKey: 'possible-duplicates', principal }), body, headers: { 'x-forge-oauth-system': forge.systemToken() } });
const similar = (key, who) => ui('GET', `/api/issues/${key}/similar?limit=10`, who);
const pair = (action, a, b, who) => ui('POST', `/api/pairs/${a}/${b}/${action}`, who);
const get = (path, who) => ui('GET', path, who);
const sql = (query) => psql(forge.databaseUrl, query);
const keysOf = (response) => (response.json?.candidates ?? []).map((c) => c.key).filter((k) => ISSUES.some((i) => i.key === k)).sort();

before(async () => {
  assert.ok(process.env.DOPPEL_BIN, 'DOPPEL_BIN must name the built doppel binary');
  await forge.start();
  site.loadIssues(loadDataset({ limit: 60 }));
  restrictSite(site, { issues: ISSUES, open: 'OPS', staffLevel: STAFF_ONLY, accounts: { admin: ADMIN, developer: DEV, viewer: VIEWER } });
  await forge.startDoppel('doppel_perm_forge');
  const installed = await forge.deliver(forge.doppel, forge.lifecycleEvent('avi:forge:installed:app', ADMIN));
  assert.ok(installed.status >= 200 && installed.status < 300, installed.text);
  await forge.backfillDone();
});

after(() => forge.close());

test('forge panel: admin sees all (positive control), developer and viewer only what they may browse, others nothing', async () => {
  const admin = await similar('OPS-1', ADMIN);
  assert.equal(admin.status, 200, admin.text);
  assert.deepEqual(keysOf(admin), ['OPS-2', 'OPS-3', 'SEC-1']);
  for (const who of [DEV, VIEWER]) {
    const response = await similar('OPS-1', who);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(keysOf(response), ['OPS-2'], who);
  }
  for (const key of ['SEC-1', 'OPS-3']) assert.equal((await similar(key, DEV)).status, 404, key);
  assert.equal((await similar('OPS-1', STRANGER)).status, 404);
  assert.equal((await similar('OPS-1', undefined)).status, 401, 'a FIT without a principal is anonymous');
  const checks = site.permissionChecks.filter((b) => b.accountId === DEV);
  assert.ok(checks.length > 0, 'the check names the FIT principal');
  const checkCalls = site.calls.filter((c) => c.path === '/rest/api/3/permissions/check');
  assert.ok(checkCalls.length > 0 && checkCalls.every((c) => c.authOk && c.authorization.startsWith('Bearer ')),
    'permission checks made with an app system token the site issued');
});

test('forge review queue, CSV and summary: each viewer gets exactly what Jira lets them browse', async () => {
  assert.equal((await pair('dismiss', 'OPS-3', 'OPS-1', ADMIN)).status, 200, 'the staff-only pair is stored');
  const admin = await assertDashboardFor(get, site, sql, ADMIN, ADMIN, 'admin');
  assert.ok(admin.pairs.some((p) => p.includes('SEC-1')) && admin.pairs.some((p) => p.includes('OPS-3')),
    `positive control: the admin sees the restricted and the staff-only pairs: ${admin.pairs}`);
  for (const [who, label] of [[DEV, 'developer'], [VIEWER, 'viewer']]) {
    const seen = await assertDashboardFor(get, site, sql, who, who, label);
    assert.ok(seen.pairs.includes('OPS-2>OPS-1'), `positive control: the ${label} sees the open project's pairs: ${seen.pairs}`);
    assert.ok(seen.pairs.length < admin.pairs.length);
    assert.ok(seen.texts.every((t) => !t.includes('in security') && !t.includes('for staff')), `${label}: no restricted summary`);
  }
  assert.equal((await assertDashboardFor(get, site, sql, STRANGER, STRANGER, 'stranger')).pairs.length, 0);
  for (const path of ['/api/pairs', '/api/pairs.csv', '/api/dashboard/summary', '/api/status']) {
    const anon = await get(path, undefined);
    assert.equal(anon.status, 401, `${path}: a FIT without a principal is anonymous: ${anon.text}`);
  }
});

test('forge draft panel and pair actions: filtered and refused like Connect; a revoked developer is refused at once', async () => {
  const draft = (who) => ui('POST', '/api/similar', who, { summary: TEXT, description: '', projectKey: 'OPS', issueType: 'Bug' });
  assert.ok(keysOf(await draft(ADMIN)).includes('SEC-1'), 'positive control: the admin\'s draft hints include SEC-1');
  assert.deepEqual(keysOf(await draft(DEV)), ['OPS-1', 'OPS-2']);
  const links = site.links.length;
  const noLink = await pair('link', 'OPS-1', 'OPS-2', VIEWER);
  assert.equal(noLink.status, 403, noLink.text);
  assert.equal(noLink.json?.error, 'link_forbidden');
  const hidden = await pair('dismiss', 'OPS-1', 'SEC-1', DEV);
  assert.equal(hidden.status, 403, hidden.text);
  assert.equal(hidden.json?.error, 'issue_forbidden');
  assert.equal(site.links.length, links, 'a refused link reached Jira');
  const linked = await pair('link', 'OPS-2', 'OPS-1', DEV);
  assert.equal(linked.status, 200, linked.text);
  assert.equal(site.links.length, links + 1);
  assert.ok((await get('/api/pairs', DEV)).json?.total > 0, 'positive control: the developer sees pairs before');
  site.revokeAccess(DEV);
  const revoked = await pair('dismiss', 'OPS-1', 'OPS-2', DEV);
  assert.equal(revoked.status, 403, revoked.text);
  assert.equal((await pair('dismiss', 'OPS-1', 'OPS-2', VIEWER)).status, 200, 'positive control: the viewer still may');
  const seconds = await secondsUntilQueueEmpty(get, DEV);
  assert.ok(seconds <= 62, `revocation took ${seconds.toFixed(1)} s to show in the queue`);
  console.log(`# forge: revocation visible in the review queue after ${seconds.toFixed(1)} s (cache limit 60 s)`);
  await assertDashboardFor(get, site, sql, DEV, DEV, 'revoked developer');
  assert.ok((await get('/api/pairs', VIEWER)).json?.total > 0, 'positive control: the viewer still sees the open project');
});

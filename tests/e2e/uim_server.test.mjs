// End-to-end: the server side of the create-dialog hints (issue #18). A fake Forge platform (own RSA keys, JWKS)
// and a fake Jira behind apiBaseUrl with the UI modifications (apps) REST API (lib/fake_uim.mjs, which checks the
// documented bodies and limits and records every call): the install creates Doppel's UI modification (one GIC
// context per issue type for all projects), an admin scope change replaces its contexts, a retry never duplicates
// (redelivered install, a stray copy, an entity deleted by hand), an install without a token waits until the first
// token arrives, the pre-uninstall call deletes it; the admin
// stats say whether hints are active; a user's draft call (the create dialog's invokeRemote) returns only issues
// that user may browse. Needs DOPPEL_BIN and DOPPEL_TEST_DATABASE_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { psql } from './lib/doppel.mjs';
import { FakeJira, eventually, loadDataset } from './lib/fake_jira.mjs';
import { FakeUiModifications, UIM_PATH } from './lib/fake_uim.mjs';
import { ForgeSite, forgeCall } from './lib/forge_site.mjs';

const ADMIN = '5b10ac8d82e05b22cc7d4e01';
const DEV = '5b10ac8d82e05b22cc7d4e02';
const STRANGER = '5b10ac8d82e05b22cc7d4e03';
const NAME = 'Doppel duplicate hints';
const TEXT = 'Label printer driver drops the last line when the shipping label has a barcode footer';
const ISSUES = [
  { key: 'OPS-1', id: 51001, summary: TEXT },
  { key: 'OPS-2', id: 51002, summary: `${TEXT} again` },
  { key: 'SEC-1', id: 51003, summary: `${TEXT} in security` },
];

const forge = new ForgeSite({ siteUrl: 'https://uim-e2e.atlassian.net', uiModuleType: 'jira:uiModifications' });
const { site, appId: APP_ID, cloudId: CLOUD_ID, installationId: INSTALLATION_ID } = forge;
let uim; // FakeUiModifications on the site, made once the site's project ids are known

const call = (method, path, options) => forgeCall(forge.doppel, method, path, options);
const fit = (options) => forge.fit(options);
const systemToken = (options) => forge.systemToken(options);
const sql = (query) => psql(forge.databaseUrl, query);
// A Custom UI call (invokeRemote) from `moduleKey` as `principal`, with an app system token.
const ui = (method, path, principal, body, moduleKey = 'doppel-admin') =>
  call(method, path, { token: fit({ moduleKey, principal }), body, headers: { 'x-forge-oauth-system': systemToken() } });
const lifecycle = (eventType) => forge.deliver(forge.doppel, forge.lifecycleEvent(eventType, ADMIN));
const hints = async () => (await ui('GET', '/api/admin/stats', ADMIN)).json?.createDialogHints;
const issueTypeContexts = () => site.issueTypes.map((t) => ({ projectId: null, issueTypeId: t.id, viewType: 'GIC' }));
const contextsOf = (entity) => entity.contexts.map(({ projectId, issueTypeId, viewType }) => ({ projectId, issueTypeId, viewType }))
  .sort((a, b) => `${a.projectId}/${a.issueTypeId}`.localeCompare(`${b.projectId}/${b.issueTypeId}`));
const sorted = (contexts) => [...contexts].sort((a, b) => `${a.projectId}/${a.issueTypeId}`.localeCompare(`${b.projectId}/${b.issueTypeId}`));
const storedEntityId = () => sql(`SELECT COALESCE(entity_id, '') FROM ui_modifications WHERE tenant_id = '${INSTALLATION_ID}'`);
// The sync runs as a job: wait until the listing Doppel makes first has happened `n` times in all.
const listings = () => uim.callsOf('GET').length;
const syncJobsDone = () => sql(`SELECT count(*) FROM jobs WHERE tenant_id = '${INSTALLATION_ID}' AND kind = 'sync_ui_modification' AND state = 'running'`) === '0';

before(async () => {
  assert.ok(process.env.DOPPEL_BIN, 'DOPPEL_BIN must name the built doppel binary');
  await forge.start();
  site.loadIssues(loadDataset({ limit: 40 })); // a realistic index for the draft search
  for (const issue of ISSUES) site.putIssue({ id: issue.id, key: issue.key, fields: { summary: issue.summary } });
  site.setPermissions({
    users: {
      [ADMIN]: { browse: '*', link: '*', levels: [], admin: true },
      [DEV]: { browse: ['OPS'], link: ['OPS'], levels: [] },
    },
  });
  // The site knows exactly these project and issue type ids: a context naming any other answers 404.
  uim = new FakeUiModifications({ projects: [...site.projectIds.values()], issueTypes: site.issueTypes.map((t) => t.id) }).attach(site);
  await forge.startDoppel('doppel_uim_server');
  const installed = await lifecycle('avi:forge:installed:app');
  assert.equal(installed.status, 204, installed.text);
  await forge.backfillDone();
});

after(() => forge.close());

test('install: Doppel creates its UI modification for all projects (one GIC context per issue type) with the system token', async () => {
  await eventually(() => uim.list().length === 1, 'the UI modification was created');
  const [entity] = uim.list();
  assert.equal(entity.name, NAME);
  assert.equal(JSON.parse(entity.data).app, 'doppel');
  assert.deepEqual(contextsOf(entity), sorted(issueTypeContexts()), 'all projects = every issue type, project wildcard');
  const posts = uim.callsOf('POST');
  assert.equal(posts.length, 1, 'created once');
  assert.ok(posts[0].status === 201 && posts[0].authorization.startsWith('Bearer '), 'created as the app (system token)');
  assert.ok(uim.calls.indexOf(uim.callsOf('GET')[0]) < uim.calls.indexOf(posts[0]), 'looked for an existing entity first');
  await eventually(() => storedEntityId() === entity.id, 'the entity id is stored');
  const state = await eventually(async () => ((await hints())?.state === 'active' ? hints() : null), 'stats say active');
  assert.deepEqual(state, { state: 'active', scope: 'all', projects: 0, contexts: site.issueTypes.length, reason: null });
});

test('retries never duplicate: a redelivered install, a stray copy and an entity deleted by hand', async () => {
  await eventually(() => uim.list().length === 1 && syncJobsDone(), 'first sync done');
  const id = uim.list()[0].id;
  // A redelivered install event: the sync runs again, finds its entity in sync, writes nothing.
  let seen = listings();
  assert.equal((await lifecycle('avi:forge:installed:app')).status, 204);
  await eventually(() => listings() > seen && syncJobsDone(), 'the sync ran again');
  assert.equal(uim.callsOf('POST').length, 1, 'no second entity');
  assert.equal(uim.callsOf('PUT').length, 0, 'contexts already right: no update');
  assert.deepEqual(uim.list().map((e) => e.id), [id]);
  // A copy Jira kept from a run whose commit was lost (same name and data): deleted, the stored one kept.
  const [status, created] = uim.create({ name: NAME, description: 'copy', data: uim.list()[0].data, contexts: [] });
  assert.equal(status, 201);
  seen = listings();
  assert.equal((await lifecycle('avi:forge:upgraded:app')).status, 204);
  await eventually(() => listings() > seen && syncJobsDone() && uim.list().length === 1, 'the copy was deleted');
  assert.deepEqual(uim.list().map((e) => e.id), [id], 'the stored entity survives');
  assert.ok(uim.callsOf('DELETE', `${UIM_PATH}/${created.id}`).length === 1, 'the copy was deleted by its id');
  // Someone deleted the entity: the next sync creates it again and stores the new id.
  uim.entities.clear();
  seen = listings();
  assert.equal((await lifecycle('avi:forge:upgraded:app')).status, 204);
  await eventually(() => listings() > seen && uim.list().length === 1, 'recreated');
  const recreated = uim.list()[0];
  assert.notEqual(recreated.id, id);
  await eventually(() => storedEntityId() === recreated.id, 'the new id is stored');
  assert.equal(uim.callsOf('POST').filter((c) => c.status === 201).length, 2, 'exactly one more create');
});

test('scope change: the admin limits Doppel to OPS, the contexts are replaced by one per project; back to all; other saves and events call nothing', async () => {
  await eventually(() => uim.list().length === 1 && syncJobsDone(), 'synced');
  const id = uim.list()[0].id;
  const posts = uim.callsOf('POST').length;
  const config = await ui('GET', '/api/admin/config', ADMIN);
  assert.equal(config.status, 200, config.text);
  const { thresholdCurve, ...settings } = config.json;
  const saved = await ui('PUT', '/api/admin/config', ADMIN, { ...settings, projects: ['OPS'] });
  assert.equal(saved.status, 200, saved.text);
  const opsContext = [{ projectId: site.projectId('OPS'), issueTypeId: null, viewType: 'GIC' }];
  await eventually(() => uim.callsOf('PUT').some((c) => c.status === 204) && JSON.stringify(contextsOf(uim.list()[0])) === JSON.stringify(opsContext),
    'contexts replaced by the OPS project');
  const put = uim.callsOf('PUT').at(-1);
  assert.equal(put.path, `${UIM_PATH}/${id}`, 'the stored entity was updated');
  assert.deepEqual(put.body.contexts, opsContext, 'PUT names the project id with an issue type wildcard');
  assert.equal(uim.callsOf('POST').length, posts, 'no new entity');
  await eventually(async () => (await hints())?.scope === 'projects', 'stats say projects');
  assert.deepEqual(await hints(), { state: 'active', scope: 'projects', projects: 1, contexts: 1, reason: null });
  // A scope naming no project the site has: the entity keeps no context and the admin page says why.
  assert.equal((await ui('PUT', '/api/admin/config', ADMIN, { ...settings, projects: ['NOPE'] })).status, 200);
  await eventually(async () => (await hints())?.state === 'inactive', 'stats say inactive');
  assert.deepEqual(await hints(), { state: 'inactive', scope: 'projects', projects: 0, contexts: 0, reason: 'no_known_project' });
  assert.deepEqual(uim.list()[0].contexts, []);
  // All projects again.
  assert.equal((await ui('PUT', '/api/admin/config', ADMIN, { ...settings, projects: [] })).status, 200);
  await eventually(async () => (await hints())?.scope === 'all' && (await hints())?.state === 'active', 'all projects again');
  assert.deepEqual(contextsOf(uim.list()[0]), sorted(issueTypeContexts()));
  assert.equal(uim.callsOf('POST').length, posts, 'still the same entity');
  // Saving other settings (same scope) does not touch the entity.
  const puts = uim.callsOf('PUT').length;
  const before = listings();
  assert.equal((await ui('PUT', '/api/admin/config', ADMIN, { ...settings, projects: [], rescanSchedule: 'daily' })).status, 200);
  // Nor does a product event, whose fresh token must not pull the daily refresh forward.
  const event = await call('POST', '/api/forge/events', {
    token: fit({ moduleKey: 'doppel-issue-events' }), headers: { 'x-forge-oauth-system': systemToken() },
    body: { eventType: 'avi:jira:updated:issue', issue: site.served(site.updateIssue('OPS-2', {})), context: { cloudId: CLOUD_ID } },
  });
  assert.equal(event.status, 204, event.text);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(uim.callsOf('PUT').length, puts);
  assert.equal(listings(), before, 'no sync for a change outside the project scope, nor for an event');
});

test('a user\'s draft call from the create dialog (FIT principal) returns only issues that user may browse', async () => {
  const draft = (who) => ui('POST', '/api/similar', who, { summary: TEXT, description: '', projectKey: 'OPS', issueType: 'Bug' }, 'duplicate-hints');
  const keys = (response) => (response.json?.candidates ?? []).map((c) => c.key).filter((k) => ISSUES.some((i) => i.key === k)).sort();
  const admin = await draft(ADMIN);
  assert.equal(admin.status, 200, admin.text);
  assert.deepEqual(keys(admin), ['OPS-1', 'OPS-2', 'SEC-1'], 'positive control: the admin may browse all three');
  const dev = await draft(DEV);
  assert.equal(dev.status, 200, dev.text);
  assert.deepEqual(keys(dev), ['OPS-1', 'OPS-2'], 'SEC-1 is outside the developer\'s projects');
  const stranger = await draft(STRANGER);
  assert.equal(stranger.status, 200, stranger.text);
  assert.deepEqual(keys(stranger), []);
  assert.ok(site.permissionChecks.some((b) => b.accountId === DEV), 'the permission check named the typing user');
  assert.equal((await draft(undefined)).status, 401, 'a draft without a user is refused');
});

test('an install without a system token waits and says why; the first token a page call brings creates the entity', async () => {
  const other = new FakeJira({ forge: true, basePath: `/ex/jira/${crypto.randomUUID()}` });
  await other.start();
  try {
    const otherUim = new FakeUiModifications().attach(other);
    const on = { installationId: `ari:cloud:ecosystem::installation/${crypto.randomUUID()}`, site: other };
    const stateOf = () => sql(`SELECT state || ':' || COALESCE(reason, '') FROM ui_modifications WHERE tenant_id = '${on.installationId}'`);
    const installed = await call('POST', '/api/forge/events', {
      token: fit({ moduleKey: 'doppel-app-lifecycle', ...on }),
      body: { eventType: 'avi:forge:installed:app', id: on.installationId, app: { id: APP_ID, version: '1.0.0' }, context: { cloudId: CLOUD_ID } },
    });
    assert.equal(installed.status, 204, installed.text);
    await eventually(() => stateOf() === 'waiting:forge_token_missing', 'the sync waits for a token');
    assert.equal(otherUim.calls.length, 0, 'nothing was sent to Jira without a token');
    // A page call (GET /api/status from the admin page) brings the first token: the waiting sync runs at once.
    const status = await call('GET', '/api/status', {
      token: fit({ moduleKey: 'doppel-admin', principal: ADMIN, ...on }), headers: { 'x-forge-oauth-system': systemToken({ site: other }) },
    });
    assert.equal(status.status, 200, status.text);
    await eventually(() => otherUim.list().length === 1 && stateOf() === 'active:', 'created with the first token', { timeoutMs: 20_000 });
    assert.deepEqual(contextsOf(otherUim.list()[0]), sorted(other.issueTypes.map((t) => ({ projectId: null, issueTypeId: t.id, viewType: 'GIC' }))));
    assert.equal(uim.list().length, 1, 'the first site\'s entity is untouched');
  } finally {
    await other.close();
  }
});

test('uninstall: only the pre-uninstall trigger may call it; it deletes the UI modification and uninstalls the site', async () => {
  await eventually(() => uim.list().length === 1 && syncJobsDone(), 'synced');
  const id = uim.list()[0].id;
  const uninstall = (moduleKey, principal) => call('POST', '/api/forge/uninstall', {
    token: fit({ moduleKey, principal }), headers: { 'x-forge-oauth-system': systemToken() }, body: {},
  });
  const fromPage = await uninstall('duplicate-hints');
  assert.equal(fromPage.status, 403, fromPage.text);
  assert.equal(fromPage.json?.error, 'wrong_module');
  assert.equal((await uninstall('doppel-pre-uninstall', ADMIN)).status, 401, 'a token with a user principal is refused');
  assert.equal(uim.list().length, 1, 'refused calls changed nothing');
  assert.equal(sql(`SELECT state FROM tenants WHERE tenant_id = '${INSTALLATION_ID}'`), 'installed');

  const done = await uninstall('doppel-pre-uninstall');
  assert.equal(done.status, 204, done.text);
  assert.deepEqual(uim.list(), [], 'the entity is gone');
  const deletes = uim.callsOf('DELETE', `${UIM_PATH}/${id}`);
  assert.equal(deletes.length, 1);
  assert.ok(deletes[0].status === 204 && deletes[0].authorization.startsWith('Bearer '));
  assert.equal(sql(`SELECT state || ':' || COALESCE(entity_id, '') FROM ui_modifications WHERE tenant_id = '${INSTALLATION_ID}'`), 'removed:');
  assert.equal(sql(`SELECT state FROM tenants WHERE tenant_id = '${INSTALLATION_ID}'`), 'uninstalled');
  // A late product event does not bring the site back; a new install does, and creates the entity again.
  const late = await call('POST', '/api/forge/events', {
    token: fit({ moduleKey: 'doppel-issue-events' }), headers: { 'x-forge-oauth-system': systemToken() },
    body: { eventType: 'avi:jira:updated:issue', issue: site.served(site.issues.get('OPS-1')), context: { cloudId: CLOUD_ID } },
  });
  assert.ok(late.status < 300, late.text);
  assert.equal(sql(`SELECT state FROM tenants WHERE tenant_id = '${INSTALLATION_ID}'`), 'uninstalled');
  assert.equal((await lifecycle('avi:forge:installed:app')).status, 204);
  await eventually(() => uim.list().length === 1, 'created again after the reinstall');
  assert.equal(sql(`SELECT state FROM tenants WHERE tenant_id = '${INSTALLATION_ID}'`), 'installed');
});

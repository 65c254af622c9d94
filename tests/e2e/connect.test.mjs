// End-to-end: Doppel as a Connect app against fake Jira Cloud sites (tests/e2e/lib/fake_jira.mjs): install and
// backfill, webhooks, the panel API (similar, link, dismiss, restore), secret rotation, uninstall, and a negative
// token matrix over every route of the served descriptor and the API. Needs DOPPEL_BIN and DOPPEL_TEST_DATABASE_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { freshDatabaseUrl, psql, startDoppel } from './lib/doppel.mjs';
import {
  APP_KEY, FakeJira, call, doppelEnv, eventually, loadDataset, qshFor, signJwt, startInstallKeyServer,
} from './lib/fake_jira.mjs';

const BACKFILL_ISSUES = 300;
const PROPERTY_KEY = `com.atlassian.jira.issue:${APP_KEY}:possible-duplicates:status`;
const USER = '5b10ac8d82e05b22cc7d4ef5';

let keyServer;
let siteA; // main tenant
let siteB; // a second installed tenant (cross-tenant tokens)
let databaseUrl;
let doppel;
let target; // {url, baseUrl}
let backfillRate;
let original; // the dataset issue we copy
let copy; // near-copy created by webhook
let copy2; // second near-copy (dismiss/restore)

const sql = (query) => psql(databaseUrl, query);
const quote = (text) => `'${String(text).replaceAll("'", "''")}'`;

function indexRow(tenant, key) {
  const row = sql(`SELECT summary, updated_ms, COALESCE(deleted_ms::text, '') FROM index_documents
                   WHERE tenant_id = ${quote(tenant)} AND issue_key = ${quote(key)} ORDER BY updated_ms DESC LIMIT 1`);
  if (!row) return null;
  const [summary, updatedMs, deletedMs] = row.split('|');
  return { summary, updatedMs: Number(updatedMs), deleted: deletedMs !== '' };
}

const candidatesOf = (response) => (response.json?.candidates ?? []).map((candidate) => candidate.key);

// Everything a rejected request could have changed, as one comparable string.
function snapshot() {
  return [
    sql('SELECT string_agg(tenant_id || state || COALESCE(secret_box, \'\') || base_url, \',\' ORDER BY tenant_id) FROM tenants'),
    sql('SELECT count(*) FROM inbox'),
    sql('SELECT string_agg(issue_id || candidate_id || status, \',\' ORDER BY tenant_id, issue_id, candidate_id) FROM pairs'),
    sql('SELECT md5(string_agg(tenant_id || issue_id || summary || updated_ms || COALESCE(deleted_ms, 0), \',\' ORDER BY tenant_id, issue_id)) FROM index_documents'),
    sql('SELECT string_agg(tenant_id || settings::text, \',\' ORDER BY tenant_id) FROM tenant_settings'),
    sql('SELECT string_agg(tenant_id || state, \',\' ORDER BY tenant_id) FROM backfill_progress'),
    `links=${siteA.links.length + siteB.links.length} comments=${siteA.comments.length + siteB.comments.length}`,
  ].join('\n');
}

before(async () => {
  assert.ok(process.env.DOPPEL_BIN, 'DOPPEL_BIN must name the built doppel binary');
  keyServer = await startInstallKeyServer();
  siteA = await new FakeJira({ keyServer }).start();
  siteA.loadDataset({ offset: 0, limit: BACKFILL_ISSUES });
  siteB = await new FakeJira({ keyServer, basePath: '/jira' }).start();
  siteB.loadDataset({ offset: BACKFILL_ISSUES, limit: 50 });
  databaseUrl = freshDatabaseUrl('doppel_connect');
  doppel = await startDoppel(doppelEnv({ databaseUrl, keyServer }));
  target = { url: doppel.url, baseUrl: 'http://doppel-e2e.test' };
});

after(async () => {
  await doppel?.stop('SIGKILL');
  await siteA?.close();
  await siteB?.close();
  await keyServer?.close();
  if (databaseUrl) {
    const name = new URL(databaseUrl).pathname.slice(1);
    psql(process.env.DOPPEL_TEST_DATABASE_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  if (backfillRate) console.log(`# backfill: ${BACKFILL_ISSUES} issues at ${backfillRate.toFixed(1)} issues/s against the fake Jira`);
});

// ---------------------------------------------------------------------------------------------------------------

test('the descriptor names our lifecycle, webhook and page routes', async () => {
  const response = await call(target, 'GET', '/atlassian-connect.json');
  assert.equal(response.status, 200, response.text);
  assert.equal(response.json.key, APP_KEY);
  assert.equal(response.json.baseUrl, target.baseUrl);
  assert.equal(response.json.lifecycle.installed, '/lifecycle/installed');
  assert.ok(response.json.modules.webhooks.some((hook) => hook.url === '/webhooks/jira'));
});

test('install → backfill indexes every issue of the site (with a 429 on the way), signed like Connect', async () => {
  siteA.faults.searchRateLimit = 1;
  siteA.faults.retryAfterSeconds = 1;
  const started = Date.now();
  const response = await siteA.install(target);
  assert.equal(response.status, 204, response.text);
  assert.equal(sql(`SELECT state FROM tenants WHERE tenant_id = ${quote(siteA.clientKey)}`), 'installed');
  await eventually(() => sql(`SELECT state FROM backfill_progress WHERE tenant_id = ${quote(siteA.clientKey)}`) === 'done',
    'backfill done', { timeoutMs: 90_000 });
  backfillRate = BACKFILL_ISSUES / ((Date.now() - started) / 1000);
  const live = Number(sql(`SELECT count(*) FROM index_documents WHERE tenant_id = ${quote(siteA.clientKey)} AND deleted_ms IS NULL`));
  assert.equal(live, BACKFILL_ISSUES);
  const [seen, indexed, total] = sql(`SELECT seen, indexed, total_estimate FROM backfill_progress WHERE tenant_id = ${quote(siteA.clientKey)}`).split('|').map(Number);
  assert.equal(seen, BACKFILL_ISSUES);
  assert.equal(indexed, BACKFILL_ISSUES);
  assert.equal(total, BACKFILL_ISSUES);
  // Every summary in the index is the fake's summary for that key.
  const rows = sql(`SELECT issue_key || E'\\t' || summary FROM index_documents WHERE tenant_id = ${quote(siteA.clientKey)}`).split('\n');
  for (const row of rows) {
    const [key, summary] = row.split('\t');
    assert.equal(summary, siteA.issues.get(key)?.fields.summary.trim() ?? null, `summary of ${key}`);
  }
  const searches = siteA.calls.filter((c) => c.path === '/rest/api/3/search/jql');
  assert.ok(searches.some((c) => c.status === 429), 'the injected 429 was served');
  assert.ok(siteA.calls.some((c) => c.path === '/rest/api/3/search/approximate-count' && c.status === 200));
  assert.equal(siteA.rejectedCalls, 0, `Doppel's calls to Jira must carry valid JWTs: ${siteA.authErrors.slice(0, 3)}`);

  const status = await siteA.api(target, 'GET', '/api/status');
  assert.equal(status.status, 200, status.text);
  assert.equal(status.json.backfill.state, 'done');
  assert.equal(status.json.backfill.indexed, BACKFILL_ISSUES);

  // After the backfill a full rescan runs, and when it finishes the next one is planned per the
  // tenant's schedule (weekly by default): one queued scheduled rescan about seven days out.
  await eventually(() => sql(`SELECT count(*) FROM jobs WHERE tenant_id = ${quote(siteA.clientKey)}
      AND unique_key = 'rescan:scheduled' AND state = 'queued'`) === '1', 'next rescan scheduled', { timeoutMs: 60_000 });
  const days = Number(sql(`SELECT round(EXTRACT(EPOCH FROM (run_at - now())) / 86400) FROM jobs
      WHERE tenant_id = ${quote(siteA.clientKey)} AND unique_key = 'rescan:scheduled'`));
  assert.equal(days, 7);
});

test('a second site installs (base URL with a path) and backfills through a dropped connection', async () => {
  siteB.faults.dropConnections = 1;
  siteB.faults.delayMs = 50; // a slow site
  const response = await siteB.install(target);
  assert.equal(response.status, 204, response.text);
  await eventually(() => sql(`SELECT state FROM backfill_progress WHERE tenant_id = ${quote(siteB.clientKey)}`) === 'done',
    'second backfill done', { timeoutMs: 60_000 });
  assert.equal(Number(sql(`SELECT count(*) FROM index_documents WHERE tenant_id = ${quote(siteB.clientKey)}`)), siteB.issues.size);
  assert.equal(siteB.rejectedCalls, 0, `qsh relative to a base path: ${siteB.authErrors.slice(0, 3)}`);
  assert.ok(siteB.calls.some((c) => c.status === -1), 'the injected drop happened');
  siteB.faults.delayMs = 0;
});

test('webhooks: a near-copy created by webhook lists the original among its candidates', async () => {
  original = [...siteA.issues.values()].find((issue) => issue.fields.summary.split(/\s+/).length >= 7 && issue.fields.description);
  assert.ok(original, 'the dataset slice has an issue with a long summary and a description');
  const words = original.fields.summary.split(/\s+/);
  copy = siteA.putIssue({
    key: 'HADOOP-990001',
    fields: {
      summary: `${words.slice(0, -1).join(' ')} again`,
      description: original.fields.description,
      project: original.fields.project,
      issuetype: original.fields.issuetype,
    },
  });
  const id = crypto.randomUUID();
  const body = siteA.webhookBody('created', copy);
  assert.equal((await siteA.sendWebhook(target, body, { id })).status, 204);
  assert.equal((await siteA.sendWebhook(target, body, { id, retry: 1 })).status, 204, 'a retried delivery is acknowledged too');
  assert.equal(sql(`SELECT count(*) FROM inbox WHERE delivery_id LIKE ${quote(`%${id}`)}`), '1', 'one inbox row per delivery id');

  const response = await eventually(async () => {
    const r = await siteA.api(target, 'GET', `/api/issues/${copy.key}/similar?limit=10`);
    return r.status === 200 && r.json.indexed && candidatesOf(r).includes(original.key) ? r : null;
  }, `${original.key} among the candidates of ${copy.key}`);
  assert.equal(response.json.issue, copy.key);
  assert.ok(!candidatesOf(response).includes(copy.key), 'an issue is not its own duplicate');
  const top = response.json.candidates[0];
  assert.equal(top.key, original.key, 'the near-copy ranks first');
  assert.equal(top.summary, original.fields.summary.trim());
  assert.equal(top.pairStatus, 'pending');
  assert.ok(top.url.endsWith(`/browse/${original.key}`), top.url);
  // Two tiers: likely ones first, then related ones, each best first; every candidate carries its likelihood.
  const tiers = response.json.candidates.map((c) => c.tier);
  assert.equal(top.tier, 'likely', 'a near-copy is a likely duplicate');
  assert.deepEqual(tiers, [...tiers].sort((x, y) => (x === 'likely' ? 0 : 1) - (y === 'likely' ? 0 : 1)), tiers.join());
  for (const tier of ['likely', 'related']) {
    const likelihoods = response.json.candidates.filter((c) => c.tier === tier).map((c) => c.likelihood);
    assert.deepEqual(likelihoods, [...likelihoods].sort((x, y) => y - x), `${tier} candidates by likelihood`);
  }
  for (const c of response.json.candidates) assert.ok(c.likelihood >= 0 && c.likelihood <= 1, `${c.key} likelihood ${c.likelihood}`);
  // The panel badge property is written on the new issue once its pair is stored.
  await eventually(() => siteA.properties.has(`${copy.key}/${PROPERTY_KEY}`), `issue property ${PROPERTY_KEY} on ${copy.key}`);
  // The badge and the review queue count the likely tier only: the stored pending pairs are the likely candidates
  // (among the earlier issues the new issue was matched against), never a related one.
  const likely = new Set(response.json.candidates.filter((c) => c.tier === 'likely').map((c) => c.key));
  const related = response.json.candidates.filter((c) => c.tier === 'related').map((c) => c.key);
  const pending = pendingCandidateKeys(copy.key);
  assert.ok(pending.includes(original.key), pending.join());
  for (const key of pending) assert.ok(likely.has(key), `${key} is pending but not in the likely tier`);
  for (const key of related) assert.ok(!pending.includes(key), `${key} is related but pending`);
  const badge = siteA.properties.get(`${copy.key}/${PROPERTY_KEY}`);
  const pendingCount = sql(`SELECT count(*) FROM pairs p JOIN index_documents d ON d.tenant_id = p.tenant_id AND d.issue_id = p.issue_id
                             WHERE p.tenant_id = ${quote(siteA.clientKey)} AND d.issue_key = ${quote(copy.key)} AND p.status = 'pending'`);
  assert.equal(String(badge?.value?.label ?? ''), pendingCount, JSON.stringify(badge));
  assert.equal(siteA.rejectedCalls, 0);
});

test('webhooks: update changes the indexed text, delete leaves a tombstone, a late update cannot revive it', async () => {
  const victim = [...siteA.issues.values()].find((issue) => issue.key !== original.key && issue.key !== copy.key);
  const updated = siteA.updateIssue(victim.key, { summary: 'Completely rewritten summary about zebra telemetry' });
  assert.equal((await siteA.sendWebhook(target, siteA.webhookBody('updated', updated))).status, 204);
  await eventually(() => indexRow(siteA.clientKey, victim.key)?.summary === updated.fields.summary, 'update applied');

  const draft = await siteA.api(target, 'POST', '/api/similar', { body: { summary: 'zebra telemetry rewritten', projectKey: 'HADOOP' } });
  assert.equal(draft.status, 200, draft.text);
  assert.ok(candidatesOf(draft).includes(victim.key), 'the new text is searchable');

  siteA.deleteIssue(victim.key);
  const deleteBody = siteA.webhookBody('deleted', { id: updated.id, key: updated.key, fields: { project: updated.fields.project, updated: updated.fields.updated } });
  deleteBody.timestamp = Math.max(Date.now(), Date.parse(updated.fields.updated.replace('+0000', 'Z')) + 2000);
  assert.equal((await siteA.sendWebhook(target, deleteBody)).status, 204);
  await eventually(() => indexRow(siteA.clientKey, victim.key)?.deleted, 'tombstone written');
  // An edit made just before the delete, delivered after it (Jira retries arrive up to ~30 minutes late).
  const late = structuredClone(updated);
  late.fields.summary = 'Late edit about zebra telemetry';
  late.fields.updated = new Date(deleteBody.timestamp - 1).toISOString().replace('Z', '+0000');
  assert.equal((await siteA.sendWebhook(target, siteA.webhookBody('updated', late))).status, 204);
  await eventually(() => Number(sql(`SELECT count(*) FROM inbox WHERE tenant_id = ${quote(siteA.clientKey)} AND processed_at IS NULL`)) === 0, 'inbox drained');
  assert.ok(indexRow(siteA.clientKey, victim.key).deleted, 'the late update did not bring the deleted issue back');
  const after = await siteA.api(target, 'POST', '/api/similar', { body: { summary: 'zebra telemetry rewritten', projectKey: 'HADOOP' } });
  assert.ok(!candidatesOf(after).includes(victim.key), 'a deleted issue is never a candidate');
});

test('link creates the Duplicate link in Jira and confirms the pair', async () => {
  const response = await siteA.api(target, 'POST', `/api/pairs/${copy.key}/${original.key}/link`);
  assert.equal(response.status, 200, response.text);
  assert.deepEqual(siteA.links.at(-1), { type: 'Duplicate', inward: original.key, outward: copy.key });
  // A decided pair keeps the likelihood it was suggested with (its score), not 0.
  const score = Number(sql(`SELECT p.score FROM pairs p JOIN index_documents d ON d.tenant_id = p.tenant_id AND d.issue_id = p.issue_id
                            WHERE p.tenant_id = ${quote(siteA.clientKey)} AND d.issue_key = ${quote(copy.key)} AND p.candidate_id = ${quote(original.id)}`));
  assert.ok(score > 0 && score <= 1, `confirmed pair score ${score}`);
  const similar = await siteA.api(target, 'GET', `/api/issues/${copy.key}/similar?limit=10`);
  const candidate = similar.json.candidates.find((c) => c.key === original.key);
  assert.equal(candidate?.pairStatus, 'confirmed');
  assert.equal(siteA.rejectedCalls, 0);
});

test('dismiss hides a candidate for good; restore brings it back', async () => {
  copy2 = siteA.putIssue({
    key: 'HADOOP-990002',
    fields: { summary: original.fields.summary, description: original.fields.description, project: original.fields.project },
  });
  assert.equal((await siteA.sendWebhook(target, siteA.webhookBody('created', copy2))).status, 204);
  const path = `/api/issues/${copy2.key}/similar?limit=10`;
  await eventually(async () => {
    const r = await siteA.api(target, 'GET', path);
    return r.json?.indexed && candidatesOf(r).includes(original.key);
  }, 'candidate listed for the indexed issue');

  const dismissed = await siteA.api(target, 'POST', `/api/pairs/${copy2.key}/${original.key}/dismiss`);
  assert.equal(dismissed.status, 200, dismissed.text);
  assert.ok(!candidatesOf(await siteA.api(target, 'GET', path)).includes(original.key), 'dismissed candidate suggested again');
  // An edit of the issue re-runs the matching: still not suggested.
  const edited = siteA.updateIssue(copy2.key, { labels: ['edited'] });
  assert.equal((await siteA.sendWebhook(target, siteA.webhookBody('updated', edited))).status, 204);
  await eventually(() => indexRow(siteA.clientKey, copy2.key)?.updatedMs === Date.parse(edited.fields.updated.replace('+0000', 'Z')), 'edit applied');
  assert.ok(!candidatesOf(await siteA.api(target, 'GET', path)).includes(original.key), 'dismissed candidate came back after an edit');
  assert.equal(sql(`SELECT p.status FROM pairs p JOIN index_documents d ON d.tenant_id = p.tenant_id AND d.issue_id = p.issue_id
                    WHERE p.tenant_id = ${quote(siteA.clientKey)} AND d.issue_key = ${quote(copy2.key)} AND p.candidate_id = ${quote(original.id)}`), 'dismissed');

  const restored = await siteA.api(target, 'POST', `/api/pairs/${copy2.key}/${original.key}/restore`);
  assert.equal(restored.status, 200, restored.text);
  const again = await siteA.api(target, 'GET', path);
  const candidate = again.json.candidates.find((c) => c.key === original.key);
  assert.equal(candidate?.pairStatus, 'pending', `restored candidate listed as pending: ${again.text}`);
});

// ---------------------------------------------------------------------------------------------------------------
// Comment on creation (per tenant, off by default)

// Problems that make `doc` something other than a well-formed ADF document of the nodes such a comment may use.
function adfProblems(doc) {
  const problems = [];
  const children = { doc: ['paragraph', 'bulletList'], paragraph: ['text'], bulletList: ['listItem'], listItem: ['paragraph', 'bulletList'] };
  const walk = (node, where, allowed) => {
    if (!node || typeof node !== 'object' || !allowed.includes(node.type)) return problems.push(`${where}: ${JSON.stringify(node?.type)} not allowed here`);
    if (node.type === 'text') {
      if (typeof node.text !== 'string' || node.text === '') problems.push(`${where}: empty text`);
      for (const mark of node.marks ?? []) {
        if (mark.type !== 'link' || !/^https?:\/\//.test(mark.attrs?.href ?? '')) problems.push(`${where}: bad mark ${JSON.stringify(mark)}`);
      }
      return undefined;
    }
    if (!Array.isArray(node.content) || node.content.length === 0) return problems.push(`${where}: ${node.type} without content`);
    node.content.forEach((child, i) => walk(child, `${where}.${node.type}[${i}]`, children[node.type]));
    return undefined;
  };
  if (doc?.version !== 1) problems.push('doc.version must be 1');
  walk(doc, 'doc', ['doc']);
  return problems;
}

// The issue keys a comment lists, one per bullet (the first key in each item's text).
function listedKeys(doc) {
  const list = doc.content.find((node) => node.type === 'bulletList');
  const textOf = (node) => node.text ?? (node.content ?? []).map(textOf).join('');
  return (list?.content ?? []).map((item) => textOf(item).match(/[A-Z][A-Z0-9]*-\d+/)?.[0]);
}

// Keys of the pending candidates stored for `key`, best first, at most five. `visibleToAll`: only those every viewer
// of the issue may see (its own project, no issue security level): what the comment must list.
function pendingCandidateKeys(key, { visibleToAll = false } = {}) {
  const rows = sql(`SELECT c.issue_key FROM pairs p
      JOIN index_documents i ON i.tenant_id = p.tenant_id AND i.issue_id = p.issue_id
      JOIN index_documents c ON c.tenant_id = p.tenant_id AND c.issue_id = p.candidate_id
      WHERE p.tenant_id = ${quote(siteA.clientKey)} AND i.issue_key = ${quote(key)} AND p.status = 'pending' AND c.deleted_ms IS NULL
      ${visibleToAll ? "AND c.project_key = i.project_key AND c.security_level_id = ''" : ''}
      ORDER BY p.score DESC, c.issue_key LIMIT 5`);
  return rows ? rows.split('\n') : [];
}

test('comment on create: off by default; once enabled by an admin, one ADF comment per new issue with candidates', async () => {
  // Off by default: the near-copies created above got their badge property but no comment.
  assert.ok(siteA.properties.has(`${copy2.key}/${PROPERTY_KEY}`), 'the badge of the earlier near-copy was written');
  assert.deepEqual(siteA.comments, [], 'no comment while the setting is off');

  siteA.admins = new Set([USER]);
  const config = await siteA.api(target, 'GET', '/api/admin/config');
  assert.equal(config.status, 200, config.text);
  assert.equal(config.json.commentOnCreate, false, 'the setting is off by default');
  const enabled = await siteA.api(target, 'PUT', '/api/admin/config', { body: { ...config.json, commentOnCreate: true } });
  assert.equal(enabled.status, 200, enabled.text);
  assert.equal(enabled.json.commentOnCreate, true);
  assert.equal((await siteA.api(target, 'GET', '/api/admin/config')).json.commentOnCreate, true, 'the setting is stored');

  // Two new near-copies (of the original and of another issue) and one issue like nothing else on the site.
  const other = [...siteA.issues.values()].find((issue) => issue.key !== original.key && issue.fields.description
    && issue.fields.summary.split(/\s+/).length >= 6 && !issue.fields.summary.includes(original.fields.summary.split(/\s+/)[0]));
  const near = (key, source) => siteA.putIssue({
    key,
    fields: { summary: `${source.fields.summary} (seen again)`, description: source.fields.description, project: source.fields.project },
  });
  const fresh = [near('HADOOP-990003', original), near('HADOOP-990004', other)];
  // Words no issue of the site uses: it shares only its key's project token with the others, far below the threshold
  // (new words count in its self-score, so the shared token alone cannot make a candidate).
  const lonely = siteA.putIssue({ key: 'HADOOP-990005', fields: { summary: 'Zyxquor vlimbert prazzle glonk', description: 'Snorvulent quibbleflax wumpiter.', project: original.fields.project } });
  for (const issue of [...fresh, lonely]) {
    const body = siteA.webhookBody('created', issue);
    const id = crypto.randomUUID();
    assert.equal((await siteA.sendWebhook(target, body, { id })).status, 204);
    // Jira's redelivery of the same webhook (same identifier), and the same event delivered twice (new identifier).
    assert.equal((await siteA.sendWebhook(target, body, { id, retry: 1 })).status, 204);
    assert.equal((await siteA.sendWebhook(target, body)).status, 204);
  }
  for (const issue of fresh) await eventually(() => siteA.properties.has(`${issue.key}/${PROPERTY_KEY}`), `badge on ${issue.key}`);
  const quiet = () => sql(`SELECT (SELECT count(*) FROM inbox WHERE tenant_id = ${quote(siteA.clientKey)} AND processed_at IS NULL)
      + (SELECT count(*) FROM jobs WHERE tenant_id = ${quote(siteA.clientKey)} AND kind IN ('apply_issue', 'publish_flags'))`) === '0';
  await eventually(quiet, 'every delivery applied and every flag published');
  const lonelyView = await siteA.api(target, 'GET', `/api/issues/${lonely.key}/similar?limit=10`);
  assert.equal(lonelyView.json?.indexed, true, lonelyView.text);
  assert.deepEqual(pendingCandidateKeys(lonely.key), [], 'the unrelated issue has no stored candidate');

  // An edit of a commented issue is not a creation: no further comment.
  const edited = siteA.updateIssue(fresh[0].key, { labels: ['edited'] });
  assert.equal((await siteA.sendWebhook(target, siteA.webhookBody('updated', edited))).status, 204);
  await eventually(() => indexRow(siteA.clientKey, fresh[0].key)?.updatedMs === Date.parse(edited.fields.updated.replace('+0000', 'Z')), 'edit applied');
  await eventually(quiet, 'the edit applied');

  assert.deepEqual(siteA.comments.map((c) => c.key).sort(), fresh.map((issue) => issue.key).sort(),
    'exactly one comment on each new issue with candidates, none on the unrelated one');
  for (const issue of fresh) {
    const { body } = siteA.comments.find((c) => c.key === issue.key);
    assert.deepEqual(adfProblems(body), [], `well-formed ADF on ${issue.key}: ${JSON.stringify(body)}`);
    const expected = pendingCandidateKeys(issue.key, { visibleToAll: true });
    assert.ok(expected.length > 0, `${issue.key} has stored candidates`);
    assert.deepEqual(listedKeys(body), expected, `the comment on ${issue.key} lists its candidates, best first`);
    const count = expected.length === 1 ? '1 possible duplicate' : `${expected.length} possible duplicates`;
    assert.ok(JSON.stringify(body).includes(count), `the comment says "${count}"`);
  }
  assert.ok(listedKeys(siteA.comments.find((c) => c.key === fresh[0].key).body).includes(original.key), 'the original is named');
  assert.ok(listedKeys(siteA.comments.find((c) => c.key === fresh[1].key).body).includes(other.key), 'the other source is named');
  assert.equal(siteA.rejectedCalls, 0);

  // Jira creates a comment but its answer is lost (502, as if the connection died): the job fails and is retried,
  // and the retry finds the comment's marker property instead of posting the comment a second time.
  siteA.faults.commentLostAnswers = 1;
  const lost = near('HADOOP-990007', original);
  assert.equal((await siteA.sendWebhook(target, siteA.webhookBody('created', lost))).status, 204);
  await eventually(() => siteA.faults.commentLostAnswers === 0, 'the comment posted with its answer lost');
  await eventually(quiet, 'the job retried after the lost answer');
  const onLost = siteA.comments.filter((c) => c.key === lost.key);
  assert.equal(onLost.length, 1, 'one comment on the issue, not one per attempt');
  assert.deepEqual(onLost[0].properties.map((p) => p.key), [`${APP_KEY}.candidates-comment`], 'the comment carries the marker');
  assert.ok(siteA.calls.some((c) => c.method === 'GET' && c.path.endsWith(`/issue/${lost.key}/comment`) && c.query.includes('expand=properties')),
    'the retry looked for the marker');
  assert.equal(sql(`SELECT count(*) FROM jobs WHERE tenant_id = ${quote(siteA.clientKey)} AND state = 'dead'`), '0', 'no dead job');

  // Turned off again: a new near-copy gets its badge but no comment.
  const disabled = await siteA.api(target, 'PUT', '/api/admin/config', { body: { ...config.json, commentOnCreate: false } });
  assert.equal(disabled.status, 200, disabled.text);
  const late = near('HADOOP-990006', other);
  assert.equal((await siteA.sendWebhook(target, siteA.webhookBody('created', late))).status, 204);
  await eventually(() => siteA.properties.has(`${late.key}/${PROPERTY_KEY}`), `badge on ${late.key}`);
  await eventually(quiet, 'the last creation applied');
  assert.equal(siteA.comments.length, fresh.length + 1, 'no comment once the setting is off again');
});

// ---------------------------------------------------------------------------------------------------------------
// Negative matrix

function descriptorRoutes(descriptor) {
  const routes = [];
  for (const path of Object.values(descriptor.lifecycle)) routes.push({ method: 'POST', path, kind: path.match(/installed$/) ? 'install' : 'lifecycle' });
  const seen = new Set();
  const walk = (node, inWebhooks) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, inWebhooks));
    if (!node || typeof node !== 'object') return;
    for (const [name, value] of Object.entries(node)) {
      if (name === 'url' && typeof value === 'string' && value.startsWith('/') && !value.startsWith('/static/')) {
        const path = value.replace('{issue.key}', original.key).replace('{issue.id}', original.id).replace('{project.key}', 'HADOOP')
          .replace(/\{[^}]+\}/g, 'x');
        const key = `${inWebhooks ? 'POST' : 'GET'} ${path}`;
        if (!seen.has(key)) {
          seen.add(key);
          routes.push({ method: inWebhooks ? 'POST' : 'GET', path, kind: inWebhooks ? 'webhook' : 'page' });
        }
      } else {
        walk(value, inWebhooks || name === 'webhooks');
      }
    }
  };
  walk(descriptor.modules, false);
  return routes;
}

function apiRoutes() {
  const pair = `${copy.key}/${original.key}`;
  return [
    ['GET', `/api/issues/${original.key}/similar?limit=5`], ['POST', '/api/similar', { summary: 'forged draft' }],
    ['POST', `/api/pairs/${pair}/link`], ['POST', `/api/pairs/${pair}/dismiss`], ['POST', `/api/pairs/${pair}/restore`],
    ['GET', '/api/status'], ['GET', '/api/pairs?status=pending'], ['POST', '/api/pairs/bulk', { action: 'dismiss', pairs: [{ issue: copy.key, candidate: original.key }] }],
    ['GET', '/api/pairs.csv'], ['GET', '/api/dashboard/summary'], ['GET', '/api/admin/config'],
    ['PUT', '/api/admin/config', { threshold: 0.99 }], ['POST', '/api/admin/backfill'], ['DELETE', '/api/admin/backfill'],
    ['POST', '/api/admin/rescan'], ['GET', '/api/admin/stats'], ['POST', '/api/admin/delete-data'],
  ].map(([method, path, body]) => ({ method, path, body, kind: 'api' }));
}

const FORGED = { id: '777777', key: 'HADOOP-777777', fields: { summary: 'forged issue that must never be indexed', created: '2026-01-01T00:00:00.000+0000', updated: '2026-01-01T00:00:00.000+0000', project: { key: 'HADOOP' }, issuetype: { name: 'Bug' }, status: { name: 'Open' }, labels: [], components: [] } };

function bodyFor(route) {
  if (route.kind === 'webhook') return siteA.webhookBody('created', FORGED);
  if (route.kind === 'install' || route.kind === 'lifecycle') {
    // A forged (re)install would swap the secret: the body carries an attacker's secret.
    const eventType = route.path.split('/').pop();
    return siteA.installBody({ eventType, sharedSecret: 'attacker-secret' });
  }
  return route.body;
}

// Token variants; each returns {authorization?, query?} for the route.
function variants(route) {
  const iat = Math.floor(Date.now() / 1000);
  const computedQsh = qshFor(route.method, route.path, target.baseUrl);
  const qsh = route.kind === 'api' ? 'context-qsh' : computedQsh;
  const claims = { iss: siteA.clientKey, sub: USER, iat, exp: iat + 120, qsh, ...(route.kind === 'install' ? { aud: [target.baseUrl] } : {}) };
  const hs = (key, extra = {}) => signJwt({ alg: 'HS256' }, { ...claims, ...extra }, key);
  const list = [
    ['no token', {}],
    ['alg none', { token: signJwt({ alg: 'none' }, claims) }],
    ['HS256 with "fake-jwt-secret"', { token: hs('fake-jwt-secret') }],
    ['HS256 keyed with the install public key PEM', { token: signJwt({ alg: 'HS256', kid: keyServer.kid }, claims, keyServer.publicPem) }],
    ['expired', { token: route.kind === 'install'
      ? keyServer.sign({ ...claims, iat: iat - 3600, exp: iat - 1800 })
      : hs(siteA.sharedSecret, { iat: iat - 3600, exp: iat - 1800 }) }],
    ['iss of site A signed with site B secret', { token: hs(siteB.sharedSecret) }],
  ];
  if (route.kind === 'install') {
    list.push(['HS256 with the real shared secret (install needs RS256)', { token: hs(siteA.sharedSecret) }]);
    list.push(['RS256 signed by a key the key server does not know', { token: keyServer.sign(claims, { signKey: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey }) }]);
  }
  if (route.kind !== 'api') {
    list.push(['context-qsh token', { token: route.kind === 'install'
      ? keyServer.sign({ ...claims, qsh: 'context-qsh' })
      : siteA.contextToken() }]);
  } else {
    list.push(['computed-qsh token on the API', { token: hs(siteA.sharedSecret, { qsh: computedQsh }) }]);
  }
  const valid = route.kind === 'install' ? keyServer.sign(claims) : hs(siteA.sharedSecret);
  list.push(['valid token in both header and query', { token: valid, query: valid }]);
  list.push(['valid token for another path (qsh mismatch)', { token: route.kind === 'api' ? null : (route.kind === 'install'
    ? keyServer.sign({ ...claims, qsh: qshFor(route.method, '/somewhere/else', target.baseUrl) })
    : hs(siteA.sharedSecret, { qsh: qshFor(route.method, '/somewhere/else', target.baseUrl) })) }]);
  return list.filter(([, v]) => v.token !== null);
}

test('negative matrix: every descriptor route and API route refuses bad tokens and changes nothing', async () => {
  await eventually(() => Number(sql(`SELECT (SELECT count(*) FROM inbox WHERE processed_at IS NULL)
    + (SELECT count(*) FROM jobs WHERE state = 'running' OR (state = 'queued' AND run_at <= now() + interval '2 seconds'))`)) === 0,
  'no pending events or due jobs', { timeoutMs: 60_000 });
  const descriptor = (await call(target, 'GET', '/atlassian-connect.json')).json;
  const routes = [...descriptorRoutes(descriptor), ...apiRoutes()];
  const kinds = new Set(routes.map((r) => r.kind));
  for (const kind of ['install', 'lifecycle', 'webhook', 'page', 'api']) assert.ok(kinds.has(kind), `routes of kind ${kind} found`);
  assert.ok(routes.some((r) => r.path === '/lifecycle/uninstalled'));
  assert.ok(routes.some((r) => r.path.startsWith('/pages/panel?')));

  const before = snapshot();
  const callsBefore = siteA.calls.length + siteB.calls.length;
  const failures = [];
  let cases = 0;
  for (const route of routes) {
    for (const [name, { token, query }] of variants(route)) {
      // `disabled` after an uninstall comes without a token: 204 and nothing happens (checked by the snapshot).
      const tolerated = name === 'no token' && route.path === '/lifecycle/disabled';
      let path = route.path;
      if (query) path += `${path.includes('?') ? '&' : '?'}jwt=${query}`;
      else if (token && route.kind === 'page') path += `${path.includes('?') ? '&' : '?'}jwt=${token}`;
      const authorization = token && (route.kind !== 'page' || query) ? `JWT ${token}` : undefined;
      const response = await call(target, route.method, path, { authorization, body: bodyFor(route) });
      cases += 1;
      if (tolerated ? response.status !== 204 : response.status !== 401) {
        failures.push(`${route.method} ${route.path} [${name}] → ${response.status} ${response.text.slice(0, 120)}`);
      }
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 300)); // let any (wrongly) queued job run before comparing
  assert.deepEqual(failures, [], `${failures.length} of ${cases} cases were not refused with 401`);
  assert.equal(snapshot(), before, 'a refused request changed stored state');
  assert.equal(siteA.calls.length + siteB.calls.length, callsBefore, 'a refused request made Doppel call Jira');
  assert.equal(indexRow(siteA.clientKey, FORGED.key), null, 'the forged issue reached the index');
  console.log(`# negative matrix: ${routes.length} routes, ${cases} cases, all refused`);
});

test('install edge cases: base URL outside the allowlist → 403, unknown kid → 401, malformed webhook → 400', async () => {
  const stranger = new FakeJira({ keyServer });
  stranger.baseUrl = 'https://evil.example.com';
  const outside = await stranger.install(target);
  assert.equal(outside.status, 403, outside.text);
  const unknownKid = await siteA.install(target, { token: siteA.installToken(target, '/lifecycle/installed', { signKid: 'kid-nobody-knows', signKey: crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey }) });
  assert.equal(unknownKid.status, 401, unknownKid.text);
  assert.equal(sql(`SELECT count(*) FROM tenants WHERE tenant_id = ${quote(stranger.clientKey)}`), '0');
  const malformed = await siteA.sendWebhook(target, '{"webhookEvent": "jira:issue_created", "issue": ');
  assert.equal(malformed.status, 400, malformed.text);
  const wrongAud = await siteA.install(target, { token: siteA.installToken(target, '/lifecycle/installed', { aud: ['https://someone-else.example'] }) });
  assert.equal(wrongAud.status, 401, wrongAud.text);
});

test('reinstall with a new secret rotates it: old-secret tokens fail, new ones work', async () => {
  const { response, oldSecret } = await siteA.reinstallWithNewSecret(target);
  assert.equal(response.status, 204, response.text);
  const path = `/api/issues/${copy.key}/similar?limit=5`;
  const oldToken = siteA.contextToken({ secret: oldSecret });
  assert.equal((await siteA.api(target, 'GET', path, { token: oldToken })).status, 401, 'old secret still accepted');
  const oldWebhook = await siteA.sendWebhook(target, siteA.webhookBody('created', FORGED), { token: siteA.computedToken(target, 'POST', '/webhooks/jira', { secret: oldSecret }) });
  assert.equal(oldWebhook.status, 401);
  const fresh = await siteA.api(target, 'GET', path);
  assert.equal(fresh.status, 200, fresh.text);
  assert.ok(candidatesOf(fresh).includes(original.key), 'a rotation keeps the index');
  // Doppel now signs its Jira calls with the new secret.
  const before = siteA.calls.length;
  assert.equal((await siteA.api(target, 'POST', `/api/pairs/${copy2.key}/${original.key}/link`)).status, 200);
  assert.ok(siteA.calls.slice(before).every((c) => c.authOk), 'calls after rotation signed with the new secret');
  assert.equal(sql(`SELECT state FROM backfill_progress WHERE tenant_id = ${quote(siteA.clientKey)}`), 'done', 'a rotation does not restart the backfill');
});

test('enabled/disabled change the tenant state; uninstall makes every token fail', async () => {
  assert.equal((await siteA.lifecycle(target, 'disabled')).status, 204);
  assert.equal(sql(`SELECT state FROM tenants WHERE tenant_id = ${quote(siteA.clientKey)}`), 'disabled');
  assert.equal((await siteA.lifecycle(target, 'enabled')).status, 204);
  assert.equal(sql(`SELECT state FROM tenants WHERE tenant_id = ${quote(siteA.clientKey)}`), 'enabled');

  const response = await siteA.uninstall(target);
  assert.equal(response.status, 204, response.text);
  assert.equal(sql(`SELECT state FROM tenants WHERE tenant_id = ${quote(siteA.clientKey)}`), 'uninstalled');
  assert.equal((await siteA.api(target, 'GET', `/api/issues/${copy.key}/similar`)).status, 401);
  assert.equal((await siteA.sendWebhook(target, siteA.webhookBody('created', FORGED))).status, 401);
  const page = await call(target, 'GET', `/pages/panel?issueKey=${copy.key}&issueId=${copy.id}&projectKey=HADOOP&jwt=${siteA.computedToken(target, 'GET', `/pages/panel?issueKey=${copy.key}&issueId=${copy.id}&projectKey=HADOOP`)}`);
  assert.equal(page.status, 401);
  assert.equal((await call(target, 'POST', '/lifecycle/disabled', { body: siteA.installBody({ eventType: 'disabled' }) })).status, 204,
    'disabled without a token after uninstall is acknowledged');
  assert.equal(sql(`SELECT state FROM tenants WHERE tenant_id = ${quote(siteA.clientKey)}`), 'uninstalled');
  // The other site is unaffected.
  const other = await siteB.api(target, 'GET', '/api/status');
  assert.equal(other.status, 200, other.text);
});

test('a page opens with a computed-qsh token for the second site', async () => {
  const issue = [...siteB.issues.values()][0];
  const path = `/pages/panel?issueKey=${issue.key}&issueId=${issue.id}&projectKey=${issue.fields.project.key}`;
  const response = await call(target, 'GET', `${path}&jwt=${siteB.computedToken(target, 'GET', path)}`);
  if (response.status === 503 && response.json?.error === 'frontend_missing') {
    console.log('# frontend/dist is not built: the page answers 503 frontend_missing (token accepted)');
    return;
  }
  assert.equal(response.status, 200, response.text.slice(0, 300));
  assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors/);
});

// Create-dialog hints: the built Forge UI modifications page (frontend/dist-forge/uim.html) in Debian's Chromium,
// served from loopback, under a stand-in for Jira's create dialog. The stand-in is the host end of the Custom UI
// bridge (window.__bridge.callBridge) as the real @forge/jira-bridge 0.40.1 and @forge/bridge 7.2.0 bundled in
// the page call it: getUiModificationsInternalAPI (onInit data, registerFields, subscribeToChanges, submit),
// getContext, and invoke (invokeRemote), which this file answers from Node. So the page runs with the real
// uiModificationsApi (change buffer, submit after the callback's Promise) and the real invokeRemote.
// Covers: no ask for a short summary, hints appear, update on a new summary, clear, survive a slow and a
// failing backend, a slow older answer never beats a newer one, only Summary is ever changed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCE_DIR = process.env.DOPPEL_SOURCE_DIR ?? resolve(HERE, '../..');
const CHROMIUM = process.env.DOPPEL_CHROMIUM ?? '/usr/bin/chromium';
const DIST = join(SOURCE_DIR, 'frontend', 'dist-forge');
const WAIT_MS = 15_000;
/** The page gives up on an answer after 8 s (frontend/src/uim/main.ts); "slow" here stays well inside that. */
const SLOW_MS = 1500;

function ensureForgeBuild() {
  const cwd = join(SOURCE_DIR, 'frontend');
  const page = join(DIST, 'uim.html');
  const sources = join(cwd, 'src', 'uim');
  const fresh = existsSync(page) && ['hints.ts', 'controller.ts', 'main.ts'].every((f) => statSync(join(sources, f)).mtimeMs <= statSync(page).mtimeMs);
  if (fresh) return;
  if (!existsSync(join(cwd, 'node_modules'))) execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd, stdio: 'inherit' });
  execFileSync('npm', ['run', 'build:forge'], { cwd, stdio: 'inherit' });
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

/** Static files of the Forge build on 127.0.0.1 (Custom UI serves each resource from its own origin likewise). */
function serveDist() {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = normalize(join(DIST, path === '/' ? 'uim.html' : path));
    if (!file.startsWith(DIST + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

// The create dialog's side of the bridge, run in the page before its scripts (page.addInitScript).
// Field data is the ReceivedFieldData shape of @forge/jira-bridge; submit applies only registered fields' changes,
// as UIM blocks changes to fields the registerFields callback did not return.
function dialogHost() {
  const field = (fieldId, fieldType, fieldName, value, description = '') =>
    ({ fieldId, fieldType, fieldName, value, description, isVisible: true, isReadOnly: false, isRequired: fieldId === 'summary' });
  const host = {
    form: {
      summary: field('summary', 'summary', 'Summary', ''),
      description: field('description', 'description', 'Description', ''),
      priority: field('priority', 'priority', 'Priority', { id: '3', name: 'Medium' }),
    },
    registered: {},
    submits: [],
    blocked: [],
    bridgeErrors: [],
    subscribers: [],
    remoteCalls: [],
    contextCalls: 0,
    nextChange: 0,
  };
  const uiModifications = [{ id: 'uim-0001', data: '{"doppel":1}' }];
  const snapshot = () => JSON.parse(JSON.stringify(host.form));
  const internal = {
    data: { onInitChangeId: 'init-1', uiModifications },
    actions: {
      getOnInitData: async () => ({ currentFormState: snapshot(), currentScreenTabsState: [] }),
      registerFields: async ({ fields, changeId }) => { host.registered[changeId] = fields; },
      subscribeToChanges: async (callback) => { host.subscribers.push(callback); },
      submit: async ({ fieldsChanges, screenTabsChanges, changeId }) => {
        for (const [id, changes] of Object.entries(fieldsChanges)) {
          if (!(host.registered[changeId] ?? []).includes(id)) { host.blocked.push({ changeId, id, changes }); continue; }
          Object.assign(host.form[id], changes);
        }
        host.submits.push({ changeId, fieldsChanges, screenTabsChanges });
      },
      onBridgeError: (e) => host.bridgeErrors.push(String(e?.error)),
    },
  };
  // The user edits a field and leaves it (text fields report a change on blur).
  host.blur = (id, value) => {
    host.form[id].value = value;
    const changeId = `change-${++host.nextChange}`;
    for (const callback of host.subscribers) {
      callback({ changedFieldId: id, changeId, currentFormState: snapshot(), currentScreenTabsState: [], uiModifications });
    }
    return changeId;
  };
  window.__dialog = host;
  window.__bridge = {
    callBridge: async (name, payload) => {
      if (name === 'getUiModificationsInternalAPI') return internal;
      if (name === 'getContext') {
        host.contextCalls++;
        return { siteUrl: 'https://acme-uim.atlassian.net', extension: { type: 'jira:uiModifications', viewType: 'GIC', project: { id: '10100', key: 'UI', type: 'software' }, issueType: { id: '10001', name: 'Bug' } } };
      }
      if (name === 'invoke') {
        host.remoteCalls.push(payload);
        return window.__doppelRemote(payload); // answered by the test (page.exposeFunction)
      }
      throw new Error(`callBridge ${name} is not part of this stand-in`);
    },
  };
}

let server;
let browser;
let profileDir;
let baseUrl;
/** How the remote answers the next invokeRemote calls: (payload) => Promise<callBridge answer>. */
let remote = async () => ({ success: true, payload: { status: 200, headers: {}, body: { issue: null, candidates: [] } } });

const ok = (candidates) => ({ success: true, payload: { status: 200, headers: { 'content-type': ['application/json'] }, body: { issue: null, candidates } } });
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const cand = (key, likelihood, tier, summary) => ({ key, summary, likelihood, tier, score: likelihood, url: `https://acme-uim.atlassian.net/browse/${key}`, project: key.split('-')[0] });

before(async () => {
  ensureForgeBuild();
  server = await serveDist();
  baseUrl = `http://127.0.0.1:${server.address().port}`;
  profileDir = mkdtempSync(join(tmpdir(), 'doppel-uim-chromium-'));
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close().catch(() => {});
  await new Promise((done) => (server ? server.close(done) : done()));
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

/** Opens the page in a fresh create dialog and waits until it has subscribed to changes and finished onInit. */
async function openDialog() {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.exposeFunction('__doppelRemote', (payload) => remote(payload));
  await page.addInitScript(dialogHost);
  await page.goto(`${baseUrl}/uim.html`);
  await page.waitForFunction(() => window.__dialog.subscribers.length === 1 && window.__dialog.submits.some((s) => s.changeId === 'init-1'), null, { timeout: WAIT_MS });
  return { page, problems };
}

const dialog = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.__dialog)));
const summaryHint = async (page) => (await dialog(page)).form.summary.description;

/** The user leaves a field with a new value; resolves with the change id once the page has submitted for it. */
async function blur(page, id, value) {
  const changeId = await page.evaluate(([f, v]) => window.__dialog.blur(f, v), [id, value]);
  return changeId;
}
async function settled(page, changeId) {
  await page.waitForFunction((c) => window.__dialog.submits.some((s) => s.changeId === c), changeId, { timeout: WAIT_MS });
  return (await dialog(page)).submits.find((s) => s.changeId === changeId);
}

/** Nothing but Summary's description was ever changed, nothing was blocked, the bridge saw no error. */
async function assertOnlySummaryTouched(page, problems) {
  const d = await dialog(page);
  assert.deepEqual(d.blocked, []);
  assert.deepEqual(d.bridgeErrors, []);
  assert.deepEqual(problems, []);
  for (const s of d.submits) {
    for (const [id, changes] of Object.entries(s.fieldsChanges)) {
      assert.equal(id, 'summary', `submit ${s.changeId} changed ${id}`);
      assert.deepEqual(Object.keys(changes), ['description'], `submit ${s.changeId} changed more than the description`);
    }
  }
  assert.equal(d.form.priority.description, '');
  assert.equal(d.form.description.description, '');
}

test('hints appear for a draft with likely duplicates, update on a new summary, and clear', async () => {
  remote = async (payload) => {
    const { summary } = payload.body;
    if (/checkout/i.test(summary)) {
      return ok([cand('UI-1', 0.62, 'likely', 'Checkout page freezes when applying a discount code'), cand('UI-2', 0.91, 'likely', 'Applying a discount code freezes the checkout page'),
        cand('UI-9', 0.97, 'related', 'Checkout button colour'), cand('UI-3', 0.77, 'likely', 'Checkout freezes after entering a coupon'), cand('OPS-6', 0.55, 'likely', 'Mobile checkout freezes')]);
    }
    if (/dark mode/i.test(summary)) return ok([cand('UI-4', 0.83, 'likely', 'Dark mode toggle missing from account settings')]);
    return ok([cand('UI-5', 0.4, 'related', 'Something else')]);
  };
  const { page, problems } = await openDialog();
  try {
    // The dialog opened with an empty summary: onInit asked nothing and changed nothing.
    let d = await dialog(page);
    assert.equal(d.remoteCalls.length, 0);
    assert.deepEqual(d.submits.find((s) => s.changeId === 'init-1').fieldsChanges, {});
    assert.deepEqual(d.registered['init-1'], ['summary']);

    // Too short: no ask.
    let change = await blur(page, 'summary', 'Checkout');
    assert.deepEqual((await settled(page, change)).fieldsChanges, {});
    assert.equal((await dialog(page)).remoteCalls.length, 0);

    change = await blur(page, 'summary', 'Checkout freezes with discount code');
    await settled(page, change);
    d = await dialog(page);
    assert.equal(d.remoteCalls.length, 1);
    const call = d.remoteCalls[0];
    assert.equal(call.path, '/api/similar');
    assert.equal(call.method, 'POST');
    assert.equal(call.invokeType, 'ui-remote-fetch');
    assert.deepEqual(call.body, { summary: 'Checkout freezes with discount code', description: '', projectKey: 'UI', issueType: 'Bug' });
    assert.deepEqual(d.registered[change], ['summary']);
    assert.equal(d.form.summary.description,
      'Possible duplicates: UI-2 "Applying a discount code freezes the checkout page" (91% likely); UI-3 "Checkout freezes after entering a coupon" (77% likely); UI-1 "Checkout page freezes when applying a discount code" (62% likely)');

    // A description change asks again with the description's text (an ADF document in the new editor).
    change = await blur(page, 'description', { version: 1, type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Spinner never stops.' }] }] });
    await settled(page, change);
    d = await dialog(page);
    assert.equal(d.remoteCalls.at(-1).body.description, 'Spinner never stops.');

    // A new summary: new hints.
    change = await blur(page, 'summary', 'Dark mode toggle is gone');
    await settled(page, change);
    assert.equal(await summaryHint(page), 'Possible duplicate: UI-4 "Dark mode toggle missing from account settings" (83% likely)');

    // No likely candidate: the hint goes away.
    change = await blur(page, 'summary', 'Totally unrelated wording here');
    assert.deepEqual((await settled(page, change)).fieldsChanges, { summary: { description: '' } });
    assert.equal(await summaryHint(page), '');

    // An unrelated field: no ask, nothing registered.
    const before = (await dialog(page)).remoteCalls.length;
    change = await blur(page, 'priority', { id: '1', name: 'Highest' });
    assert.deepEqual((await settled(page, change)).fieldsChanges, {});
    d = await dialog(page);
    assert.equal(d.remoteCalls.length, before);
    assert.deepEqual(d.registered[change], []);
    await assertOnlySummaryTouched(page, problems);
  } finally {
    await page.close();
  }
});

test('a slow backend still gets its hint in; a failing one leaves the dialog as it was', async () => {
  let mode = 'slow';
  remote = async () => {
    if (mode === 'slow') {
      await sleep(SLOW_MS);
      return ok([cand('UI-2', 0.88, 'likely', 'Applying a discount code freezes the checkout page')]);
    }
    if (mode === 'status') return { success: false, error: { status: 500, headers: {}, body: { error: 'internal' } } };
    if (mode === 'forbidden') return { success: true, payload: { status: 403, headers: {}, body: { error: 'forbidden' } } };
    throw new Error('remote unreachable');
  };
  const { page, problems } = await openDialog();
  try {
    const started = Date.now();
    let change = await blur(page, 'summary', 'Checkout freezes with discount code');
    assert.equal(await summaryHint(page), '', 'nothing is written before the answer');
    await settled(page, change);
    assert.ok(Date.now() - started >= SLOW_MS - 50, 'the change was held until the slow answer');
    const hint = 'Possible duplicate: UI-2 "Applying a discount code freezes the checkout page" (88% likely)';
    assert.equal(await summaryHint(page), hint);

    for (const failure of ['status', 'forbidden', 'throw']) {
      mode = failure;
      change = await blur(page, 'summary', `Another summary that fails ${failure}`);
      const submit = await settled(page, change);
      assert.deepEqual(submit.fieldsChanges, {}, `${failure}: no setDescription at all`);
      assert.equal(await summaryHint(page), hint, `${failure}: the dialog keeps what it showed`);
    }
    await assertOnlySummaryTouched(page, problems);
  } finally {
    await page.close();
  }
});

test('a slow first answer arriving after a fast second one never wins', async () => {
  remote = async (payload) => {
    if (/first/.test(payload.body.summary)) {
      await sleep(SLOW_MS);
      return ok([cand('UI-1', 0.95, 'likely', 'Stale answer for the first summary')]);
    }
    return ok([cand('UI-3', 0.7, 'likely', 'Fresh answer for the second summary')]);
  };
  const { page, problems } = await openDialog();
  try {
    const first = await blur(page, 'summary', 'The first summary typed');
    await page.waitForFunction(() => window.__dialog.remoteCalls.length === 1, null, { timeout: WAIT_MS });
    const second = await blur(page, 'summary', 'The second summary typed');
    assert.deepEqual((await settled(page, second)).fieldsChanges, { summary: { description: 'Possible duplicate: UI-3 "Fresh answer for the second summary" (70% likely)' } });
    const stale = await settled(page, first);
    const d = await dialog(page);
    assert.ok(d.submits.indexOf(d.submits.find((s) => s.changeId === first)) > d.submits.indexOf(d.submits.find((s) => s.changeId === second)), 'the first answer came in last');
    assert.deepEqual(stale.fieldsChanges, {}, 'the stale answer wrote nothing');
    assert.equal(d.form.summary.description, 'Possible duplicate: UI-3 "Fresh answer for the second summary" (70% likely)');
    await assertOnlySummaryTouched(page, problems);
  } finally {
    await page.close();
  }
});

// The fake platform's UI modification entity (lib/fake_uim.mjs), over HTTP as Doppel will call it: what a later
// install / scope change / uninstall e2e relies on.
test('fake Jira: the UI modifications REST API records and validates calls as documented', async () => {
  const { FakeJira } = await import('./lib/fake_jira.mjs');
  const { FakeUiModifications, UIM_PATH } = await import('./lib/fake_uim.mjs');
  const site = await new FakeJira({ forge: true, basePath: '/ex/jira/cloud-uim' }).start();
  const uim = new FakeUiModifications({ projects: ['10100', '10200'] }).attach(site);
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const token = `${b64({ alg: 'RS256' })}.${b64({ exp: Math.floor(Date.now() / 1000) + 600 })}.sig`;
  site.bearerTokens.add(token);
  const rest = async (method, path, body, auth = `Bearer ${token}`) => {
    const response = await fetch(`${site.baseUrl}${path}`, { method, headers: { authorization: auth, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  };
  try {
    const entity = { name: 'Doppel duplicate hints', description: 'Likely duplicates under Summary', data: '{"v":1}', contexts: [{ projectId: '10100', issueTypeId: null, viewType: 'GIC' }] };
    const created = await rest('POST', UIM_PATH, entity);
    assert.equal(created.status, 201);
    assert.match(created.json.id, /^[0-9a-f-]{36}$/);
    assert.equal(created.json.self, `${site.baseUrl}${UIM_PATH}/${created.json.id}`);

    // Documented refusals: two wildcards, unknown project, JSM without portal, no name, a non-Forge caller.
    assert.equal((await rest('POST', UIM_PATH, { ...entity, contexts: [{ projectId: null, issueTypeId: null, viewType: 'GIC' }] })).status, 400);
    assert.equal((await rest('POST', UIM_PATH, { ...entity, contexts: [{ projectId: '99999', issueTypeId: null, viewType: 'GIC' }] })).status, 404);
    assert.equal((await rest('POST', UIM_PATH, { ...entity, contexts: [{ requestTypeId: '5', viewType: 'JSMRequestCreate' }] })).status, 400);
    assert.equal((await rest('POST', UIM_PATH, { contexts: [] })).status, 400);
    assert.equal((await rest('POST', UIM_PATH, entity, 'Bearer not-issued')).status, 401);

    let listed = await rest('GET', `${UIM_PATH}?expand=data,contexts`);
    assert.equal(listed.status, 200);
    assert.equal(listed.json.total, 1);
    assert.deepEqual(listed.json.values[0].contexts.map(({ projectId, issueTypeId, viewType }) => ({ projectId, issueTypeId, viewType })), entity.contexts);
    assert.equal(listed.json.values[0].data, '{"v":1}');
    assert.equal((await rest('GET', UIM_PATH)).json.values[0].contexts, undefined, 'contexts only with expand');

    // Scope change: PUT replaces all contexts.
    const scoped = [{ projectId: '10100', issueTypeId: null, viewType: 'GIC' }, { projectId: '10200', issueTypeId: null, viewType: 'GIC' }];
    assert.equal((await rest('PUT', `${UIM_PATH}/${created.json.id}`, { contexts: scoped })).status, 204);
    listed = await rest('GET', `${UIM_PATH}?expand=contexts`);
    assert.deepEqual(listed.json.values[0].contexts.map((c) => c.projectId), ['10100', '10200']);
    assert.equal(listed.json.values[0].name, entity.name, 'PUT keeps what it does not name');

    // Uninstall: DELETE, then the entity is gone.
    assert.equal((await rest('DELETE', `${UIM_PATH}/${created.json.id}`)).status, 204);
    assert.equal((await rest('DELETE', `${UIM_PATH}/${created.json.id}`)).status, 404);
    assert.equal((await rest('PUT', `${UIM_PATH}/${created.json.id}`, { contexts: scoped })).status, 404);
    assert.deepEqual(uim.list(), []);

    // The record a later e2e asserts on (the 401 never reached the UIM routes: the site refused the token first).
    assert.deepEqual(uim.calls.map((c) => `${c.method} ${c.status}`), ['POST 201', 'POST 400', 'POST 404', 'POST 400', 'POST 400', 'GET 200', 'GET 200', 'PUT 204', 'GET 200', 'DELETE 204', 'DELETE 404', 'PUT 404']);
    assert.deepEqual(uim.callsOf('POST')[0].body, entity);
    assert.ok(uim.calls.every((c) => c.authorization === `Bearer ${token}`));
    assert.equal(site.calls.filter((c) => c.path.startsWith(UIM_PATH) && !c.authOk).length, 1);
  } finally {
    await site.close();
  }
});

// End-to-end: the one-command demo. Runs deploy/demo.sh (fresh test database, free ports, a small dataset slice),
// waits for its single `demo: open <URL>` line, and drives the demo Jira site in Debian's Chromium (playwright-core):
// find a replayed issue that really duplicates a loaded one, see the original in Doppel's panel (hosted through the
// site's Connect bridge, with Atlassian's all.js from the atlassian-connect-js package standing in for the CDN copy),
// link it, see the Jira link on the site's issue pages, dismiss/restore, and open the admin and dashboard pages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import readline from 'node:readline';
import { chromium } from 'playwright-core';
import { freshDatabaseUrl, psql, ADMIN_DB_URL } from './lib/doppel.mjs';
import { demoSlice } from './lib/demo_dataset.mjs';
import { SOURCE_DIR } from './lib/fake_jira.mjs';

const CHROMIUM = process.env.DOPPEL_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOT_DIR = join(process.env.DOPPEL_TEST_OUTPUT_DIR ?? join(SOURCE_DIR, 'test-output'), 'screenshots');
const ALL_JS = readFileSync(createRequire(import.meta.url).resolve('atlassian-connect-js/dist/iframe.js'));
const SLICE = { backfill: 500, replay: 45 };
const READY_TIMEOUT_MS = 300_000;
const UI_TIMEOUT_MS = 30_000;

let demo; // {child, lines, exited}
let databaseUrl;
let browser;
let siteUrl;
const pageErrors = [];

function startDemo(env) {
  const child = spawn('bash', [join(SOURCE_DIR, 'deploy/demo.sh'), '--backfill', String(SLICE.backfill), '--replay', String(SLICE.replay),
    '--rate', '20', '--port', '0', '--site-port', '0'], { cwd: SOURCE_DIR, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const lines = [];
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const opened = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "demo: open" line within ${READY_TIMEOUT_MS} ms; output:\n${lines.join('\n')}\n${stderr}`)), READY_TIMEOUT_MS);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      const m = /^demo: open (\S+)$/.exec(line);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    exited.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`demo.sh exited (${code ?? signal}) before it was ready:\n${lines.join('\n')}\n${stderr}`)); });
  });
  return { child, lines, exited, opened };
}

async function stopDemo() {
  if (!demo || demo.child.exitCode !== null || demo.child.signalCode !== null) return;
  process.kill(-demo.child.pid, 'SIGTERM');
  const timer = setTimeout(() => { try { process.kill(-demo.child.pid, 'SIGKILL'); } catch { /* already gone */ } }, 15_000);
  await demo.exited;
  clearTimeout(timer);
}

// The app iframe on a site page, once all.js connected it to the site's host bridge.
async function appFrame(page) {
  await page.locator('#connect-frame[data-connected="true"]').waitFor({ timeout: UI_TIMEOUT_MS });
  return page.frameLocator('#connect-frame iframe');
}

before(async () => {
  assert.ok(process.env.DOPPEL_BIN, 'DOPPEL_BIN must name the built doppel binary');
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium package`);
  assert.ok(ADMIN_DB_URL, 'DOPPEL_TEST_DATABASE_URL must be set: run through deploy/test.sh');
  assert.ok(existsSync(join(SOURCE_DIR, 'frontend/dist/panel.html')), 'the frontend must be built (deploy/build.sh)');
  databaseUrl = freshDatabaseUrl('doppel_e2e_demo');
  const started = Date.now();
  demo = startDemo({ ...process.env, DOPPEL_DATABASE_URL: databaseUrl });
  siteUrl = await demo.opened;
  console.log(`# demo ready in ${((Date.now() - started) / 1000).toFixed(1)} s (backfill ${SLICE.backfill})`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close().catch(() => {});
  await stopDemo();
  if (databaseUrl) psql(ADMIN_DB_URL, `DROP DATABASE IF EXISTS ${new URL(databaseUrl).pathname.slice(1)} WITH (FORCE)`);
});

test('demo.sh prints one "demo: open" line with a loopback URL, and few lines before it', () => {
  const opens = demo.lines.filter((l) => l.startsWith('demo: open'));
  assert.equal(opens.length, 1, demo.lines.join('\n'));
  assert.match(siteUrl, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.ok(demo.lines.length <= 6, `keep the output short:\n${demo.lines.join('\n')}`);
});

test('a newcomer finds a replayed duplicate, sees the original in the panel, links it and sees the Jira link', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  // The browser here has no internet: serve Atlassian's all.js (the npm build of the CDN file) at the CDN address.
  await context.route('https://connect-cdn.atl-paas.net/all.js', (route) =>
    route.fulfill({ status: 200, contentType: 'application/javascript', body: ALL_JS }));
  const open = async (path) => {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${path}: ${error.message}`));
    await page.goto(new URL(path, siteUrl).toString());
    return page;
  };

  // The list: the project filter narrows it; replayed issues arrive while we look.
  const list = await open('/');
  await list.locator('select[name="project"]').selectOption('HADOOP');
  await list.locator('form.filters button[type="submit"]').click();
  await list.waitForURL(/project=HADOOP/);
  const projects = await list.locator('table.issues tbody tr td:first-child a').allTextContents();
  assert.ok(projects.length > 0 && projects.every((k) => k.startsWith('HADOOP-')), `project filter: ${projects.slice(0, 5)}`);

  const duplicates = demoSlice(SLICE).replay.filter((r) => r.duplicateOf.length);
  assert.ok(duplicates.length >= 3, 'the slice replays real duplicates');
  let found;
  for (const { issue, duplicateOf } of duplicates) {
    // Search for it (it may still be on its way: the replay runs in the background).
    const deadline = Date.now() + UI_TIMEOUT_MS;
    for (;;) {
      await list.goto(new URL('/', siteUrl).toString());
      await list.locator('input[name="q"]').fill(issue.key);
      await list.locator('form.filters button[type="submit"]').click();
      await list.waitForURL(/q=/);
      if (await list.locator(`tr[data-key="${issue.key}"]`).count()) break;
      assert.ok(Date.now() < deadline, `${issue.key} never appeared in the issue list`);
      await list.waitForTimeout(250);
    }
    await list.locator(`tr[data-key="${issue.key}"] a.summary`).click();
    await list.waitForURL(new RegExp(`/browse/${issue.key}$`));
    assert.equal(await list.locator('#summary').textContent(), issue.fields.summary);
    const frame = await appFrame(list);
    await frame.locator('[data-testid="panel-ready"]').waitFor({ timeout: UI_TIMEOUT_MS });
    const shown = await frame.locator('li.doppel-candidate').evaluateAll((items) => items.map((li) => li.dataset.testid.replace('candidate-', '')));
    const original = duplicateOf.find((key) => shown.includes(key));
    if (original) { found = { issue, original, shown }; break; }
  }
  assert.ok(found, 'the panel shows the real original of at least one replayed duplicate');
  const { issue, original, shown } = found;
  const frame = list.frameLocator('#connect-frame iframe');
  const height = await list.locator('#connect-frame iframe').evaluate((f) => f.getBoundingClientRect().height);
  assert.ok(height > 150, `the panel resized its iframe through the bridge (height ${height})`);

  // Link: confirm in the panel, a host flag reports it, and the site's issue pages show the Jira link.
  await frame.locator(`[data-testid="link-${original}"]`).click();
  await frame.locator(`[data-testid="confirm-link-${original}"]`).click();
  await list.locator('#flags .flag[data-type="success"]').first().waitFor({ timeout: UI_TIMEOUT_MS });
  await frame.locator(`[data-testid="candidate-${original}"]`, { hasText: 'Linked as duplicate' }).waitFor({ timeout: UI_TIMEOUT_MS });
  const linkItem = list.locator(`#issue-links li.issue-link[data-key="${original}"]`);
  await linkItem.waitFor({ timeout: UI_TIMEOUT_MS }); // the open page picks the new Jira link up
  await list.reload();
  assert.match(await linkItem.textContent(), /^duplicates\s/);
  const originalPage = await open(`/browse/${original}`);
  assert.match(await originalPage.locator(`#issue-links li.issue-link[data-key="${issue.key}"]`).textContent(), /^is duplicated by\s/);
  await originalPage.close();

  // Dismiss and restore another candidate.
  const other = shown.find((key) => key !== original);
  if (other) {
    const again = await appFrame(list);
    await again.locator('[data-testid="panel-ready"]').waitFor({ timeout: UI_TIMEOUT_MS });
    await again.locator(`[data-testid="dismiss-${other}"]`).click();
    await again.locator(`[data-testid="undo-${other}"]`).click();
    await again.locator(`[data-testid="dismiss-${other}"]`).waitFor({ timeout: UI_TIMEOUT_MS });
  }

  // Navigation: the candidate's key opens its issue in the site (AP.navigator.go or a top-level link).
  const panel = await appFrame(list);
  await panel.locator('[data-testid="panel-ready"]').waitFor({ timeout: UI_TIMEOUT_MS });
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await list.screenshot({ path: join(SCREENSHOT_DIR, 'demo.png') });
  await panel.locator(`[data-testid="candidate-${original}"] a.doppel-candidate__key`).click();
  await list.waitForURL(new RegExp(`/browse/${original}$`), { timeout: UI_TIMEOUT_MS });

  // Admin page and dashboard, hosted the same way for the site admin.
  await list.locator('header nav a', { hasText: 'admin' }).click();
  const admin = await appFrame(list);
  await admin.locator('[data-testid="settings-form"]').waitFor({ timeout: UI_TIMEOUT_MS });
  await list.locator('header nav a', { hasText: 'Duplicate review' }).click();
  const dashboard = await appFrame(list);
  const confirmed = dashboard.locator('[data-testid="headline-confirmed"]');
  await confirmed.waitFor({ timeout: UI_TIMEOUT_MS });
  // The link counts as a confirmed duplicate (the headline fills in once the summary has loaded).
  await dashboard.locator('[data-testid="headline-confirmed"]', { hasText: /^[1-9][\d,]*$/ }).waitFor({ timeout: UI_TIMEOUT_MS })
    .catch(async (error) => assert.fail(`confirmed headline: "${await confirmed.textContent()}" (${error.message})`));
  await context.close();
  assert.deepEqual(pageErrors, []);
});

test('Ctrl-C stops Doppel and the demo site', async () => {
  const doppelUrl = demo.lines.map((l) => /^demo: starting Doppel on (\S+)/.exec(l)?.[1]).find(Boolean);
  assert.ok(doppelUrl, demo.lines.join('\n'));
  assert.equal((await fetch(`${doppelUrl}/atlassian-connect.json`)).status, 200);
  process.kill(-demo.child.pid, 'SIGINT'); // what the terminal sends the foreground process group
  const timer = setTimeout(() => { try { process.kill(-demo.child.pid, 'SIGKILL'); } catch { /* gone */ } }, 30_000);
  const { code, signal } = await demo.exited;
  clearTimeout(timer);
  assert.equal(code, 0, `demo exit: ${code ?? signal}`);
  for (const url of [siteUrl, `${doppelUrl}/atlassian-connect.json`]) {
    await assert.rejects(fetch(url, { signal: AbortSignal.timeout(5_000) }), `${url} still answers after the demo stopped`);
  }
});

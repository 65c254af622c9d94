// The one-command demo: `doppel serve` plus a demo Jira site on loopback (lib/demo_site.mjs) seeded from the Hadoop
// dataset, the app installed into it as Jira installs it, new issues replayed in the background; prints one line
// `demo: open <URL>` once the backfill is done. Usage: node demo-jira.mjs [--backfill N] [--replay M] [--rate R]
// [--port P] [--site-port S] (P/S 0 = any free port). Env: DOPPEL_BIN, DOPPEL_DATABASE_URL or DOPPEL_DATA_DIR.
import net from 'node:net';
import { parseArgs } from 'node:util';
import { startDoppel } from './lib/doppel.mjs';
import { demoSlice } from './lib/demo_dataset.mjs';
import { DemoJira } from './lib/demo_site.mjs';
import { doppelEnv, eventually, startInstallKeyServer } from './lib/fake_jira.mjs';

const { values } = parseArgs({
  options: {
    backfill: { type: 'string', default: '2000' },
    replay: { type: 'string', default: '150' },
    rate: { type: 'string', default: '1' },
    port: { type: 'string', default: process.env.DOPPEL_PORT ?? '8080' },
    'site-port': { type: 'string', default: process.env.DEMO_SITE_PORT ?? '8081' },
  },
});
const startedAt = Date.now();
const rate = Number(values.rate);

// A free loopback port when asked for 0 (Doppel's base URL must name its port before it starts).
async function portFor(wanted) {
  if (Number(wanted) !== 0) return Number(wanted);
  const probe = net.createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const { seed, replay } = demoSlice({ backfill: Number(values.backfill), replay: Number(values.replay) });
const keyServer = await startInstallKeyServer();
const site = await new DemoJira({ keyServer }).start(Number(values['site-port']));
site.loadIssues(seed);
const port = await portFor(values.port);
const baseUrl = process.env.DOPPEL_BASE_URL ?? `http://127.0.0.1:${port}`;
console.log(`demo: starting Doppel on ${baseUrl} and a demo Jira site with ${seed.length} Apache Hadoop issues`);

const doppel = await startDoppel(doppelEnv({
  databaseUrl: process.env.DOPPEL_DATABASE_URL,
  keyServer,
  baseUrl,
  secretKey: process.env.DOPPEL_SECRET_KEY,
  dataDir: process.env.DOPPEL_DATA_DIR,
  extra: { DOPPEL_PORT: String(port) },
}), { timeoutMs: 180_000 });
const target = { url: doppel.url, baseUrl };

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  setTimeout(() => doppel.child.kill('SIGKILL'), 15_000).unref();
  // Removing the app from the site, as an admin would: Doppel keeps the data for its retention period, then purges.
  if (site.app) await site.uninstall(target).catch(() => {});
  await doppel.stop('SIGTERM');
  await site.close();
  await keyServer.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('exit', () => doppel.child.kill('SIGKILL'));
doppel.exited.then(({ code, signal }) => {
  if (stopping) return;
  console.log(`demo: doppel serve exited (${code ?? signal}); last log lines:\n${doppel.logs.slice(-10).map((l) => JSON.stringify(l)).join('\n')}`);
  process.exit(1);
});

await site.installApp(target);
await eventually(async () => (await site.api(target, 'GET', '/api/status', { token: site.contextTokenForUser() })).json?.backfill?.state === 'done',
  'backfill', { timeoutMs: 600_000, intervalMs: 250 });
console.log(`demo: app installed and ${seed.length} issues backfilled; ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
console.log(`demo: open ${site.baseUrl}/`);

// Background: new issues arrive as Jira creates them (created now, still open) and Jira delivers their webhooks.
for (const { issue } of replay) {
  if (stopping) break;
  if (rate > 0) await new Promise((resolve) => setTimeout(resolve, 1000 / rate));
  const stamp = new Date().toISOString().replace('Z', '+0000');
  const created = { ...issue, fields: { ...issue.fields, created: stamp, updated: stamp, status: { name: 'Open' } } };
  delete created.fields.resolution;
  site.loadIssues([created]);
  site.replayedKeys.add(created.key);
  const delivered = await site.deliver(target, site.webhookBody('created', created));
  if (delivered.status >= 300 && !stopping) console.log(`demo: webhook for ${created.key} answered ${delivered.status}`);
  doppel.logs.splice(0, Math.max(0, doppel.logs.length - 200));
}

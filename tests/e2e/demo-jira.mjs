// Demo without a Jira account: a fake Jira site (part of the Hadoop dataset) plus `doppel serve`, installed and fed
// with webhooks, printing what to open. Usage: node demo-jira.mjs [--backfill N] [--replay M] [--rate R]
// Env: DOPPEL_BIN (binary), DOPPEL_PORT (default 8080), DOPPEL_DATABASE_URL or DOPPEL_DATA_DIR (embedded PostgreSQL).
import { parseArgs } from 'node:util';
import { startDoppel } from './lib/doppel.mjs';
import { FakeJira, doppelEnv, eventually, loadDataset, startInstallKeyServer } from './lib/fake_jira.mjs';

const { values } = parseArgs({
  options: {
    backfill: { type: 'string', default: '500' },
    replay: { type: 'string', default: '50' },
    rate: { type: 'string', default: '2' },
  },
});
const backfill = Number(values.backfill);
const replay = Number(values.replay);
const rate = Number(values.rate);
const port = process.env.DOPPEL_PORT ?? '8080';
const baseUrl = process.env.DOPPEL_BASE_URL ?? `http://localhost:${port}`;

const keyServer = await startInstallKeyServer();
const site = await new FakeJira({ keyServer }).start();
const dataset = loadDataset({ offset: 0, limit: backfill + replay });
site.loadIssues(dataset.slice(0, backfill));
console.log(`demo: fake Jira at ${site.baseUrl} with ${backfill} issues; install keys at ${keyServer.url}`);

const env = doppelEnv({
  databaseUrl: process.env.DOPPEL_DATABASE_URL,
  keyServer,
  baseUrl,
  secretKey: process.env.DOPPEL_SECRET_KEY,
  extra: {
    DOPPEL_PORT: port,
    ...(process.env.DOPPEL_DATA_DIR ? { DOPPEL_DATA_DIR: process.env.DOPPEL_DATA_DIR } : {}),
  },
});
const doppel = await startDoppel(env, { timeoutMs: 180_000 });
const target = { url: doppel.url, baseUrl };
const stop = async () => {
  setTimeout(() => doppel.child.kill('SIGKILL'), 10_000).unref();
  await doppel.stop('SIGTERM');
  await site.close();
  await keyServer.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('exit', () => doppel.child.kill('SIGKILL'));
doppel.exited.then(({ code, signal }) => {
  console.log(`demo: doppel serve exited (${code ?? signal})`);
  process.exit(1);
});

const installed = await site.install(target);
if (installed.status !== 204) throw new Error(`install failed: ${installed.status} ${installed.text}`);
const started = Date.now();
await eventually(async () => (await site.api(target, 'GET', '/api/status')).json?.backfill?.state === 'done', 'backfill', { timeoutMs: 600_000, intervalMs: 500 });
console.log(`demo: installed and backfilled ${backfill} issues in ${((Date.now() - started) / 1000).toFixed(1)} s`);

// Replays the rest of the slice as "issue created" webhooks, some of them as near-copies of indexed issues.
let lastCopy;
for (const [n, issue] of dataset.slice(backfill).entries()) {
  let created = issue;
  if (n % 5 === 0) {
    const older = dataset[n % backfill];
    created = site.putIssue({ key: `${older.fields.project.key}-${900000 + n}`, fields: { ...older.fields, summary: `${older.fields.summary} (reported again)` } });
    lastCopy = { copy: created, original: older };
  } else {
    site.loadIssues([issue]);
  }
  await site.sendWebhook(target, site.webhookBody('created', created));
  if (rate > 0) await new Promise((resolve) => setTimeout(resolve, 1000 / rate));
}
console.log(`demo: replayed ${replay} issue_created webhooks`);

if (lastCopy) {
  const key = lastCopy.copy.key;
  const similar = await site.api(target, 'GET', `/api/issues/${key}/similar?limit=5`);
  console.log(`demo: ${key} ("${lastCopy.copy.fields.summary}") looks like:`);
  for (const c of similar.json?.candidates ?? []) console.log(`   ${c.score.toFixed(2)}  ${c.key}  ${c.summary}`);
  const pagePath = `/pages/panel?issueKey=${key}&issueId=${lastCopy.copy.id}&projectKey=${lastCopy.copy.fields.project.key}`;
  const pageToken = site.computedToken(target, 'GET', pagePath, { expiresIn: 3600 });
  console.log('\ndemo: open these (tokens valid for an hour):');
  console.log(`   descriptor:  ${baseUrl}/atlassian-connect.json`);
  console.log(`   issue panel: ${doppel.url}${pagePath}&jwt=${pageToken}`);
  console.log(`   panel API:   curl -H 'Authorization: JWT ${site.contextToken({ expiresIn: 3600 })}' ${doppel.url}/api/issues/${key}/similar`);
}
console.log('demo: running; Ctrl-C stops Doppel and the fake Jira.');

// Crash recovery: a steady webhook stream (each delivery retried with its identifier until acknowledged, as Jira
// does) while `doppel serve` is killed with SIGKILL halfway and restarted on the same data directory (it adopts the
// embedded PostgreSQL left running); measures, per kill, the time from "ready again" until every acknowledged issue is
// in the index (GET /api/status), and prints the median. The tenant starts with --seed issues, backfilled.
// Usage: node crash_recovery.mjs [--kills 3] [--rate 50] [--seconds 10] [--seed 500] [--bin build/doppel]
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { make_agent, send, start_doppel } from "./lib/harness.mjs";
import { load_base_issues, make_issue, webhook_body } from "./lib/issues.mjs";
import { fmt, parse_args, table, write_json } from "./lib/openloop.mjs";
import { common_defaults, source_dir, unless_missing, with_bed } from "./lib/bed.mjs";
import { admin_stats, api_client, wait_indexed } from "./lib/tenant_ops.mjs";
import { request_token } from "./lib/tokens.mjs";

const opts = parse_args({ ...common_defaults, kills: 3, rate: 50, seconds: 10, seed: 500 });
const base = load_base_issues(source_dir);
const log = (m) => console.error(`[crash_recovery] ${m}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const data_dir = opts.data_dir || mkdtempSync(join(tmpdir(), "doppel-crash-"));

// Index size from GET /api/status (null while the server does not answer).
async function indexed(api) {
  const r = await api("/api/status");
  try { return r.status === 200 ? JSON.parse(r.body).index.issues : null; } catch { return null; }
}

const run = with_bed({ ...opts, data_dir }, "crash_recovery", async ({ app, tenant, keys, out_dir, info }) => {
  const agent = make_agent(64);
  const current = { url: app.url, app };  // the live server; replaced after each restart
  const api = api_client(agent, current, tenant);
  await wait_indexed({ api, count: opts.seed, timeout_s: 600, log });
  // One delivery: the same identifier on every retry, 100 ms apart, until a 2xx.
  let retries = 0, last_ack = 0;
  const deliver = async (issue) => {
    const id = randomUUID(), body = webhook_body(issue);
    for (let retry = 0; ; ++retry) {
      const token = request_token({ ...tenant, method: "POST", url: "/webhooks/jira" });
      const r = await send(agent, { url: `${current.url}/webhooks/jira`, method: "POST", body, timeout_ms: 5000,
        headers: { "content-type": "application/json", authorization: `JWT ${token}`, "x-atlassian-webhook-identifier": id,
                   "x-atlassian-webhook-retry": String(retry) } });
      if (r.status >= 200 && r.status < 300) { last_ack = Date.now(); return; }
      if (r.status !== 0 && r.status < 500) throw new Error(`webhook refused: HTTP ${r.status} ${r.body}`);
      retries++;
      await sleep(100);
    }
  };
  let next = opts.seed;
  const rounds = [];
  for (let k = 1; k <= opts.kills; k++) {
    const total = Math.round(opts.rate * opts.seconds);
    const sent = [];
    let kill_at = 0, back_at = 0, orphaned = null;
    const killer = (async () => {
      await sleep((opts.seconds * 1000) / 2);
      kill_at = Date.now();
      current.app.child.kill("SIGKILL");
      await new Promise((resolve) => (current.app.child.exitCode !== null || current.app.child.signalCode !== null ? resolve() : current.app.child.once("exit", resolve)));
      current.url = "http://127.0.0.1:1";  // nothing listens: deliveries fail and are retried until the restart
      current.app = await start_doppel({ bin: opts.bin, keys_url: keys.url, out_dir: join(out_dir, `restart-${k}`), data_dir,
        env: { DOPPEL_HTTP_THREADS: String(opts.http_threads), DOPPEL_WORKERS: String(opts.workers), DOPPEL_BASE_URL: tenant.app_base_url } });
      current.url = current.app.url;
      back_at = Date.now();
      // Jobs still marked running: the killed process's (their leases run on) and any the new one has claimed since.
      orphaned = (await admin_stats(api))?.runningJobs ?? null;
    })();
    for (let i = 0; i < total; i++) {
      sent.push(deliver(make_issue(base.issues, next++)));
      await sleep(1000 / opts.rate);
    }
    await Promise.all([...sent, killer]);
    for (let n; (n = await indexed(api)) === null || n < next; ) await sleep(100);
    const done_at = Date.now();
    const r = { kill: k, webhooks: total, orphaned, restart_s: (back_at - kill_at) / 1000, recovery_s: (done_at - back_at) / 1000,
                after_last_ack_s: (done_at - last_ack) / 1000 };
    rounds.push(r);
    log(`kill ${k}: restarted in ${fmt(r.restart_s)} s, ${orphaned} jobs marked running; every acknowledged issue indexed ${fmt(r.recovery_s)} s after ready ` +
        `(${fmt(r.after_last_ack_s)} s after the last acknowledgement)`);
  }
  agent.destroy();
  const stopped = await current.app.stop();
  return { info, rate: opts.rate, seconds: opts.seconds, seed: opts.seed, retries, rounds, stopped,
           median_recovery_s: median(rounds.map((r) => r.recovery_s)) };
}, { backlog: { count: opts.seed, issue: (i) => make_issue(base.issues, i) } });

try {
  const { result } = await unless_missing(run, "crash_recovery");
  console.log(table(result.rounds, [["kill", (r) => r.kill], ["webhooks", (r) => r.webhooks], ["running jobs when ready", (r) => r.orphaned ?? "-"], ["restart s", (r) => fmt(r.restart_s)],
    ["ready → all indexed s", (r) => fmt(r.recovery_s)], ["last ack → all indexed s", (r) => fmt(r.after_last_ack_s)]]));
  console.log(`\nmedian time from ready again to every acknowledged issue indexed: ${fmt(result.median_recovery_s)} s ` +
    `(${result.rounds.length} kills, ${result.retries} refused attempts retried); server stop: exit ${result.stopped?.code}`);
  write_json(join(opts.out, "crash_recovery", "result.json"), result);
} finally {
  if (!opts.data_dir) rmSync(data_dir, { recursive: true, force: true });
}

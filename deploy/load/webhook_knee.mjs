// Webhook ingest knee: open-loop POST /webhooks/jira at rising rates until p99 acknowledgement exceeds 50 ms, with
// the background workers applying the events (indexing, duplicate flags) on the same machine while the load runs.
// Usage: node webhook_knee.mjs [--rates 25,50,...] [--step-seconds 10] [--warmup-seconds 3] [--p99-limit-ms 50] [--bin build/doppel]
// Loopback only; at most rates.length + refine steps of step-seconds each, then the wait until every acknowledged
// event is applied (at most --drain-timeout-seconds); about 5 minutes by default.
// Steps after the first over the limit bisect between the last good and first bad rate (--refine, default 2).
// After the steps it checks that every acknowledged event was applied: the tenant's index must hold one issue per
// acknowledged issue_created webhook (each names a new issue) and no job may be dead; exit 1 otherwise.
import { join } from "node:path";
import { cpu_seconds, make_agent } from "./lib/harness.mjs";
import { load_base_issues, make_issue } from "./lib/issues.mjs";
import { fmt, open_loop, parse_args, table, write_json } from "./lib/openloop.mjs";
import { common_defaults, source_dir, unless_missing, with_bed } from "./lib/bed.mjs";
import { acknowledged, admin_stats, api_client, webhook_sender } from "./lib/tenant_ops.mjs";

const opts = parse_args({ ...common_defaults, rates: [25, 50, 100, 200, 400, 800, 1600, 3200], step_seconds: 10, warmup_seconds: 3,
  pause_seconds: 2, recover_seconds: 15, refine: 2, p99_limit_ms: 50, max_error_rate: 0.01, sockets: 256,
  drain_timeout_seconds: 600 });
const base = load_base_issues(source_dir);

const { result, stopped } = await unless_missing(with_bed(opts, "webhooks", async ({ app, tenant, info }) => {
  const agent = make_agent(opts.sockets);
  const send_hook = webhook_sender(agent, app, tenant);
  const api = api_client(make_agent(2), app, tenant);
  const applied = async () => (await admin_stats(api))?.issues ?? NaN;
  let next_issue = 0, acked = 0;
  const make_request = () => send_hook(make_issue(base.issues, next_issue++));
  const steps = [];
  const pause = (s) => new Promise((r) => setTimeout(r, s * 1000));
  const step = async (rate) => {
    const cpu0 = cpu_seconds(app.pid, app.data_dir), client0 = process.cpuUsage(), applied0 = await applied();
    const s = await open_loop({ rate, duration_s: opts.step_seconds, make_request });
    const cpu1 = cpu_seconds(app.pid, app.data_dir), client = process.cpuUsage(client0), applied1 = await applied();
    acked += acknowledged(s);
    // Events the workers applied during the step, and those acknowledged but not applied yet at its end.
    s.applied_rps = (applied1 - applied0) / s.elapsed_s;
    s.backlog = acked - applied1;
    // CPU used during the step, in percent of one core.
    s.cpu = { server_pct: (100 * (cpu1.server - cpu0.server)) / s.elapsed_s, postgres_pct: (100 * (cpu1.postgres - cpu0.postgres)) / s.elapsed_s,
              client_pct: (client.user + client.system) / 1e4 / s.elapsed_s };
    const error_rate = (s.errors + s.dropped) / (s.completed + s.dropped);
    const ok = s.p99_ms <= opts.p99_limit_ms && error_rate <= opts.max_error_rate;
    steps.push({ ...s, error_rate, ok });
    console.error(`[webhooks] ${rate}/s: p50 ${fmt(s.p50_ms)} ms, p99 ${fmt(s.p99_ms)} ms, errors ${s.errors}, ` +
                  `applied ${fmt(s.applied_rps)}/s, backlog ${s.backlog}, statuses ${JSON.stringify(s.statuses)}`);
    // After an overload step, give the server time to work off its backlog before the next measurement.
    await pause(ok ? opts.pause_seconds : opts.recover_seconds);
    return ok;
  };
  // Warm-up, not measured: the generator's sockets are opened and the server's sessions set up at the first rate
  // (its events are acknowledged and applied like the others, so they count in the final check).
  if (opts.warmup_seconds > 0) {
    const w = await open_loop({ rate: opts.rates[0], duration_s: opts.warmup_seconds, make_request });
    acked += acknowledged(w);
    console.error(`[webhooks] warm-up ${opts.rates[0]}/s for ${opts.warmup_seconds} s (not measured): p99 ${fmt(w.p99_ms)} ms`);
    await pause(opts.pause_seconds);
  }
  let knee = null, passed = null;
  for (const rate of opts.rates) {
    if (!(await step(rate))) { passed = rate; break; }
    knee = rate;
  }
  // Bisect between the last good and the first bad rate to place the knee more precisely.
  for (let k = 0; k < opts.refine && knee !== null && passed !== null && passed - knee > knee / 8; k++) {
    const mid = Math.round((knee + passed) / 2);
    if (await step(mid)) knee = mid; else passed = mid;
  }
  agent.destroy();
  // Every acknowledged event must end up applied: wait for the workers to work off the backlog.
  const t0 = Date.now();
  for (let last = await applied(), logged = t0; last < acked && Date.now() - t0 < opts.drain_timeout_seconds * 1000;) {
    await pause(1);
    last = await applied();
    if (Date.now() - logged > 15_000) { console.error(`[webhooks] applied ${last} of ${acked} acknowledged`); logged = Date.now(); }
  }
  const stats = await admin_stats(api);
  const drain_s = (Date.now() - t0) / 1000;
  // Applied: at least every acknowledged event, at most every event sent (a timed-out request may still be stored).
  const verified = stats !== null && stats.issues >= acked && stats.issues <= next_issue && stats.failedJobs === 0;
  console.error(`[webhooks] after ${fmt(drain_s)} s: ${stats?.issues} applied, ${acked} acknowledged, ${next_issue} sent, ` +
                `${stats?.failedJobs} dead jobs: ${verified ? "every acknowledged event applied" : "NOT all applied"}`);
  return { info, dataset: base.source, p99_limit_ms: opts.p99_limit_ms, knee_rate: knee, first_rate_over_limit: passed,
           events_sent: next_issue, events_acknowledged: acked, events_applied: stats?.issues ?? null,
           dead_jobs: stats?.failedJobs ?? null, drain_seconds: drain_s, all_applied: verified, steps };
}), "webhook_knee");

const rows = result.steps;
console.log(table(rows, [["offered /s", (r) => r.rate], ["achieved /s", (r) => fmt(r.achieved_rps)], ["sent", (r) => r.sent],
  ["errors", (r) => r.errors + r.dropped], ["p50 ms", (r) => fmt(r.p50_ms)], ["p99 ms", (r) => fmt(r.p99_ms)],
  ["p99.9 ms", (r) => fmt(r.p999_ms)], ["max ms", (r) => fmt(r.max_ms)],
  ["applied /s", (r) => fmt(r.applied_rps)], ["backlog at end", (r) => r.backlog],
  ["CPU % server / PG / client", (r) => `${fmt(r.cpu.server_pct, 0)} / ${fmt(r.cpu.postgres_pct, 0)} / ${fmt(r.cpu.client_pct, 0)}`], ["within limit", (r) => (r.ok ? "yes" : "no")]]));
console.log(`\nknee: ${result.knee_rate ?? "below the first step"} webhooks/s with p99 <= ${opts.p99_limit_ms} ms` +
  (result.first_rate_over_limit ? ` (p99 passed the limit at ${result.first_rate_over_limit}/s)` : " (limit not reached at the highest step)"));
console.log(`applied: ${result.events_applied} of ${result.events_acknowledged} acknowledged events (${result.events_sent} sent), ` +
  `${result.dead_jobs} dead jobs, backlog worked off ${fmt(result.drain_seconds)} s after the last step: ` +
  (result.all_applied ? "every acknowledged event was applied" : "FAILED: not every acknowledged event was applied"));
console.log(`server stop: exit ${stopped?.code} after ${stopped?.drain_ms} ms`);
write_json(join(opts.out, "webhooks", "result.json"), { ...result, stopped });
// Exit 0 when the run completed, every response was a success or a measured overload and every acknowledged event
// was applied; 1 otherwise.
process.exit(rows.length && rows[0].completed > 0 && rows[0].errors === 0 && result.all_applied ? 0 : 1);

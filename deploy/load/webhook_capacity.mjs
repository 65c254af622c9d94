// Webhook acknowledgement capacity: `concurrency` senders in a closed loop deliver `count` issue_created webhooks
// (each a new delivery id) as fast as the server acknowledges them, with the workers off (DOPPEL_WORKERS=0), so the
// figure is the intake alone: inbox row + job committed before each 204. Prints acknowledgements/s and latency, and
// checks that the server counted every acknowledged event as stored (doppel_events_accepted_total); exit 1 otherwise.
// Usage: node webhook_capacity.mjs [--count 6000] [--concurrency 32] [--bin build/doppel]
import { join } from "node:path";
import { cpu_seconds, make_agent, metric_value, send } from "./lib/harness.mjs";
import { load_base_issues, make_issue } from "./lib/issues.mjs";
import { closed_loop, fmt, parse_args, summarize, write_json } from "./lib/openloop.mjs";
import { common_defaults, source_dir, unless_missing, with_bed } from "./lib/bed.mjs";
import { webhook_sender } from "./lib/tenant_ops.mjs";

const opts = parse_args({ ...common_defaults, workers: 0, count: 6000, concurrency: 32, warmup: 300 });
const base = load_base_issues(source_dir);

const { result, stopped } = await unless_missing(with_bed(opts, "capacity", async ({ app, tenant, info }) => {
  const agent = make_agent(opts.concurrency + 4);
  const send_hook = webhook_sender(agent, app, tenant);
  let next_issue = 0;
  await closed_loop(opts.warmup, opts.concurrency, () => send_hook(make_issue(base.issues, next_issue++)));
  const latencies = [], statuses = {};
  const cpu0 = cpu_seconds(app.pid, app.data_dir), t0 = performance.now();
  await closed_loop(opts.count, opts.concurrency, async () => {
    const started = performance.now();
    const r = await send_hook(make_issue(base.issues, next_issue++));
    latencies.push(performance.now() - started);
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  });
  const elapsed_s = (performance.now() - t0) / 1000, cpu1 = cpu_seconds(app.pid, app.data_dir);
  const metrics = await send(agent, { url: `${app.url}/metrics` });
  const accepted = metric_value(metrics.body ?? "", "doppel_events_accepted_total");
  const acked = Object.entries(statuses).reduce((n, [code, k]) => n + (code >= 200 && code < 300 ? k : 0), 0);
  agent.destroy();
  const s = summarize(latencies);
  const out = { info, count: opts.count, concurrency: opts.concurrency, elapsed_s, acks_per_s: acked / elapsed_s, acked,
                accepted_total: accepted, statuses, all_stored: accepted === acked + opts.warmup,
                cpu: { server_pct: (100 * (cpu1.server - cpu0.server)) / elapsed_s, postgres_pct: (100 * (cpu1.postgres - cpu0.postgres)) / elapsed_s },
                ...s };
  console.error(`[capacity] ${acked} acknowledged in ${fmt(elapsed_s)} s = ${fmt(out.acks_per_s, 0)}/s at concurrency ` +
                `${opts.concurrency}: p50 ${fmt(s.p50_ms)} ms, p99 ${fmt(s.p99_ms)} ms; CPU server ${fmt(out.cpu.server_pct, 0)} %, ` +
                `PostgreSQL ${fmt(out.cpu.postgres_pct, 0)} %; stored (accepted counter) ${accepted} of ${acked + opts.warmup}`);
  return out;
}), "webhook_capacity");

console.log(`acknowledgements: ${fmt(result.acks_per_s, 0)}/s (${result.acked} in ${fmt(result.elapsed_s)} s, concurrency ${result.concurrency}), ` +
            `p50 ${fmt(result.p50_ms)} ms, p99 ${fmt(result.p99_ms)} ms, statuses ${JSON.stringify(result.statuses)}, ` +
            (result.all_stored ? "every acknowledged event counted as stored" : "FAILED: acknowledged events not counted as stored"));
write_json(join(opts.out, "capacity", "result.json"), { ...result, stopped });
process.exit(result.all_stored && result.acked === result.count ? 0 : 1);

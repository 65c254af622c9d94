// Soak: steady open-loop webhooks + panel reads for --minutes (default 14, so that the run with its setup stays under
// 15 minutes; --minutes 30 is the full half-hour soak), sampling every minute the server's RSS, the PSS of the server
// with its embedded PostgreSQL, its open sockets and fds, the doppel_http_open_connections gauge and the minute's p99s.
// At the end it waits until every acknowledged webhook has been applied (the index holds one issue per acknowledged
// issue_created webhook) and fails otherwise.
// The tenant starts with --seed issues, indexed by the install's backfill from the fake Jira (a few seconds).
// Usage: node soak.mjs [--minutes 14] [--webhook-rate 20] [--panel-rps 50 (0 = webhooks only)] [--seed 2000] [--bin build/doppel]
import { join } from "node:path";
import { make_agent, metric_value, sample_process, send } from "./lib/harness.mjs";
import { load_base_issues, make_issue, prng } from "./lib/issues.mjs";
import { fmt, open_loop, parse_args, table, write_json } from "./lib/openloop.mjs";
import { common_defaults, source_dir, unless_missing, with_bed } from "./lib/bed.mjs";
import { acknowledged, api_client, require_route, wait_indexed, webhook_sender } from "./lib/tenant_ops.mjs";

const opts = parse_args({ ...common_defaults, minutes: 14, sample_seconds: 60, webhook_rate: 20, panel_rps: 50, seed: 2000, sockets: 128 });
const base = load_base_issues(source_dir);
const log = (m) => console.error(`[soak] ${m}`);

const run = with_bed(opts, "soak", async ({ app, tenant, info }) => {
  const agent = make_agent(opts.sockets);
  const api = api_client(agent, app, tenant);
  if (opts.panel_rps > 0) require_route("/api/issues/{key}/similar", await api("/api/issues/LOAD-1/similar?limit=1"));
  const hook = webhook_sender(agent, app, tenant);
  // The seed is the site's backlog, indexed by the install's backfill; panel reads target seeded issues.
  await wait_indexed({ api, count: opts.seed, timeout_s: 600, log });
  let next = opts.seed, acked = 0;
  const rnd = prng(1);
  const samples = [];
  const sample = async (minute, hooks, panel) => {
    const m = await send(agent, { url: `${app.url}/metrics` });
    const text = m.status === 200 ? m.body : "";
    const s = { minute, ...sample_process(app.pid, app.data_dir), open_connections: metric_value(text, "doppel_http_open_connections"),
      db_pool_idle: metric_value(text, "doppel_db_pool_idle"), webhook_p99_ms: hooks?.p99_ms, panel_p99_ms: panel?.p99_ms,
      errors: (hooks?.errors ?? 0) + (hooks?.dropped ?? 0) + (panel?.errors ?? 0) + (panel?.dropped ?? 0) };
    samples.push(s);
    log(`min ${minute}: rss ${fmt(s.rss_mib)} MiB (with PostgreSQL, PSS ${fmt(s.tree_pss_mib)}), sockets ${s.sockets}, open conns ${s.open_connections}, ` +
        `webhook p99 ${fmt(s.webhook_p99_ms)} ms, panel p99 ${fmt(s.panel_p99_ms)} ms, errors ${s.errors}`);
  };
  await sample(0, null, null);
  const rounds = Math.round((opts.minutes * 60) / opts.sample_seconds);
  let server_exit = null;
  for (let k = 1; k <= rounds; k++) {
    if (app.child.exitCode !== null || app.child.signalCode !== null) {
      server_exit = { minute: samples[samples.length - 1].minute, code: app.child.exitCode, signal: app.child.signalCode };
      log(`the server exited (code ${server_exit.code}, signal ${server_exit.signal}) before minute ${k * opts.sample_seconds / 60}: stopping; see ${app.log_path}`);
      break;
    }
    const [hooks, panel] = await Promise.all([
      open_loop({ rate: opts.webhook_rate, duration_s: opts.sample_seconds, make_request: () => hook(make_issue(base.issues, next++)) }),
      opts.panel_rps > 0 ? open_loop({ rate: opts.panel_rps, duration_s: opts.sample_seconds,
                  make_request: () => api(`/api/issues/LOAD-${1 + Math.floor(rnd() * opts.seed)}/similar?limit=10`) }) : null,
    ]);
    acked += acknowledged(hooks);
    await sample(k * opts.sample_seconds / 60, hooks, panel);
  }
  // Every acknowledged webhook names a new issue: the index must end up holding all of them besides the seed.
  let applied = null;
  if (!server_exit) {
    try { await wait_indexed({ api, count: opts.seed + acked, timeout_s: 120, log }); applied = true; }
    catch (e) { log(e.message); applied = false; }
  }
  agent.destroy();
  const live = samples.filter((s) => s.rss_mib > 0);
  const after_warmup = live.filter((s) => s.minute >= Math.min(5, opts.minutes / 2));
  const first = after_warmup[0] ?? live[0], last = live[live.length - 1];
  const hours = (last.minute - first.minute) / 60;
  return { info, minutes: opts.minutes, server_exit, webhooks_acknowledged: acked, all_applied: applied, webhook_rate: opts.webhook_rate, panel_rps: opts.panel_rps, samples,
           rss_growth_mib_per_hour: hours > 0 ? (last.rss_mib - first.rss_mib) / hours : null,
           max_sockets: Math.max(...samples.map((s) => s.sockets)), total_errors: samples.reduce((a, s) => a + s.errors, 0) };
}, { backlog: { count: opts.seed, issue: (i) => make_issue(base.issues, i) } });

const { result, stopped } = await unless_missing(run, "soak (--panel-rps 0 runs webhooks only)");
console.log(table(result.samples, [["minute", (r) => fmt(r.minute, opts.sample_seconds % 60 ? 2 : 0)], ["RSS MiB", (r) => fmt(r.rss_mib)],
  ["server+PG PSS MiB", (r) => fmt(r.tree_pss_mib)], ["sockets", (r) => r.sockets], ["open conns", (r) => r.open_connections ?? "-"],
  ["fds", (r) => r.fds], ["webhook p99 ms", (r) => fmt(r.webhook_p99_ms)], ["panel p99 ms", (r) => fmt(r.panel_p99_ms)],
  ["errors", (r) => r.errors]]));
console.log(`\nRSS growth after warm-up: ${fmt(result.rss_growth_mib_per_hour)} MiB/h; max sockets ${result.max_sockets}; errors ${result.total_errors}`);
console.log(`webhooks: ${result.webhooks_acknowledged} acknowledged; ` +
  (result.all_applied ? "every one applied" : "FAILED: not every acknowledged webhook was applied"));
console.log(`server stop: exit ${stopped?.code} after ${stopped?.drain_ms} ms`);
write_json(join(opts.out, "soak", "result.json"), { ...result, stopped });
if (result.server_exit) console.log(`the server exited by itself or was killed at minute ${result.server_exit.minute}: the soak is incomplete`);
process.exit(result.total_errors === 0 && !result.server_exit && result.all_applied ? 0 : 1);

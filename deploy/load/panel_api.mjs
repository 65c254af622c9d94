// Panel API latency on a large tenant: seed N issues (default 100k) by webhook, then open-loop
// GET /api/issues/{key}/similar at each rate (default 100 and 1000 rps) and report p50/p99/p99.9.
// Usage: node panel_api.mjs [--issues 100000] [--rates 100,1000] [--phase-seconds 60] [--bin build/doppel]
// Bounded: seeding stops at --seed-timeout-seconds, each phase lasts --phase-seconds. Loopback only.
import { join } from "node:path";
import { make_agent } from "./lib/harness.mjs";
import { load_base_issues, prng } from "./lib/issues.mjs";
import { fmt, open_loop, parse_args, table, write_json } from "./lib/openloop.mjs";
import { common_defaults, source_dir, unless_missing, with_bed } from "./lib/bed.mjs";
import { api_client, require_route, seed_issues, wait_indexed } from "./lib/tenant_ops.mjs";

const opts = parse_args({ ...common_defaults, issues: 100000, rates: [100, 1000], phase_seconds: 60, warmup_seconds: 5,
  seed_concurrency: 32, seed_timeout_seconds: 600, limit: 10, sockets: 256 });
const base = load_base_issues(source_dir);
const log = (m) => console.error(`[panel] ${m}`);

const run = with_bed(opts, "panel", async ({ app, tenant, info }) => {
  const agent = make_agent(opts.sockets);
  const api = api_client(agent, app, tenant);
  require_route("/api/issues/{key}/similar", await api("/api/issues/LOAD-1/similar?limit=1"));
  const seed = await seed_issues({ agent, app, tenant, base: base.issues, to: opts.issues, concurrency: opts.seed_concurrency, log });
  log(`seeded ${seed.sent} issues in ${fmt(seed.seconds)} s`);
  const index_wait_s = await wait_indexed({ api, count: opts.issues, timeout_s: opts.seed_timeout_seconds, log });
  log(`index complete ${fmt(index_wait_s)} s after the last webhook`);
  const rnd = prng(42);
  const make_request = () => api(`/api/issues/LOAD-${1 + Math.floor(rnd() * opts.issues)}/similar?limit=${opts.limit}`);
  await open_loop({ rate: 50, duration_s: opts.warmup_seconds, make_request });
  const phases = [];
  for (const rate of opts.rates) {
    const s = await open_loop({ rate, duration_s: opts.phase_seconds, make_request });
    phases.push(s);
    log(`${rate} rps: p50 ${fmt(s.p50_ms)} p99 ${fmt(s.p99_ms)} p99.9 ${fmt(s.p999_ms)} ms, statuses ${JSON.stringify(s.statuses)}`);
  }
  agent.destroy();
  return { info, dataset: base.source, issues: opts.issues, seed_seconds: seed.seconds, seed_rate: seed.sent / seed.seconds,
           index_wait_seconds: index_wait_s, phases };
});

const { result, stopped } = await unless_missing(run, "panel_api");
console.log(`tenant: ${result.issues} issues (seeded at ${fmt(result.seed_rate, 0)} webhooks/s, index caught up ${fmt(result.index_wait_seconds)} s later)\n`);
console.log(table(result.phases, [["offered rps", (r) => r.rate], ["achieved rps", (r) => fmt(r.achieved_rps)], ["requests", (r) => r.sent],
  ["errors", (r) => r.errors + r.dropped], ["p50 ms", (r) => fmt(r.p50_ms)], ["p99 ms", (r) => fmt(r.p99_ms)],
  ["p99.9 ms", (r) => fmt(r.p999_ms)], ["max ms", (r) => fmt(r.max_ms)]]));
console.log(`server stop: exit ${stopped?.code} after ${stopped?.drain_ms} ms`);
write_json(join(opts.out, "panel", "result.json"), { ...result, stopped });
process.exit(result.phases.every((p) => p.completed > 0) && result.phases[0].errors === 0 ? 0 : 1);

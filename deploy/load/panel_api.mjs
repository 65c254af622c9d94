// Panel API latency on a large tenant: build a tenant of N issues (default 100k), then open-loop
// GET /api/issues/{key}/similar at each rate (default 100 and 1000 rps) and report p50/p99/p99.9 and errors.
// The tenant is built the way a real site's backlog reaches Doppel: the fake Jira holds N synthetic issues (text from
// ../shared/datasets/apache-hadoop.jsonl.gz) and the install starts the product's backfill job, which pages through
// /rest/api/3/search/jql and indexes them; the rescan that follows a backfill is awaited too, so the measurement
// runs on a quiet server. --seed webhooks sends the issues as issue_created webhooks instead (slower: one job each).
// --draft measures the create dialog's call instead: POST /api/similar with a summary-only draft (the summary of a
// random dataset issue, as a reporter's first words), the request the Forge UI modification makes.
// Usage: node panel_api.mjs [--issues 100000] [--rates 100,1000] [--phase-seconds 60] [--seed backfill|webhooks]
//        [--draft] [--bin build/doppel]
// Bounded: building the tenant stops at --seed-timeout-seconds, each phase lasts --phase-seconds. Loopback only.
import { join } from "node:path";
import { cpu_seconds, make_agent } from "./lib/harness.mjs";
import { load_base_issues, make_issue, prng } from "./lib/issues.mjs";
import { fmt, open_loop, parse_args, table, write_json } from "./lib/openloop.mjs";
import { common_defaults, source_dir, unless_missing, with_bed } from "./lib/bed.mjs";
import { admin_stats, api_client, require_route, seed_issues, wait_indexed } from "./lib/tenant_ops.mjs";

const opts = parse_args({ ...common_defaults, issues: 100000, rates: [100, 1000], phase_seconds: 60, warmup_seconds: 5,
  seed: "backfill", seed_concurrency: 32, seed_timeout_seconds: 720, limit: 10, sockets: 256, draft: false });
if (!["backfill", "webhooks"].includes(opts.seed)) throw new Error("--seed must be backfill or webhooks");
const base = load_base_issues(source_dir);
const log = (m) => console.error(`[panel] ${m}`);
const pause = (s) => new Promise((r) => setTimeout(r, s * 1000));
const backlog = opts.seed === "backfill" ? { count: opts.issues, issue: (i) => make_issue(base.issues, i) } : undefined;

// Waits until no job is running and at most one (the next scheduled rescan) is queued, three polls in a row.
async function wait_jobs_idle(api, timeout_s) {
  const t0 = Date.now();
  for (let quiet = 0, logged = t0; quiet < 3;) {
    const s = await admin_stats(api);
    quiet = s && s.runningJobs === 0 && s.queuedJobs <= 1 ? quiet + 1 : 0;
    if (Date.now() - logged > 15_000) { log(`jobs: ${s?.runningJobs} running, ${s?.queuedJobs} queued`); logged = Date.now(); }
    if (Date.now() - t0 > timeout_s * 1000) throw new Error(`jobs still busy after ${timeout_s} s`);
    await pause(1);
  }
  return (Date.now() - t0) / 1000;
}

const run = with_bed(opts, "panel", async ({ app, tenant, info }) => {
  const agent = make_agent(opts.sockets);
  const api = api_client(agent, app, tenant);
  require_route("/api/issues/{key}/similar", await api("/api/issues/LOAD-1/similar?limit=1"));
  const t0 = Date.now();
  let seed_rate = null;
  if (opts.seed === "webhooks") {
    const seed = await seed_issues({ agent, app, tenant, base: base.issues, to: opts.issues, concurrency: opts.seed_concurrency, log });
    log(`sent ${seed.sent} webhooks in ${fmt(seed.seconds)} s`);
  }
  await wait_indexed({ api, count: opts.issues, timeout_s: opts.seed_timeout_seconds, log });
  const index_s = (Date.now() - t0) / 1000;
  seed_rate = opts.issues / index_s;
  log(`${opts.issues} issues indexed by ${opts.seed} in ${fmt(index_s)} s (${fmt(seed_rate, 0)} issues/s)`);
  const settle_s = await wait_jobs_idle(api, Math.max(60, opts.seed_timeout_seconds - index_s));
  log(`background jobs (rescan) finished ${fmt(settle_s)} s later`);
  const rnd = prng(42);
  const make_request = opts.draft
    ? () => api("/api/similar?limit=5", { summary: base.issues[Math.floor(rnd() * base.issues.length)].summary, projectKey: "LOAD" })
    : () => api(`/api/issues/LOAD-${1 + Math.floor(rnd() * opts.issues)}/similar?limit=${opts.limit}`);
  await open_loop({ rate: 50, duration_s: opts.warmup_seconds, make_request });
  const phases = [];
  for (const rate of opts.rates) {
    const cpu0 = cpu_seconds(app.pid, app.data_dir), client0 = process.cpuUsage();
    const s = await open_loop({ rate, duration_s: opts.phase_seconds, make_request });
    const cpu1 = cpu_seconds(app.pid, app.data_dir), client = process.cpuUsage(client0);
    // CPU used during the phase, in percent of one core (the machine has two, shared by all three).
    s.cpu = { server_pct: (100 * (cpu1.server - cpu0.server)) / s.elapsed_s, postgres_pct: (100 * (cpu1.postgres - cpu0.postgres)) / s.elapsed_s,
              client_pct: (client.user + client.system) / 1e4 / s.elapsed_s };
    phases.push(s);
    log(`${rate} rps: p50 ${fmt(s.p50_ms)} p99 ${fmt(s.p99_ms)} p99.9 ${fmt(s.p999_ms)} ms, statuses ${JSON.stringify(s.statuses)}`);
  }
  agent.destroy();
  return { info, dataset: base.source, issues: opts.issues, seed: opts.seed, seed_seconds: index_s, seed_rate,
           settle_seconds: settle_s, phases };
}, { backlog });

const { result, stopped } = await unless_missing(run, "panel_api");
console.log(`${opts.draft ? "POST /api/similar (summary-only drafts, limit 5)" : "GET /api/issues/{key}/similar"}; tenant: ${result.issues} issues, indexed by ${result.seed} in ${fmt(result.seed_seconds)} s ` +
  `(${fmt(result.seed_rate, 0)} issues/s), then ${fmt(result.settle_seconds)} s until the rescan finished\n`);
console.log(table(result.phases, [["offered rps", (r) => r.rate], ["achieved rps", (r) => fmt(r.achieved_rps)], ["requests", (r) => r.sent],
  ["errors", (r) => r.errors], ["not sent", (r) => r.dropped], ["p50 ms", (r) => fmt(r.p50_ms)], ["p99 ms", (r) => fmt(r.p99_ms)],
  ["p99.9 ms", (r) => fmt(r.p999_ms)], ["max ms", (r) => fmt(r.max_ms)],
  ["CPU % server / PG / client", (r) => `${fmt(r.cpu.server_pct, 0)} / ${fmt(r.cpu.postgres_pct, 0)} / ${fmt(r.cpu.client_pct, 0)}`]]));
if (result.phases.some((p) => p.dropped > 0)) console.log("(not sent: requests due while 4,096 were already in flight, i.e. the server fell behind)");
console.log(`server stop: exit ${stopped?.code} after ${stopped?.drain_ms} ms`);
write_json(join(opts.out, "panel", "result.json"), { ...result, stopped });
process.exit(result.phases.every((p) => p.completed > 0) && result.phases[0].errors === 0 ? 0 : 1);

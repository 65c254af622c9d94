// Panel reads during a webhook burst: GET /api/issues/{key}/similar at 100 rps on a 10,000-issue tenant while idle,
// then while a 500/s burst of issue_created webhooks (other, new issues) is acknowledged and while the workers are
// still applying it; p50/p95/p99 of each window and the job queue depth. Runs one or two builds, alternated.
// Usage: node burst_reads.mjs [--bin build/doppel] [--old-bin OTHER/doppel] [--rounds 3] [--issues 10000]
//        [--read-rate 100] [--idle-seconds 20] [--burst-rate 500] [--burst-seconds 10] [--apply-seconds 40]
// With --old-bin each round runs both builds (order alternating between rounds) on fresh tenants and the summary
// gives the medians over the rounds and the ratio new/old. Each run: the tenant's backlog indexed by the install's
// backfill (and its rescan awaited), 5 s warm-up, the idle window, then the burst with reads continuing until the
// queue is empty or --apply-seconds after the burst. Loopback only; about 2.5 minutes per run.
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { make_agent } from "./lib/harness.mjs";
import { load_base_issues, make_issue, prng } from "./lib/issues.mjs";
import { fmt, open_loop, parse_args, summarize, table, write_json } from "./lib/openloop.mjs";
import { common_defaults, source_dir, unless_missing, with_bed } from "./lib/bed.mjs";
import { acknowledged, admin_stats, api_client, require_route, wait_indexed, webhook_sender } from "./lib/tenant_ops.mjs";

const opts = parse_args({ ...common_defaults, old_bin: "", rounds: 3, issues: 10000, read_rate: 100, idle_seconds: 20,
  burst_rate: 500, burst_seconds: 10, apply_seconds: 40, warmup_seconds: 5, limit: 10, sockets: 256,
  seed_timeout_seconds: 600 });
const base = load_base_issues(source_dir);
const log = (m) => console.error(`[burst] ${m}`);
const pause = (s) => new Promise((r) => setTimeout(r, s * 1000));
const backlog = { count: opts.issues, issue: (i) => make_issue(base.issues, i) };

// Queued plus running jobs (null when the admin stats did not answer).
async function queue_depth(api) {
  const s = await admin_stats(api);
  return s ? s.queuedJobs + s.runningJobs : null;
}

async function wait_quiet(api, timeout_s) {
  const t0 = Date.now();
  for (let quiet = 0; quiet < 3;) {
    const d = await queue_depth(api);
    quiet = d !== null && d <= 1 ? quiet + 1 : 0;  // the next scheduled rescan stays queued
    if (Date.now() - t0 > timeout_s * 1000) throw new Error(`jobs still busy after ${timeout_s} s`);
    await pause(1);
  }
}

// One build: a fresh tenant, the idle window, then the burst with reads until the queue drains.
async function measure(bin, label) {
  const run = with_bed({ ...opts, bin }, `burst-${label}`, async ({ app, tenant }) => {
    const agent = make_agent(opts.sockets);
    const api = api_client(agent, app, tenant);
    const stats_api = api_client(make_agent(2), app, tenant);
    require_route("/api/issues/{key}/similar", await api("/api/issues/LOAD-1/similar?limit=1"));
    await wait_indexed({ api, count: opts.issues, timeout_s: opts.seed_timeout_seconds, log });
    await wait_quiet(stats_api, opts.seed_timeout_seconds);
    const rnd = prng(42);
    const read = () => api(`/api/issues/LOAD-${1 + Math.floor(rnd() * opts.issues)}/similar?limit=${opts.limit}`);
    await open_loop({ rate: 50, duration_s: opts.warmup_seconds, make_request: read });
    const idle = await open_loop({ rate: opts.read_rate, duration_s: opts.idle_seconds, make_request: read });

    // The burst: webhooks of new issues at burst_rate; reads at read_rate from its start until the queue is empty.
    const send_hook = webhook_sender(agent, app, tenant);
    let next = opts.issues;
    const windows = { burst: [], applying: [] };
    const burst_start = performance.now();
    let burst_end = Infinity, drained = false, depth_at_burst_end = null, depth_last = null;
    const depths = [];
    const hooks_p = open_loop({ rate: opts.burst_rate, duration_s: opts.burst_seconds,
                                make_request: () => send_hook(make_issue(base.issues, next++)) })
      .then(async (s) => { burst_end = performance.now(); depth_at_burst_end = await queue_depth(stats_api); return s; });
    const poll = (async () => {
      const stop_at = burst_start + (opts.burst_seconds + opts.apply_seconds) * 1000;
      while (!drained && performance.now() < stop_at) {
        await pause(1);
        depth_last = await queue_depth(stats_api);
        depths.push([Math.round((performance.now() - burst_start) / 1000), depth_last]);
        if (performance.now() > burst_end && depth_last !== null && depth_last <= 1) drained = true;
      }
    })();
    const reads = await open_loop({ rate: opts.read_rate, duration_s: opts.burst_seconds + opts.apply_seconds,
      make_request: read, until: () => drained,
      on_sample: (scheduled, ms, r) => {
        if (r.status !== 200) return;
        (scheduled < burst_end ? windows.burst : windows.applying).push(ms);
      } });
    const hooks = await hooks_p;
    await poll;
    const depth_end = await queue_depth(stats_api);
    agent.destroy();
    return {
      idle,
      burst: summarize(windows.burst), applying: summarize(windows.applying), during: summarize([...windows.burst, ...windows.applying]),
      read_errors: reads.errors, read_statuses: reads.statuses,
      webhooks: { sent: hooks.sent, acknowledged: acknowledged(hooks), p99_ms: hooks.p99_ms, errors: hooks.errors },
      queue: { at_burst_end: depth_at_burst_end, at_reads_end: depth_end, drained, samples: depths },
    };
  }, { backlog });
  const { result } = await unless_missing(run, "burst_reads");
  return result;
}

const builds = [["new", opts.bin], ...(opts.old_bin ? [["old", opts.old_bin]] : [])];
const runs = [];
for (let round = 0; round < opts.rounds; round++) {
  const order = round % 2 === 0 ? [...builds].reverse() : builds;  // old first in even rounds
  for (const [label, bin] of order) {
    log(`round ${round + 1}: ${label} (${bin})`);
    const r = await measure(bin, label);
    runs.push({ round: round + 1, label, bin, ...r });
    log(`${label}: idle p99 ${fmt(r.idle.p99_ms)} ms; burst p99 ${fmt(r.burst.p99_ms)}; applying p99 ${fmt(r.applying.p99_ms)} ` +
        `(${r.applying.samples} reads); queue ${r.queue.at_burst_end} at burst end, ${r.queue.at_reads_end} at reads end`);
  }
}

const median = (xs) => { const s = xs.filter(Number.isFinite).sort((a, b) => a - b); return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN; };
console.log(table(runs, [["round", (r) => r.round], ["build", (r) => r.label],
  ["idle p50/p95/p99 ms", (r) => `${fmt(r.idle.p50_ms)} / ${fmt(r.idle.p95_ms)} / ${fmt(r.idle.p99_ms)}`],
  ["burst p50/p95/p99 ms", (r) => `${fmt(r.burst.p50_ms)} / ${fmt(r.burst.p95_ms)} / ${fmt(r.burst.p99_ms)}`],
  ["applying p50/p95/p99 ms", (r) => `${fmt(r.applying.p50_ms)} / ${fmt(r.applying.p95_ms)} / ${fmt(r.applying.p99_ms)}`],
  ["burst+applying p99 ms", (r) => fmt(r.during.p99_ms)],
  ["reads burst / applying", (r) => `${r.burst.samples} / ${r.applying.samples}`], ["read errors", (r) => r.read_errors + r.idle.errors],
  ["webhooks acked / p99 ms", (r) => `${r.webhooks.acknowledged} / ${fmt(r.webhooks.p99_ms)}`],
  ["queue at burst end / reads end", (r) => `${r.queue.at_burst_end} / ${r.queue.at_reads_end}${r.queue.drained ? " (drained)" : ""}`]]));
const metrics = [["idle p99", (r) => r.idle.p99_ms], ["burst p50", (r) => r.burst.p50_ms], ["burst p99", (r) => r.burst.p99_ms],
  ["applying p50", (r) => r.applying.p50_ms], ["applying p99", (r) => r.applying.p99_ms], ["burst+applying p99", (r) => r.during.p99_ms]];
const summary = metrics.map(([name, f]) => {
  const m = Object.fromEntries(builds.map(([label]) => [label, median(runs.filter((r) => r.label === label).map(f))]));
  return { name, ...m, ratio: m.old ? m.new / m.old : NaN };
});
console.log(`\nmedians over ${opts.rounds} round(s), ms${opts.old_bin ? " (ratio = new / old)" : ""}:`);
console.log(table(summary, [["metric", (s) => s.name], ["new", (s) => fmt(s.new)],
  ...(opts.old_bin ? [["old", (s) => fmt(s.old)], ["ratio", (s) => fmt(s.ratio, 2)]] : [])]));
write_json(join(opts.out, "burst", "result.json"), { opts, dataset: base.source, runs, summary });
process.exit(runs.every((r) => r.read_errors === 0 && r.idle.errors === 0) ? 0 : 1);

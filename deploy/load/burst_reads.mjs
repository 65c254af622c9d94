// Panel reads during a webhook burst: GET /api/issues/{key}/similar at 100 rps on a 10,000-issue tenant while idle,
// then while a 500/s burst of issue_created webhooks (other, new issues) is acknowledged and while the workers are
// still applying it; p50/p95/p99 of each window and the job queue depth. Runs one or two builds, alternated.
// Usage: node burst_reads.mjs [--bin build/doppel] [--old-bin OTHER/doppel] [--also-bin LABEL=PATH,...] [--rounds 3]
//        [--issues 10000] [--keep-tenant DIR]
//        [--read-rate 100] [--idle-seconds 20] [--burst-rate 500] [--burst-seconds 10] [--apply-seconds 40]
// The tenant is built once (the fake Jira serves the backlog to the install's backfill; its rescan is awaited) by
// --bin, which is then stopped; every run starts a build on its own copy of that data directory (embedded PostgreSQL
// included) with the same fake Jira port, so all runs start from the same 10,000 indexed issues. With --old-bin
// each round runs both builds (order alternating between rounds) and the summary gives the medians over the rounds
// and the ratio new/old (--also-bin adds more builds, each compared with old). Each run: 5 s warm-up, the idle window, then the burst with reads continuing until the
// queue is empty or --apply-seconds after the burst. Loopback only; building the tenant takes 1-10 minutes
// (machine load), each run about 1.5 minutes. --keep-tenant DIR keeps the built tenant in DIR (data directory and
// tenant.json) and reuses it when DIR already holds one (same --issues), so repeated runs skip the build.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { install_tenant, make_agent, start_doppel, start_fake_jira, start_key_server } from "./lib/harness.mjs";
import { load_base_issues, make_issue, prng } from "./lib/issues.mjs";
import { fmt, open_loop, parse_args, summarize, table, write_json } from "./lib/openloop.mjs";
import { common_defaults, source_dir } from "./lib/bed.mjs";
import { acknowledged, admin_stats, api_client, require_route, wait_indexed, webhook_sender } from "./lib/tenant_ops.mjs";

const opts = parse_args({ ...common_defaults, old_bin: "", also_bin: "", rounds: 3, issues: 10000, read_rate: 100, idle_seconds: 20,
  burst_rate: 500, burst_seconds: 10, apply_seconds: 40, warmup_seconds: 5, limit: 10, sockets: 256,
  seed_timeout_seconds: 600, keep_tenant: "" });
const base = load_base_issues(source_dir);
const log = (m) => console.error(`[burst] ${m}`);
const pause = (s) => new Promise((r) => setTimeout(r, s * 1000));
const backlog = { count: opts.issues, issue: (i) => make_issue(base.issues, i) };

// Queued plus running jobs (null when the admin stats did not answer).
async function queue_depth(api) {
  const s = await admin_stats(api);
  return s ? s.queuedJobs + s.runningJobs : null;
}

// Quiet: no job running and at most one queued (the next scheduled rescan) for 5 s in a row. A rescan in progress is
// a chain of batches, one queued or running at a time: its depth is 1 too, but one of them is running almost always.
async function wait_quiet(api, timeout_s) {
  const t0 = Date.now();
  for (let quiet = 0; quiet < 5;) {
    const s = await admin_stats(api);
    quiet = s && s.runningJobs === 0 && s.queuedJobs <= 1 ? quiet + 1 : 0;
    if (Date.now() - t0 > timeout_s * 1000) throw new Error(`jobs still busy after ${timeout_s} s`);
    await pause(1);
  }
}

// Server-side time of the similar route (the access log's latency_ms: from dispatch to answer, without the time a
// request waited for a handler thread) within [from, to) wall-clock ms.
function handler_times(log_path, from, to) {
  const out = [];
  for (const line of readFileSync(log_path, "utf8").split("\n")) {
    if (!line.includes('"api.similar"')) continue;
    try {
      const rec = JSON.parse(line);
      const t = Date.parse(rec.ts);
      if (t >= from && t < to && rec.status === 200) out.push(rec.latency_ms);
    } catch { /* not JSON */ }
  }
  return summarize(out);
}

const env = { DOPPEL_HTTP_THREADS: String(opts.http_threads), DOPPEL_WORKERS: String(opts.workers) };

// Builds the tenant once with --bin: {data_dir (stopped server's), tenant, jira_port, keys}; with --keep-tenant DIR
// reuses the one kept there (built for the same number of issues) or keeps the one it builds.
async function build_tenant() {
  const keys = await start_key_server();
  const kept = opts.keep_tenant ? join(opts.keep_tenant, "tenant.json") : "";
  if (kept && existsSync(kept)) {
    const k = JSON.parse(readFileSync(kept, "utf8"));
    if (k.issues !== opts.issues) throw new Error(`${kept} holds ${k.issues} issues, not ${opts.issues}`);
    log(`reusing the tenant kept in ${opts.keep_tenant}`);
    return { root: null, data_dir: join(opts.keep_tenant, "data"), tenant: k.tenant, jira_port: k.jira_port, keys };
  }
  const jira = await start_fake_jira({ backlog });
  if (opts.keep_tenant) mkdirSync(opts.keep_tenant, { recursive: true });
  const root = opts.keep_tenant || mkdtempSync(join(tmpdir(), "doppel-burst-"));
  chmodSync(root, 0o755);  // the embedded cluster may run as another user (root runs it as postgres)
  const app = await start_doppel({ bin: opts.bin, keys_url: keys.url, out_dir: join(opts.out, "burst", "seed"),
                                   data_dir: join(root, "data"), env });
  let built;
  try {
    const tenant = await install_tenant({ app_url: app.url, keys, jira_url: jira.url });
    const api = api_client(make_agent(2), app, tenant);
    require_route("/api/issues/{key}/similar", await api("/api/issues/LOAD-1/similar?limit=1"));
    const t0 = Date.now();
    await wait_indexed({ api, count: opts.issues, timeout_s: opts.seed_timeout_seconds, log });
    await wait_quiet(api, opts.seed_timeout_seconds);
    log(`tenant of ${opts.issues} issues built in ${fmt((Date.now() - t0) / 1000)} s (backfill and rescan)`);
    built = { root: opts.keep_tenant ? null : root, data_dir: join(root, "data"), tenant,
              jira_port: Number(new URL(jira.url).port), keys };
  } finally {
    await app.stop();
    jira.close();
  }
  // Kept only once the server has stopped: the data directory is then complete.
  if (kept) writeFileSync(kept, JSON.stringify({ issues: opts.issues, tenant: built.tenant, jira_port: built.jira_port }));
  return built;
}

// One build on a copy of the tenant's data: the idle window, then the burst with reads until the queue drains.
async function measure(bin, label, seed, round) {
  const root = mkdtempSync(join(tmpdir(), "doppel-burst-run-"));
  chmodSync(root, 0o755);
  execFileSync("cp", ["-a", seed.data_dir, join(root, "data")]);  // -a keeps the cluster's owner and modes
  const jira = await start_fake_jira({ backlog, port: seed.jira_port });
  const app = await start_doppel({ bin, keys_url: seed.keys.url, out_dir: join(opts.out, "burst", `${label}-${round}`),
                                   data_dir: join(root, "data"), env });
  try {
    const tenant = { ...seed.tenant, app_url: app.url };
    // The panel's reads and Jira's webhooks come from different clients: each has its own connections, so a read
    // never waits in the load generator for a socket that a slow webhook holds.
    const agent = make_agent(opts.sockets), hook_agent = make_agent(opts.sockets);
    const api = api_client(agent, app, tenant);
    const stats_api = api_client(make_agent(2), app, tenant);
    await wait_quiet(stats_api, opts.seed_timeout_seconds);
    const rnd = prng(42);
    const read = () => api(`/api/issues/LOAD-${1 + Math.floor(rnd() * opts.issues)}/similar?limit=${opts.limit}`);
    await open_loop({ rate: 50, duration_s: opts.warmup_seconds, make_request: read });
    // The load generator's own event-loop delay (it sends, receives and serves the fake Jira on one thread): part
    // of every client-side latency, none of the server's.
    const loop_delay = monitorEventLoopDelay({ resolution: 1 });
    loop_delay.enable();
    const load_at_start = loadavg()[0];  // the machine's 1-minute load average (other processes included)
    const idle_wall = Date.now();
    const idle = await open_loop({ rate: opts.read_rate, duration_s: opts.idle_seconds, make_request: read });
    const loop_idle = loop_delay.percentile(99) / 1e6;
    loop_delay.reset();

    // The burst: webhooks of new issues at burst_rate; reads at read_rate from its start until the queue is empty.
    const send_hook = webhook_sender(hook_agent, app, tenant);
    let next = opts.issues;
    const windows = { burst: [], applying: [] };
    const burst_start = performance.now(), burst_wall = Date.now();
    let burst_end = Infinity, burst_end_wall = Infinity, drained = false, depth_at_burst_end = null, depth_last = null;
    const depths = [];
    const hooks_p = open_loop({ rate: opts.burst_rate, duration_s: opts.burst_seconds,
                                make_request: () => send_hook(make_issue(base.issues, next++)) })
      .then(async (s) => { burst_end = performance.now(); burst_end_wall = Date.now(); depth_at_burst_end = await queue_depth(stats_api); return s; });
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
    const reads_wall = Date.now();
    const loop_during = loop_delay.percentile(99) / 1e6;
    loop_delay.disable();
    const depth_end = await queue_depth(stats_api);
    agent.destroy();
    hook_agent.destroy();
    return {
      idle,
      burst: summarize(windows.burst), applying: summarize(windows.applying), during: summarize([...windows.burst, ...windows.applying]),
      read_errors: reads.errors, read_statuses: reads.statuses,
      server: { idle: handler_times(app.log_path, idle_wall, burst_wall), during: handler_times(app.log_path, burst_wall, reads_wall),
                burst: handler_times(app.log_path, burst_wall, burst_end_wall),
                applying: handler_times(app.log_path, burst_end_wall, reads_wall) },
      generator_loop_delay_p99_ms: { idle: loop_idle, during: loop_during }, load_at_start,
      webhooks: { sent: hooks.sent, acknowledged: acknowledged(hooks), p99_ms: hooks.p99_ms, errors: hooks.errors },
      queue: { at_burst_end: depth_at_burst_end, at_reads_end: depth_end, drained, samples: depths },
    };
  } finally {
    await app.stop();
    jira.close();
    rmSync(root, { recursive: true, force: true });
  }
}

const builds = [["new", opts.bin], ...opts.also_bin.split(",").filter(Boolean).map((b) => b.split("=")),
                ...(opts.old_bin ? [["old", opts.old_bin]] : [])];
const seed = await build_tenant();
const runs = [];
for (let round = 0; round < opts.rounds; round++) {
  const order = round % 2 === 0 ? [...builds].reverse() : builds;  // old first in even rounds
  for (const [label, bin] of order) {
    log(`round ${round + 1}: ${label} (${bin})`);
    const r = await measure(bin, label, seed, round + 1);
    runs.push({ round: round + 1, label, bin, ...r });
    log(`${label}: idle p99 ${fmt(r.idle.p99_ms)} ms; burst p99 ${fmt(r.burst.p99_ms)}; applying p99 ${fmt(r.applying.p99_ms)} ` +
        `(${r.applying.samples} reads); queue ${r.queue.at_burst_end} at burst end, ${r.queue.at_reads_end} at reads end`);
  }
}

const median = (xs) => { const s = xs.filter(Number.isFinite).sort((a, b) => a - b); return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN; };
console.log(table(runs, [["round", (r) => r.round], ["build", (r) => r.label], ["load avg", (r) => fmt(r.load_at_start)],
  ["idle p50/p95/p99 ms", (r) => `${fmt(r.idle.p50_ms)} / ${fmt(r.idle.p95_ms)} / ${fmt(r.idle.p99_ms)}`],
  ["burst p50/p95/p99 ms", (r) => `${fmt(r.burst.p50_ms)} / ${fmt(r.burst.p95_ms)} / ${fmt(r.burst.p99_ms)}`],
  ["applying p50/p95/p99 ms", (r) => `${fmt(r.applying.p50_ms)} / ${fmt(r.applying.p95_ms)} / ${fmt(r.applying.p99_ms)}`],
  ["burst+applying p99 ms", (r) => fmt(r.during.p99_ms)],
  ["server-side p50 / p99 idle, burst, applying", (r) => ["idle", "burst", "applying"]
    .map((w) => `${fmt(r.server[w].p50_ms)} / ${fmt(r.server[w].p99_ms)}`).join(", ")],
  ["generator loop delay p99 idle / during", (r) => `${fmt(r.generator_loop_delay_p99_ms.idle)} / ${fmt(r.generator_loop_delay_p99_ms.during)}`],
  ["reads burst / applying", (r) => `${r.burst.samples} / ${r.applying.samples}`], ["read errors", (r) => r.read_errors + r.idle.errors],
  ["webhooks acked / p99 ms", (r) => `${r.webhooks.acknowledged} / ${fmt(r.webhooks.p99_ms)}`],
  ["queue at burst end / reads end", (r) => `${r.queue.at_burst_end} / ${r.queue.at_reads_end}${r.queue.drained ? " (drained)" : ""}`]]));
const metrics = [["idle p99", (r) => r.idle.p99_ms], ["burst p50", (r) => r.burst.p50_ms], ["burst p99", (r) => r.burst.p99_ms],
  ["applying p50", (r) => r.applying.p50_ms], ["applying p99", (r) => r.applying.p99_ms], ["burst+applying p99", (r) => r.during.p99_ms],
  ["server-side idle p99", (r) => r.server.idle.p99_ms], ["server-side burst+applying p99", (r) => r.server.during.p99_ms]];
const summary = metrics.map(([name, f]) => {
  const m = Object.fromEntries(builds.map(([label]) => [label, median(runs.filter((r) => r.label === label).map(f))]));
  return { name, m, ratio: Object.fromEntries(builds.map(([label]) => [label, m.old ? m[label] / m.old : NaN])) };
});
console.log(`\nmedians over ${opts.rounds} round(s), ms:`);
const others = builds.filter(([label]) => label !== "old");
console.log(table(summary, [["metric", (s) => s.name], ...builds.map(([label]) => [label, (s) => fmt(s.m[label])]),
  ...(opts.old_bin ? others.map(([label]) => [`ratio ${label} / old`, (s) => fmt(s.ratio[label], 2)]) : [])]));
seed.keys.close();
if (seed.root) rmSync(seed.root, { recursive: true, force: true });
write_json(join(opts.out, "burst", "result.json"), { opts, dataset: base.source, runs, summary });
process.exit(runs.every((r) => r.read_errors === 0 && r.idle.errors === 0) ? 0 : 1);

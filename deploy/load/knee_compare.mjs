// Old and new build side by side: runs webhook_knee.mjs (or webhook_capacity.mjs with --capacity) for each binary in
// turn (old, new, old, new, ...) and prints each run's knee (or acknowledgements/s), the medians and the ratio new/old,
// so both builds see the same machine load.
// Usage: node knee_compare.mjs --old ../../../base/build/doppel --new ../../build/doppel [--rounds 2] [--capacity]
//        [--knee-args "--rates 400,800,1200,1600,2000 --step-seconds 5 --refine 1"]
// Each run is a full run of the script (fresh server and database, every acknowledged event checked).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, parse_args, table } from "./lib/openloop.mjs";
import { common_defaults } from "./lib/bed.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const opts = parse_args({ old: "", new: "", rounds: 2, knee_args: "", capacity: false,
  out: join(common_defaults.out, "knee_compare") });
const script = opts.capacity ? "webhook_capacity.mjs" : "webhook_knee.mjs";
const result_dir = opts.capacity ? "capacity" : "webhooks";
if (!opts.old || !opts.new) throw new Error("--old and --new name the two doppel binaries");

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

const runs = [];
for (let round = 1; round <= opts.rounds; round++) {
  for (const [label, bin] of [["old", opts.old], ["new", opts.new]]) {
    const out = join(opts.out, `${label}-${round}`);
    const args = [join(here, script), "--bin", bin, "--out", out, ...opts.knee_args.split(/\s+/).filter(Boolean)];
    console.error(`[compare] round ${round}, ${label}: node ${args.join(" ")}`);
    const started = new Date().toISOString();
    const r = spawnSync(process.execPath, args, { stdio: ["ignore", "inherit", "inherit"] });
    let result = null;
    try { result = JSON.parse(readFileSync(join(out, result_dir, "result.json"), "utf8")); } catch { /* run failed */ }
    if (opts.capacity) {
      runs.push({ round, label, started, exit: r.status, value: result?.acks_per_s ?? NaN, p50: result?.p50_ms ?? NaN,
                  p99: result?.p99_ms ?? NaN, ok: result?.all_stored ?? false, acked: result?.acked ?? null,
                  pg_cpu: result?.cpu?.postgres_pct ?? NaN, server_cpu: result?.cpu?.server_pct ?? NaN });
      continue;
    }
    const at_knee = result?.steps?.find((s) => s.rate === result.knee_rate);
    runs.push({ round, label, started, exit: r.status, value: result?.knee_rate ?? NaN, p99: at_knee?.p99_ms ?? NaN,
                over: result?.first_rate_over_limit ?? null, ok: result?.all_applied ?? false,
                acked: result?.events_acknowledged ?? null, drain_s: result?.drain_seconds ?? NaN });
  }
}

const columns = opts.capacity
  ? [["acks /s", (r) => fmt(r.value, 0)], ["p50 ms", (r) => fmt(r.p50)], ["p99 ms", (r) => fmt(r.p99)],
     ["CPU % server / PG", (r) => `${fmt(r.server_cpu, 0)} / ${fmt(r.pg_cpu, 0)}`], ["acknowledged", (r) => r.acked],
     ["all stored", (r) => (r.ok ? "yes" : "NO")]]
  : [["knee /s", (r) => fmt(r.value, 0)], ["p99 at knee ms", (r) => fmt(r.p99)], ["first rate over", (r) => r.over ?? "-"],
     ["acknowledged", (r) => r.acked], ["all applied", (r) => (r.ok ? "yes" : "NO")], ["drain s", (r) => fmt(r.drain_s, 0)]];
console.log(table(runs, [["round", (r) => r.round], ["build", (r) => r.label], ["started (UTC)", (r) => r.started.slice(11, 19)],
  ...columns, ["exit", (r) => r.exit]]));
const old_median = median(runs.filter((r) => r.label === "old").map((r) => r.value));
const new_median = median(runs.filter((r) => r.label === "new").map((r) => r.value));
console.log(`\nmedian ${opts.capacity ? "acknowledgements" : "knee"}: old ${fmt(old_median, 0)}/s, new ${fmt(new_median, 0)}/s, ` +
            `ratio new/old ${fmt(new_median / old_median, 2)}`);
process.exit(runs.every((r) => r.exit === 0 && r.ok) ? 0 : 1);

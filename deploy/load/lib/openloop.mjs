// Open-loop request generator (fixed arrival schedule, latency measured from the scheduled time) and statistics.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { performance } from "node:perf_hooks";

// Fires make_request(i) at `rate` per second for `duration_s`, independent of completions (open loop), so a slow
// server shows up as latency, not as a lower offered rate. Requests that would exceed max_in_flight are counted
// as dropped (client saturation). Resolves with the latency samples in ms, measured from each scheduled start.
// on_sample(scheduled, latency_ms, response), when given, sees every answer (scheduled: performance.now() time), and
// `until()`, when given, stops the schedule early once it returns true (checked before each send).
export async function open_loop({ rate, duration_s, make_request, max_in_flight = 4096, is_ok = (r) => r.status >= 200 && r.status < 300,
                                  on_sample, until }) {
  let total = Math.max(1, Math.round(rate * duration_s));
  const interval = 1000 / rate;
  const latencies = [];
  const statuses = new Map();
  let in_flight = 0, dropped = 0, errors = 0, fired = 0, done = 0, max_lag = 0;
  const t0 = performance.now();
  await new Promise((resolve) => {
    const finish = () => { if (done + dropped === total) resolve(); };
    const tick = () => {
      const now = performance.now();
      while (fired < total && t0 + fired * interval <= now) {
        if (until?.()) { total = fired; break; }
        const scheduled = t0 + fired * interval;
        max_lag = Math.max(max_lag, now - scheduled);
        const i = fired++;
        if (in_flight >= max_in_flight) { dropped++; continue; }
        in_flight++;
        make_request(i).then((r) => {
          in_flight--; done++;
          latencies.push(performance.now() - scheduled);
          on_sample?.(scheduled, performance.now() - scheduled, r);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          if (!is_ok(r)) errors++;
          finish();
        });
      }
      if (fired < total) setTimeout(tick, Math.max(0, Math.min(5, t0 + fired * interval - performance.now())));
      else finish();
    };
    tick();
  });
  const elapsed_s = (performance.now() - t0) / 1000;
  return { rate, duration_s, sent: total - dropped, completed: done, dropped, errors, elapsed_s,
           achieved_rps: done / elapsed_s, statuses: Object.fromEntries(statuses), scheduler_max_lag_ms: max_lag,
           ...summarize(latencies) };
}

// Percentile by nearest rank on a sorted copy.
export function summarize(samples) {
  const s = Float64Array.from(samples).sort();
  const q = (p) => (s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] : NaN);
  return { samples: s.length, p50_ms: q(0.5), p90_ms: q(0.9), p95_ms: q(0.95), p99_ms: q(0.99), p999_ms: q(0.999), max_ms: s.length ? s[s.length - 1] : NaN };
}

// Runs `worker(i)` for i in [0, count) with at most `concurrency` in flight (closed loop, for seeding).
export async function closed_loop(count, concurrency, worker) {
  let next = 0;
  const run = async () => { while (next < count) await worker(next++); };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, run));
}

// --name value / --flag command-line options with defaults; numbers and comma lists parsed from the defaults' types.
export function parse_args(defaults) {
  const opts = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const m = argv[i].match(/^--([a-z0-9-]+)(?:=(.*))?$/);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    const key = m[1].replace(/-/g, "_");
    if (!(key in defaults)) throw new Error(`unknown option --${m[1]} (known: ${Object.keys(defaults).map((k) => "--" + k.replace(/_/g, "-")).join(" ")})`);
    const d = defaults[key];
    const raw = m[2] ?? (typeof d === "boolean" ? "true" : argv[++i]);
    opts[key] = typeof d === "number" ? Number(raw) : Array.isArray(d) ? raw.split(",").map(Number)
      : typeof d === "boolean" ? raw !== "false" : raw;
  }
  return opts;
}

export const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : "-");

// Markdown table from rows of objects and [header, accessor] columns.
export function table(rows, columns) {
  const head = `| ${columns.map(([h]) => h).join(" | ")} |`;
  const sep = `|${columns.map(() => "---").join("|")}|`;
  return [head, sep, ...rows.map((r) => `| ${columns.map(([, f]) => f(r)).join(" | ")} |`)].join("\n");
}

export function write_json(path, obj) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(obj, null, 2) + "\n");
}

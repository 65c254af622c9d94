#!/usr/bin/env bash
# Smoke-runs the load scripts in deploy/load with tiny bounds (seconds, a few hundred requests, loopback only)
# against the built binary, so the scripts stay runnable; the full-size runs and their numbers are in docs/performance.md.
set -euo pipefail
root="${DOPPEL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
bin="${DOPPEL_BIN:-$root/build/doppel}"
[ -x "$bin" ] || { echo "FAIL: doppel binary not found ($bin)"; exit 1; }
load="$root/deploy/load"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if [ ! -d "$load/node_modules/atlassian-jwt" ]; then
  (cd "$load" && npm ci --no-audit --no-fund --loglevel=error) >"$tmp/npm.log" 2>&1 || { cat "$tmp/npm.log"; echo "FAIL: npm ci in deploy/load"; exit 1; }
fi
unset DOPPEL_DATABASE_URL   # each script runs its own embedded PostgreSQL in a temp dir

# Runs a load script; returns 3 (after saying so) when the server lacks a route the script needs, fails otherwise.
run() {
  local name=$1; shift
  local t0=$SECONDS rc=0
  timeout 300 node "$load/$name.mjs" --bin "$bin" --out "$tmp/out" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
  cat "$tmp/$name.out"
  if [ "$rc" = 3 ]; then echo "SKIP $name: the built server cannot serve what it needs yet (see above)"; return 3; fi
  if [ "$rc" != 0 ]; then tail -20 "$tmp/$name.err"; echo "FAIL: $name (exit $rc)"; exit 1; fi
  echo "ok   $name finished in $((SECONDS - t0)) s"
}
check_json() {  # file, JS expression over `r` that must be true
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); if (!eval(process.argv[2])) { console.log("FAIL: " + process.argv[2]); process.exit(1); } console.log("ok   " + process.argv[2]);' "$1" "$2"
}

echo "== webhook_knee (2 steps x 2 s) =="
if ! run webhook_knee --rates 20,40 --step-seconds 2 --pause-seconds 0; then
  echo "SKIP all load scripts: this build cannot install a tenant, so no script can drive it"
  exit 0
fi
check_json "$tmp/out/webhooks/result.json" 'r.steps.length >= 1 && r.steps[0].completed === 40 && r.steps[0].errors === 0 && r.steps[0].p99_ms > 0'
check_json "$tmp/out/webhooks/result.json" 'r.all_applied === true && r.events_applied >= r.events_acknowledged && r.events_acknowledged >= 40'
check_json "$tmp/out/webhooks/result.json" 'r.stopped.code === 0'

echo "== webhook_capacity (200 webhooks, 8 senders) =="
run webhook_capacity --count 200 --concurrency 8 --warmup 20
check_json "$tmp/out/capacity/result.json" 'r.acked === 200 && r.all_stored === true && r.acks_per_s > 0 && r.stopped.code === 0'

echo "== panel_api (300 issues by backfill, 20 rps x 2 s) =="
if run panel_api --issues 300 --rates 20 --phase-seconds 2 --warmup-seconds 1 --seed-timeout-seconds 120; then
  check_json "$tmp/out/panel/result.json" 'r.seed === "backfill" && r.issues === 300 && r.phases[0].completed === 40 && r.phases[0].errors === 0 && Number.isFinite(r.phases[0].p999_ms)'
fi

echo "== burst_reads (300 issues, 1 round of this build: 2 s idle, a 2 s burst of 50 webhooks/s) =="
if run burst_reads --issues 300 --rounds 1 --idle-seconds 2 --warmup-seconds 1 --burst-rate 50 --burst-seconds 2 --apply-seconds 3 --seed-timeout-seconds 120; then
  check_json "$tmp/out/burst/result.json" 'r.runs.length === 1 && r.runs[0].idle.completed === 200 && r.runs[0].idle.errors === 0 && r.runs[0].read_errors === 0'
  check_json "$tmp/out/burst/result.json" 'r.runs[0].webhooks.acknowledged === 100 && r.runs[0].burst.samples > 0 && Number.isFinite(r.runs[0].during.p99_ms)'
fi

echo "== soak (2 samples x 3 s) =="
run soak --minutes 0.1 --sample-seconds 3 --seed 100 --webhook-rate 5 --panel-rps 5 \
  || { echo "   soak again with webhooks only"; run soak --minutes 0.1 --sample-seconds 3 --seed 100 --webhook-rate 5 --panel-rps 0; }
check_json "$tmp/out/soak/result.json" 'r.samples.length === 3 && r.samples.every((s) => s.rss_mib > 0 && s.tree_pss_mib > 0 && s.processes > 1) && r.total_errors === 0'
check_json "$tmp/out/soak/result.json" 'r.all_applied === true && r.samples.every((s) => s.open_connections !== null)'
echo "== quality_stream (oldest 300 dataset issues at 100/s) =="
if run quality_stream --limit 300 --rate 100 --apply-timeout-seconds 120; then
grep -q '^| project | issues measured | with filed dup | (a) panel lists one | (b) likely lists one | (a) earlier | (b) earlier | (c) likely per clean issue | (c) earlier | queue pending | (d) queue precision | (d) queue recall |$' "$tmp/quality_stream.out" \
  || { echo "FAIL: quality_stream printed no table with the expected columns"; exit 1; }
grep -q '^| all | 300 |' "$tmp/quality_stream.out" || { echo "FAIL: quality_stream's table has no 'all' row of 300 issues"; exit 1; }
check_json "$tmp/out/quality/result.json" 'r.streamed === 300 && r.overall.measured === 300 && r.overall.issues === 300 && r.latency.samples === 300 && r.latency.p99_ms > 0'
check_json "$tmp/out/quality/result.json" 'r.per_project.length >= 1 && r.per_project.reduce((n, p) => n + p.measured, 0) === 300 && r.overall.queue_pairs <= r.queue_pending && r.stopped.code === 0'
fi
echo "== crash_recovery (one kill -9 in a 4 s stream at 10/s) =="
run crash_recovery --kills 1 --rate 10 --seconds 4 --seed 50
check_json "$tmp/out/crash_recovery/result.json" 'r.rounds.length === 1 && r.rounds[0].webhooks === 40 && r.rounds[0].recovery_s >= 0 && r.rounds[0].restart_s > 0 && r.stopped.code === 0'
echo "deploy_load_smoke: all checks passed"

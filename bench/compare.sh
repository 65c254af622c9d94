#!/usr/bin/env bash
# Engine benchmarks next to their anchors, all measured in this run: quality and wall time of
# `doppel eval` vs the textbook anchor (baseline-tfidf.py), the full-backlog scan vs the anchor and
# the scikit-learn batch (bench/sklearn_batch.py; real scikit-learn when importable, see
# bench/fetch-sklearn.sh), then `doppel bench` scale figures.
# usage: bench/compare.sh [DATASET]   env: DOPPEL_BIN (default build/doppel), SKIP_ANCHOR=1 to skip
# the slow pure-Python anchor, BENCH_SIZES (default 20000,100000,500000), SCAN_PAIRS (default 3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${DOPPEL_BIN:-$here/../build/doppel}
shared=${DOPPEL_SHARED_DIR:-$here/../../shared}
dataset=${1:-$shared/datasets/apache-hadoop.jsonl.gz}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
seconds() { /usr/bin/python3 -c 'import sys,time,subprocess; t=time.perf_counter(); subprocess.run(sys.argv[2:], stdout=open(sys.argv[1],"w"), check=True); print(f"{time.perf_counter()-t:.2f}")' "$@"; }

eval_s=$(seconds "$out/ranks.jsonl" "$bin" eval --dataset "$dataset")
echo "doppel eval: wall_s=$eval_s $(python3 "$shared/tools/dupe-eval.py" "$dataset" "$out/ranks.jsonl")"
if [ "${SKIP_ANCHOR:-0}" != 1 ]; then
  anchor_s=$(seconds "$out/base.jsonl" python3 "$shared/tools/baseline-tfidf.py" "$dataset")
  echo "anchor baseline-tfidf: wall_s=$anchor_s $(python3 "$shared/tools/dupe-eval.py" "$dataset" "$out/base.jsonl")"
  /usr/bin/python3 -c "print(f'ratio: anchor wall / doppel eval wall = {float($anchor_s)/float($eval_s):.1f}x')"
fi
# The full-backlog scan next to the scikit-learn batch, in alternating pairs (SCAN_PAIRS, default 3):
# on a shared machine the speed of memory-bound code varies by 2x between minutes, so each ratio is
# taken between runs made one after the other, and the median ratio is the figure.
# One core, as for Doppel (BLAS threads off). scikit-learn itself is used when importable, e.g. after
# bench/fetch-sklearn.sh and PYTHONPATH=/tmp/doppel-sklearn/usr/lib/python3/dist-packages.
for i in $(seq "${SCAN_PAIRS:-3}"); do
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/sklearn_batch.py" "$dataset" 2> "$out/sk.$i.txt" >/dev/null
  cat "$out/sk.$i.txt"
  "$bin" bench --dataset "$dataset" --sizes 1000 --queries 10 --updates 10 | grep '^bench scan' | tee "$out/scan.$i.txt"
done
/usr/bin/python3 - "$out" "${SCAN_PAIRS:-3}" <<'PY'
import re, statistics, sys
def num(pattern, path):
    return float(re.search(pattern, open(path).read()).group(1))
rows = []
for i in range(1, int(sys.argv[2]) + 1):
    sk, scan = f"{sys.argv[1]}/sk.{i}.txt", f"{sys.argv[1]}/scan.{i}.txt"
    sk_cpu = num(r"scan_cpu_s=([0-9.]+)", sk)
    rescan = num(r"bench scan: .*?cpu_seconds=([0-9.]+)", scan)
    interactive = num(r"bench scan_interactive_pool: .*?cpu_seconds=([0-9.]+)", scan)
    rows.append((sk_cpu / rescan, sk_cpu / interactive))
    print(f"pair {i}: scikit-learn scan {sk_cpu:.2f} s cpu; doppel rescan pool {rescan:.3f} s ({sk_cpu / rescan:.1f}x), "
          f"interactive pool {interactive:.3f} s ({sk_cpu / interactive:.1f}x)")
print(f"ratio: scikit-learn batch scan / doppel scan (cpu, median of {len(rows)} pairs) = "
      f"{statistics.median(r[0] for r in rows):.1f}x with the rescan pool, "
      f"{statistics.median(r[1] for r in rows):.1f}x with the interactive pool")
PY
# The ranking of the rescan's pool: doppel eval with candidate_pool set to it.
scan_pool=$(grep -o '^bench scan: .*pool=[0-9]*' "$out/scan.1.txt" | grep -o '[0-9]*$')
"$bin" eval --dataset "$dataset" --options "{\"candidate_pool\":$scan_pool}" > "$out/ranks_pool.jsonl"
echo "doppel eval with candidate_pool $scan_pool (the rescan pool): $(python3 "$shared/tools/dupe-eval.py" "$dataset" "$out/ranks_pool.jsonl")"
"$bin" bench --dataset "$dataset" --sizes "${BENCH_SIZES:-20000,100000,500000}" --no-scan

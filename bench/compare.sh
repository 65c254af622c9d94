#!/usr/bin/env bash
# Engine benchmarks next to their anchors, all measured in this run: quality and wall time of
# `doppel eval` vs the textbook anchor (baseline-tfidf.py), the full-backlog scan vs the anchor and
# the scikit-learn batch (bench/sklearn_batch.py; real scikit-learn when importable, see
# bench/fetch-sklearn.sh), then `doppel bench` scale figures.
# usage: bench/compare.sh [DATASET]   env: DOPPEL_BIN (default build/doppel), SKIP_ANCHOR=1 to skip
# the slow pure-Python anchor, BENCH_SIZES (default 20000,100000,500000).
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
# One core, as for Doppel (BLAS threads off). scikit-learn itself is used when importable, e.g. after
# bench/fetch-sklearn.sh and PYTHONPATH=/tmp/doppel-sklearn/usr/lib/python3/dist-packages.
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/sklearn_batch.py" "$dataset" 2> "$out/sk.txt" >/dev/null
cat "$out/sk.txt"
"$bin" bench --dataset "$dataset" --sizes "${BENCH_SIZES:-20000,100000,500000}" | tee "$out/bench.txt"
/usr/bin/python3 - "$out/sk.txt" "$out/bench.txt" <<'PY'
import re, sys
sk = float(re.search(r"scan_s=([0-9.]+)", open(sys.argv[1]).read()).group(1))
sk_total = float(re.search(r"total_s=([0-9.]+)", open(sys.argv[1]).read()).group(1))
sk_cpu = float(re.search(r"scan_cpu_s=([0-9.]+)", open(sys.argv[1]).read()).group(1))
bench = open(sys.argv[2]).read()
scan = float(re.search(r"bench scan: .*? seconds=([0-9.]+)", bench).group(1))
scan_cpu = float(re.search(r"bench scan: .*?cpu_seconds=([0-9.]+)", bench).group(1))
print(f"ratio: sklearn-style scan / doppel scan = {sk / scan:.1f}x wall, {sk_cpu / scan_cpu:.1f}x cpu "
      f"(sklearn-style including its fit and load: {sk_total / scan:.1f}x wall)")
PY

#!/usr/bin/env bash
# One command to try Doppel: installs packages, builds, and runs `doppel serve` on an embedded PostgreSQL.
# The descriptor URL is printed in the "listening" log line. Stop with Ctrl-C (data is kept in DOPPEL_DATA_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh
deploy/build.sh
data_dir="${DOPPEL_DATA_DIR:-./var}"
mkdir -p "$data_dir"
if [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -x "$(realpath "$data_dir")"; then
  # PostgreSQL refuses to run as root and runs as "postgres", which must be able to reach the data dir.
  data_dir=/var/lib/doppel
  mkdir -p "$data_dir"
  echo "run: postgres cannot reach ./var from here; using DOPPEL_DATA_DIR=$data_dir"
fi
export DOPPEL_DATA_DIR="$data_dir"
port="${DOPPEL_PORT:-8080}"
echo "run: Doppel will listen on ${DOPPEL_BIND:-127.0.0.1}:${port}; descriptor: ${DOPPEL_BASE_URL:-http://localhost:$port}/atlassian-connect.json"
exec build/doppel serve

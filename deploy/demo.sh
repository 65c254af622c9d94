#!/usr/bin/env bash
# Demo without a Jira account: runs a fake Jira site (replaying part of the Hadoop dataset) and `doppel serve`
# together, installs the app, feeds webhooks and prints the descriptor, an issue-panel URL and a panel-API call.
# Needs a built binary (deploy/build.sh) and Node 20. PostgreSQL: DOPPEL_DATABASE_URL, else embedded in DOPPEL_DATA_DIR.
# Options go to tests/e2e/demo-jira.mjs: --backfill N (issues already in Jira), --replay M (webhooks), --rate R (per s).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOPPEL_BIN="${DOPPEL_BIN:-$PWD/build/doppel}"
[[ -x "$DOPPEL_BIN" ]] || { echo "demo: $DOPPEL_BIN not found; build first (deploy/build.sh) or set DOPPEL_BIN" >&2; exit 1; }
[[ -d tests/e2e/node_modules/atlassian-jwt ]] || (cd tests/e2e && npm ci --silent)
export DOPPEL_SOURCE_DIR="$PWD"
if [[ -z "${DOPPEL_DATABASE_URL:-}" ]]; then
  data_dir="${DOPPEL_DATA_DIR:-./var/demo}"
  mkdir -p "$data_dir"
  if [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -x "$(realpath "$data_dir")"; then
    # The embedded PostgreSQL runs as "postgres", which must reach the data dir.
    data_dir=/var/lib/doppel-demo
    mkdir -p "$data_dir"
  fi
  export DOPPEL_DATA_DIR="$data_dir"
  echo "demo: embedded PostgreSQL in $DOPPEL_DATA_DIR"
fi
exec node tests/e2e/demo-jira.mjs "$@"

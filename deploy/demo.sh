#!/usr/bin/env bash
# Try Doppel in one command: `doppel serve` plus a local demo Jira site (Apache Hadoop issues, new ones replayed in
# the background) that hosts Doppel's real pages; prints `demo: open <URL>` when ready. Ctrl-C stops everything.
# Installs packages and builds first when build/doppel or the frontend is missing (DOPPEL_BIN: use that binary).
# PostgreSQL: DOPPEL_DATABASE_URL, else embedded in DOPPEL_DATA_DIR. Options go to tests/e2e/demo-jira.mjs:
# --backfill N (issues already in Jira), --replay M (new issues), --rate R (new issues per s),
# --port P (Doppel, default 8080), --site-port S (demo site, default 8081); 0 = any free port.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${DOPPEL_BIN:-}" && ( ! -x build/doppel || ! -f frontend/dist/panel.html ) ]]; then
  echo "demo: first run: installing packages and building (takes a while once)"
  deploy/install-deps.sh
  deploy/build.sh
fi
export DOPPEL_BIN="${DOPPEL_BIN:-$PWD/build/doppel}"
[[ -x "$DOPPEL_BIN" ]] || { echo "demo: $DOPPEL_BIN not found" >&2; exit 1; }
[[ -f frontend/dist/panel.html ]] || { echo "demo: frontend/dist is not built; run deploy/build.sh" >&2; exit 1; }
[[ -d tests/e2e/node_modules/atlassian-jwt && -d tests/e2e/node_modules/simple-xdm ]] ||
  (cd tests/e2e && npm ci --silent --no-audit --no-fund)
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

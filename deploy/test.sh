#!/usr/bin/env bash
# One command to test Doppel: installs packages, builds (warnings as errors), starts a throwaway PostgreSQL,
# and runs the whole suite (unit, integration, e2e, checks) through CTest, ending with CTest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
deploy/install-deps.sh --test
deploy/build.sh -DDOPPEL_WERROR=ON
for dir in tests/e2e tests/tools deploy/load; do
  # npm ci when the packages are missing or older than the lock file (a pull that changed the dependencies).
  if [[ -f $dir/package-lock.json && ( ! -f $dir/node_modules/.package-lock.json || $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ) ]]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

# A throwaway PostgreSQL 15 on a free loopback port, owned by "postgres" when we are root.
pg_bin=/usr/lib/postgresql/15/bin
pg_dir=$(mktemp -d /tmp/doppel-test-pg.XXXXXX)
chmod 755 "$pg_dir"
as_pg=()
if [[ $(id -u) -eq 0 ]]; then chown postgres "$pg_dir"; as_pg=(runuser -u postgres --); fi
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U doppel --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c max_connections=300 -c fsync=off" start >/dev/null
cleanup() { "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pg_dir"; }
trap cleanup EXIT
export DOPPEL_TEST_DATABASE_URL="postgresql://doppel@127.0.0.1:$pg_port/postgres"
export DOPPEL_TEST_PG_BIN="$pg_bin" DOPPEL_TEST_PG_DATA="$pg_dir/data"
mkdir -p "$root/test-output"
cd build
ctest --output-on-failure --timeout 900 "$@"

#!/usr/bin/env bash
# Backup/restore drill (docs/backup.md): migrate a fresh database, put data in through the product, pg_dump -Fc,
# pg_restore into another fresh database, then prove the copy is identical (tables, sequences, schema) and that a
# server on it gives the same panel API answers. Uses DOPPEL_TEST_DATABASE_URL (superuser) or a private cluster.
set -euo pipefail
root="${DOPPEL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
bin="${DOPPEL_BIN:-$root/build/doppel}"
[ -x "$bin" ] || { echo "FAIL: doppel binary not found ($bin); build it or set DOPPEL_BIN"; exit 1; }
tmp=$(mktemp -d)
pg_bin=/usr/lib/postgresql/15/bin
private_pg=""
src_db="doppel_br_src_$$"; dst_db="doppel_br_dst_$$"
admin=""
cleanup() {
  if [ -n "$admin" ]; then
    psql "$admin" -qAt -c "DROP DATABASE IF EXISTS $src_db WITH (FORCE)" -c "DROP DATABASE IF EXISTS $dst_db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if [ -n "$private_pg" ]; then as_pg "$pg_bin/pg_ctl" -D "$tmp/pg" -m fast -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# A URL for database $2 on the server of URL $1 (same credentials and parameters).
db_url() { python3 -c 'import re, sys; print(re.sub(r"^(postgres(?:ql)?://[^/?]*)(/[^?]*)?", lambda m: m.group(1) + "/" + sys.argv[2], sys.argv[1]))' "$1" "$2"; }

if [ -n "${DOPPEL_TEST_DATABASE_URL:-}" ]; then
  admin="$DOPPEL_TEST_DATABASE_URL"
  echo "using DOPPEL_TEST_DATABASE_URL"
else
  echo "DOPPEL_TEST_DATABASE_URL unset: starting a private PostgreSQL 15 cluster in $tmp/pg"
  mkdir -p "$tmp/pg" "$tmp/sock"; chmod 0755 "$tmp"
  [ "$(id -u)" = 0 ] && chown postgres "$tmp/pg" "$tmp/sock"
  as_pg "$pg_bin/initdb" -D "$tmp/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log"; fail initdb; }
  as_pg "$pg_bin/pg_ctl" -D "$tmp/pg" -l "$tmp/sock/pg.log" -w -o "-c listen_addresses='' -c unix_socket_directories='$tmp/sock' -c fsync=off" start >/dev/null \
    || { cat "$tmp/sock/pg.log"; fail "pg_ctl start"; }
  private_pg=1
  admin="postgresql:///postgres?host=$tmp/sock&user=postgres"
fi
psql "$admin" -qAt -c "SELECT 1" >/dev/null || fail "cannot connect as superuser"
echo "ok   server $(psql "$admin" -qAt -c 'SHOW server_version')"
src=$(db_url "$admin" "$src_db"); dst=$(db_url "$admin" "$dst_db")
psql "$admin" -qAt -c "CREATE DATABASE $src_db" -c "CREATE DATABASE $dst_db" >/dev/null
echo "ok   created $src_db and $dst_db"

echo "== 1. migrate the source database =="
DOPPEL_DATABASE_URL="$src" "$bin" migrate >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log"; fail "doppel migrate"; }
echo "ok   doppel migrate: $(psql "$src" -qAt -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") tables"

echo "== 2. data in through the product =="
load="$root/deploy/load"
if [ ! -d "$load/node_modules/atlassian-jwt" ]; then
  (cd "$load" && npm ci --no-audit --no-fund --loglevel=error) >"$tmp/npm.log" 2>&1 || { cat "$tmp/npm.log"; fail "npm ci in deploy/load"; }
fi
export DOPPEL_SECRET_KEY="${DOPPEL_SECRET_KEY:-$(openssl rand -hex 32)}"   # the restored server needs the same key
probe() { node "$load/product_probe.mjs" "$@" --bin "$bin" --out "$tmp/probe"; }
product=1
set +e; probe seed --database-url "$src" --state "$tmp/state.json"; rc=$?; set -e
if [ "$rc" = 3 ]; then
  product=""
  echo "note: this build cannot install a tenant yet (see the probe line above): inserting rows with SQL instead"
  psql "$src" -v ON_ERROR_STOP=1 -qAt >/dev/null <<'SQL'
INSERT INTO tenants (tenant_id, kind, base_url, state) VALUES
  ('backup-drill-1', 'connect', 'https://drill-one.atlassian.net', 'installed'),
  ('backup-drill-2', 'forge', 'https://drill-two.atlassian.net', 'enabled');
INSERT INTO tenant_settings (tenant_id, settings) VALUES ('backup-drill-1', '{"threshold": 0.42}');
SQL
elif [ "$rc" != 0 ]; then
  fail "product seed (see above)"
fi
echo "ok   source rows: $(psql "$src" -qAt -c "SELECT string_agg(relname || '=' || n_live_tup, ' ' ORDER BY relname) FROM pg_stat_user_tables WHERE n_live_tup > 0")"

echo "== 3. pg_dump -Fc and pg_restore into a fresh database =="
pg_dump --format=custom --no-owner --file="$tmp/doppel.dump" "$src" || fail pg_dump
echo "ok   pg_dump -Fc: $(stat -c %s "$tmp/doppel.dump") bytes, $(pg_restore --list "$tmp/doppel.dump" | grep -vc '^;') entries"
pg_restore --exit-on-error --no-owner --dbname="$dst" "$tmp/doppel.dump" || fail pg_restore
echo "ok   pg_restore --exit-on-error"

echo "== 4. the restored database holds the same data =="
table_digests() {
  local url=$1 t
  for t in $(psql "$url" -qAt -c "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"); do
    echo "$t $(psql "$url" -qAt -c "SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, E'\n' ORDER BY x::text)), '-') FROM $t x")"
  done
  psql "$url" -qAt -c "SELECT 'sequence ' || sequencename || ' ' || coalesce(last_value, 0) FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
}
table_digests "$src" >"$tmp/src.digest"; table_digests "$dst" >"$tmp/dst.digest"
diff "$tmp/src.digest" "$tmp/dst.digest" || fail "table contents differ after restore"
echo "ok   $(grep -vc '^sequence' "$tmp/src.digest") tables identical (row count + md5 of ordered rows), $(grep -c '^sequence' "$tmp/src.digest") sequences identical"
pg_dump --schema-only --no-owner "$src" | grep -Ev '^(--|\\(un)?restrict )' >"$tmp/src.schema"
pg_dump --schema-only --no-owner "$dst" | grep -Ev '^(--|\\(un)?restrict )' >"$tmp/dst.schema"
diff -q "$tmp/src.schema" "$tmp/dst.schema" >/dev/null || { diff "$tmp/src.schema" "$tmp/dst.schema" | head -20; fail "schema differs"; }
echo "ok   schema identical ($(grep -c '^CREATE' "$tmp/src.schema") CREATE statements)"

echo "== 5. a server on the restored database serves the same results =="
if [ -n "$product" ]; then
  probe verify --database-url "$dst" --state "$tmp/state.json" || fail "restored server answers differ"
  if node -e 'process.exit(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).answers ? 0 : 1)' "$tmp/state.json"; then
    echo "ok   panel API answers identical (same tenant tokens, same DOPPEL_SECRET_KEY)"
  else
    echo "ok   restored tenant's signed requests accepted (same DOPPEL_SECRET_KEY); API comparison skipped: this build has no panel API route"
  fi
else
  probe ready --database-url "$dst" || fail "doppel serve not ready on the restored database"
  echo "ok   doppel serve on the restored database: /readyz 200 (migrations current); API comparison skipped: product path not ready"
fi
echo "backup_restore: all checks passed"

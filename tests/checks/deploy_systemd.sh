#!/usr/bin/env bash
# Verifies deploy/systemd: systemd-analyze verify + offline security score, env template names, and (when the binary
# is built) the Type=notify contract: READY=1 after listen, STOPPING=1 on SIGTERM, exit 0 within the drain deadline.
set -euo pipefail
root="${DOPPEL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$root"
unit="$root/deploy/systemd/doppel.service"
envfile="$root/deploy/systemd/doppel.env"
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

echo "== unit file directives =="
for d in 'Type=notify' 'NotifyAccess=main' 'DynamicUser=yes' 'ProtectSystem=strict' 'NoNewPrivileges=yes' \
         'ProtectHome=yes' 'PrivateTmp=yes' 'CapabilityBoundingSet=' 'StateDirectory=doppel' \
         'EnvironmentFile=/etc/doppel/doppel.env' 'ExecStart=/usr/bin/doppel serve' 'KillSignal=SIGTERM'; do
  grep -qx "$d" "$unit" || fail "missing '$d'"
  echo "ok   $d"
done
stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s$/\1/p' "$unit")
[ -n "$stop" ] && [ "$stop" -gt 10 ] || fail "TimeoutStopSec must exceed the 10 s drain deadline"
echo "ok   TimeoutStopSec=${stop}s > 10 s drain"

echo "== systemd-analyze verify =="
command -v systemd-analyze >/dev/null || fail "systemd-analyze not installed (Debian package systemd)"
# verify checks that ExecStart binaries exist: point them at the built binary (or /bin/true before a build).
bin="${DOPPEL_BIN:-}"
[ -n "$bin" ] && [ -x "$bin" ] || bin=/bin/true
sed "s#/usr/bin/doppel#$bin#g" "$unit" > "$tmp/doppel.service"
if ! systemd-analyze verify "$tmp/doppel.service" >"$tmp/verify.log" 2>&1 || [ -s "$tmp/verify.log" ]; then
  cat "$tmp/verify.log"; fail "systemd-analyze verify reported problems"
fi
echo "ok   systemd-analyze verify: no findings ($(systemd-analyze --version | head -1))"
systemd-analyze security --offline=yes "$tmp/doppel.service" >"$tmp/security.log" 2>&1 || true
score=$(sed -n 's/.*Overall exposure level for doppel.service: \([0-9.]*\).*/\1/p' "$tmp/security.log")
[ -n "$score" ] || { cat "$tmp/security.log"; fail "no exposure score from systemd-analyze security"; }
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || fail "exposure level $score > 2.0"
echo "ok   systemd-analyze security --offline: exposure $score (<= 2.0)"

echo "== env template =="
while IFS= read -r line; do
  name=${line#\#}; name=${name%%=*}
  case "$name" in DOPPEL_*) ;; *) continue ;; esac
  grep -q "\"$name\"" "$root/server/src/app/config.cpp" 2>/dev/null || grep -q "\`$name\`" "$root/../shared/docs/contract.md" 2>/dev/null \
    || fail "$name in doppel.env is not a known DOPPEL_* variable"
  echo "ok   $name is a known variable"
done < <(grep -E '^#?DOPPEL_[A-Z_]+=' "$envfile")

echo "== sd_notify contract (doppel serve under a fake NOTIFY_SOCKET) =="
if [ -z "${DOPPEL_BIN:-}" ] || [ ! -x "${DOPPEL_BIN:-}" ]; then
  echo "skip: DOPPEL_BIN not built; unit-file checks above passed"
  echo "deploy_systemd: all checks passed"
  exit 0
fi
py=$(command -v python3 || command -v /usr/bin/python3)
sock="$tmp/notify.sock"
"$py" - "$sock" "$tmp/notify.log" <<'EOF' &
# Receives sd_notify datagrams with the sender's pid (SCM_CREDENTIALS, as systemd's NotifyAccess=main checks it) and
# appends "pid message" lines until 120 s pass. Children such as the embedded PostgreSQL may notify too.
import socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(sys.argv[1]); s.settimeout(1.0)
deadline = time.monotonic() + 120
with open(sys.argv[2], "a", buffering=1) as out:
    while time.monotonic() < deadline:
        try:
            msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
        except socket.timeout:
            continue
        pid = next((struct.unpack("iII", d[:12])[0] for lvl, typ, d in anc
                    if lvl == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS), 0)
        out.write(f"{pid} {msg.decode(errors='replace').replace(chr(10), ' ')}\n")
EOF
pids+=($!)
for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
data="$tmp/data"; mkdir -p "$data"
[ "$(id -u)" = 0 ] && chmod 0777 "$tmp" "$data"
NOTIFY_SOCKET="$sock" DOPPEL_PORT=0 DOPPEL_DATA_DIR="$data" DOPPEL_BIND=127.0.0.1 \
  "$DOPPEL_BIN" serve >"$tmp/serve.log" 2>&1 &
serve=$!; pids+=($serve)
ready=""
# Only the main process counts (NotifyAccess=main in the unit).
for _ in $(seq 1200); do   # up to 120 s for the embedded PostgreSQL's initdb + migrations
  grep -q "^$serve .*READY=1" "$tmp/notify.log" 2>/dev/null && { ready=1; break; }
  kill -0 "$serve" 2>/dev/null || break
  sleep 0.1
done
[ -n "$ready" ] || { cat "$tmp/notify.log" 2>/dev/null; tail -20 "$tmp/serve.log"; fail "doppel serve (pid $serve) sent no READY=1"; }
echo "ok   READY=1 from the main process (pid $serve)"
grep -v "^$serve " "$tmp/notify.log" | sed 's/^/   note: a child process also notified: /' || true
curl -fsS -o /dev/null "http://127.0.0.1:$(sed -n 's/.*"msg":"listening".*"port":\([0-9]*\).*/\1/p' "$tmp/serve.log" | head -1)/readyz" \
  || fail "READY=1 was sent but /readyz is not 200"
echo "ok   /readyz 200 once READY=1 was sent"
start=$(date +%s)
kill -TERM "$serve"
rc=0; wait "$serve" || rc=$?
took=$(( $(date +%s) - start ))
for _ in $(seq 20); do grep -q "^$serve .*STOPPING=1" "$tmp/notify.log" && break; sleep 0.1; done
grep -q "^$serve .*STOPPING=1" "$tmp/notify.log" || { tail -20 "$tmp/serve.log"; fail "no STOPPING=1 from the main process on SIGTERM"; }
echo "ok   STOPPING=1 from the main process on SIGTERM"
[ "$rc" = 0 ] || { tail -20 "$tmp/serve.log"; fail "doppel serve exited $rc after SIGTERM"; }
[ "$took" -le 15 ] || fail "drain took ${took}s (deadline 10 s + margin)"
echo "ok   exited 0 in ${took}s after SIGTERM"
echo "deploy_systemd: all checks passed"

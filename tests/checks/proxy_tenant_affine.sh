#!/usr/bin/env bash
# deploy/proxy/haproxy-tenant-affine.cfg routes by site: HAProxy in front of two loopback echo backends; every
# request form of one site (Connect "Authorization: JWT", Connect ?jwt= page load, Forge "Authorization: Bearer"
# FIT) reaches the same backend, 200 sites spread over both, /metrics denied. Skipped when haproxy is not installed.
set -euo pipefail
root="${DOPPEL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
command -v haproxy >/dev/null || { echo "SKIP: haproxy not installed (apt-get install haproxy)"; exit 0; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
front=$(free_port); a=$(free_port); b=$(free_port)
sed -e "s|bind :8443 .*|bind 127.0.0.1:$front|" -e "s|server a [^ ]*|server a 127.0.0.1:$a|" \
    -e "s|server b [^ ]*|server b 127.0.0.1:$b|" -e 's|^  log stdout.*||' \
    "$root/deploy/proxy/haproxy-tenant-affine.cfg" > "$tmp/haproxy.cfg"
grep -q "127.0.0.1:$front" "$tmp/haproxy.cfg" || { echo "FAIL: could not rewrite the bind line"; exit 1; }
haproxy -c -q -f "$tmp/haproxy.cfg"
node -e '
  const http = require("node:http");
  for (const [name, port] of [["a", +process.argv[1]], ["b", +process.argv[2]]])
    http.createServer((q, r) => r.end(name)).listen(port, "127.0.0.1");
' "$a" "$b" & pids+=($!)
for port in "$a" "$b"; do  # backends listening before HAProxy's first health check
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
done
haproxy -f "$tmp/haproxy.cfg" -db & pids+=($!)
node --input-type=module -e '
  const [front] = process.argv.slice(1);
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const jwt = (claims) => `${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims)}.c2ln`;
  const get = async (path, headers = {}) => {
    for (let i = 0; ; ++i) {
      try { const r = await fetch(`http://127.0.0.1:${front}${path}`, { headers }); return { status: r.status, body: await r.text() }; }
      catch (e) { if (i > 50) throw e; await new Promise((s) => setTimeout(s, 100)); }
    }
  };
  const fail = (m) => { console.log(`FAIL: ${m}`); process.exit(1); };
  const seen = { a: 0, b: 0 };
  for (let i = 0; i < 200; ++i) {
    const site = `site-${i}-${"x".repeat(i % 7)}`;
    const token = jwt({ iss: site, sub: "user", qsh: "context-qsh" });
    const header = await get("/api/issues/P-1/similar", { Authorization: `JWT ${token}` });
    const page = await get(`/pages/panel?xdm_e=x&jwt=${token}`);
    const again = await get("/webhooks/jira", { Authorization: `JWT ${jwt({ iss: site, qsh: "abc" })}` });
    const forge = await get("/api/similar", { Authorization: `Bearer ${jwt({ iss: "forge/invocation-token", app: { installationId: site } })}` });
    const where = [header, page, again, forge].map((r) => r.body);
    if (new Set(where).size !== 1 || !(where[0] in seen)) fail(`site ${site} went to ${where.join(",")}`);
    seen[where[0]]++;
  }
  if (seen.a < 60 || seen.b < 60) fail(`200 sites spread unevenly: ${JSON.stringify(seen)}`);
  if ((await get("/metrics")).status !== 403) fail("/metrics is not denied");
  console.log(`PASS: each site on one backend over all request forms; 200 sites -> a ${seen.a}, b ${seen.b}`);
' "$front"

#!/usr/bin/env bash
# Lints deploy/docker (Dockerfile, compose) and deploy/proxy/Caddyfile without a Docker engine (none on these machines).
set -euo pipefail
root="${DOPPEL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$root"

py=""
for c in python3 /usr/bin/python3; do
  if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import yaml' 2>/dev/null; then py="$c"; break; fi
done
[ -n "$py" ] || { echo "FAIL: need python3 with PyYAML (Debian: python3-yaml)"; exit 1; }

echo "== Dockerfile and compose (structural lint; the Docker engine is not available here) =="
"$py" - "$root" <<'EOF'
import glob, os, re, sys, yaml

root = sys.argv[1]
failures = []
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)

# Files the build context will have: git's tracked files when this is a checkout (what a clean clone builds from),
# else the working tree.
import fnmatch, subprocess
try:
    tracked = set(subprocess.run(["git", "-C", root, "ls-files"], capture_output=True, text=True, check=True).stdout.split("\n")) - {""}
except Exception:
    tracked = set()
def in_repo(src):
    src = src.rstrip("/")
    if not tracked:
        return bool(glob.glob(os.path.join(root, src)))
    return any(f == src or f.startswith(src + "/") or fnmatch.fnmatch(f, src) for f in tracked)

# --- Dockerfile: join continuation lines, split into instructions ---
path = os.path.join(root, "deploy/docker/Dockerfile")
lines, cur = [], ""
for raw in open(path, encoding="utf-8"):
    s = raw.rstrip("\n")
    if not cur and (s.strip().startswith("#") or not s.strip()):
        continue
    if s.endswith("\\"):
        cur += s[:-1] + " "
        continue
    cur += s
    lines.append(cur.strip())
    cur = ""
check(cur == "", "Dockerfile has no dangling line continuation")
known = {"FROM", "RUN", "COPY", "ADD", "ENV", "ARG", "WORKDIR", "USER", "EXPOSE", "HEALTHCHECK",
         "ENTRYPOINT", "CMD", "LABEL", "STOPSIGNAL", "VOLUME", "SHELL", "ONBUILD"}
instrs = [(l.split(None, 1)[0].upper(), l.split(None, 1)[1] if " " in l else "") for l in lines]
bad = [i for i, _ in instrs if i not in known]
check(not bad, f"Dockerfile instructions are all known ({len(instrs)} instructions){' unknown: ' + str(bad) if bad else ''}")

args = {}
for ins, rest in instrs:
    if ins == "ARG" and "=" in rest:
        k, v = rest.split("=", 1)
        args[k.strip()] = v.strip()
    if ins == "FROM":
        break
stages, cur_stage = [], None
for ins, rest in instrs:
    if ins == "FROM":
        m = re.match(r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$", rest, re.I)
        check(m is not None, f"FROM parses: {rest}")
        image = re.sub(r"\$\{(\w+)\}", lambda g: args.get(g.group(1), "?"), m.group(1))
        cur_stage = {"image": image, "name": (m.group(2) or "").lower(), "instrs": []}
        stages.append(cur_stage)
    elif cur_stage is not None:
        cur_stage["instrs"].append((ins, rest))
check(len(stages) >= 2, f"multi-stage build ({len(stages)} stages: {', '.join(s['name'] or '?' for s in stages)})")
names = {s["name"] for s in stages}
build = next((s for s in stages if s["name"] == "build"), None)
check(build is not None and build["image"].startswith("debian:12"), f"C++ build stage is Debian 12 ({build and build['image']})")
runtime = stages[-1]
check(re.match(r"debian:12(\.\d+)?-slim|debian:bookworm-slim", runtime["image"]) is not None, f"runtime stage is slim Debian 12 ({runtime['image']})")

def words(rest):
    return rest.split()
for s in stages:
    for ins, rest in s["instrs"]:
        if ins not in ("COPY", "ADD"):
            continue
        w = words(rest)
        flags = [x for x in w if x.startswith("--")]
        paths = [x for x in w if not x.startswith("--")]
        frm = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
        if rest.lstrip().startswith("["):
            import json; paths = json.loads(rest[rest.index("["):])
        srcs = paths[:-1]
        if frm is not None:
            check(frm.lower() in names, f"COPY --from={frm} names an earlier stage")
            continue
        for src in srcs:
            check(in_repo(src), f"COPY source is in the repo{' (tracked by git)' if tracked else ''}: {src}")

check(in_repo("frontend/package-lock.json"), "frontend/package-lock.json is in the repo (npm ci needs it)")
final = runtime["instrs"]
users = [rest for ins, rest in final if ins == "USER"]
check(bool(users) and users[-1].split(":")[0] not in ("root", "0"), f"runtime runs as a non-root user ({users[-1] if users else 'none'})")
hc = [rest for ins, rest in final if ins == "HEALTHCHECK"]
check(bool(hc) and "/livez" in hc[-1], "HEALTHCHECK probes /livez")
env = " ".join(rest for ins, rest in final if ins == "ENV")
for var, want in [("DOPPEL_STATIC_DIR", "/usr/share/doppel/static"),
                  ("DOPPEL_DESCRIPTOR_DIR", "/usr/share/doppel/connect-descriptor"),
                  ("DOPPEL_BIND", "0.0.0.0")]:
    check(re.search(rf"\b{var}={re.escape(want)}\b", env) is not None, f"runtime ENV {var}={want}")
copies = " ".join(rest for ins, rest in final if ins == "COPY")
check("--from=frontend" in copies and "/usr/share/doppel/static" in copies, "frontend built in and copied to the static dir")
check("connect-descriptor/ /usr/share/doppel/connect-descriptor" in copies, "connect-descriptor copied to DOPPEL_DESCRIPTOR_DIR")
runs = " ".join(rest for ins, rest in final if ins == "RUN")
for pkg in "libboost-json1.81.0 libboost-url1.81.0 libpqxx-6.4 libsimdjson14 libspdlog1.10 libicu72 libstemmer0d libssl3 zlib1g libsystemd0 ca-certificates".split():
    check(re.search(rf"(?<![\w.-]){re.escape(pkg)}(?![\w.-])", runs) is not None, f"runtime installs {pkg}")
check(any(ins == "STOPSIGNAL" and rest.strip() == "SIGTERM" for ins, rest in final), "STOPSIGNAL SIGTERM (drain)")
ep = [rest for ins, rest in final if ins in ("ENTRYPOINT", "CMD")]
check(any("/usr/bin/doppel" in e for e in ep) and any("serve" in e for e in ep), "entrypoint runs doppel serve")
build_runs = " ".join(rest for ins, rest in build["instrs"] if ins == "RUN") if build else ""
check("--target doppel" in build_runs and "CMAKE_BUILD_TYPE=Release" in build_runs, "build stage builds the doppel target in Release")
ign = os.path.join(root, "deploy/docker/Dockerfile.dockerignore")
check(os.path.exists(ign), "Dockerfile.dockerignore exists (BuildKit per-Dockerfile ignore file)")
if os.path.exists(ign):
    pats = [l.strip() for l in open(ign) if l.strip() and not l.startswith("#")]
    for needed in ("server", "CMakeLists.txt", "frontend", "connect-descriptor", "migrations"):
        check(not any(p.rstrip("/") in (needed, needed + "/") for p in pats), f"dockerignore keeps {needed}")

# --- compose ---
cpath = os.path.join(root, "deploy/docker/compose.yaml")
cdir = os.path.dirname(cpath)
compose = yaml.safe_load(open(cpath, encoding="utf-8"))
check(isinstance(compose, dict) and "services" in compose, "compose.yaml parses and has services")
svcs = compose.get("services", {})
for s in ("postgres", "migrate", "doppel", "proxy"):
    check(s in svcs, f"compose service '{s}'")
check(str(svcs.get("postgres", {}).get("image", "")).startswith("postgres:15"), "PostgreSQL 15 image")
for name, svc in svcs.items():
    b = svc.get("build")
    if b:
        ctx = os.path.normpath(os.path.join(cdir, b.get("context", ".")))
        check(os.path.isdir(ctx), f"{name}: build context exists ({os.path.relpath(ctx, root) or '.'})")
        check(os.path.isfile(os.path.join(ctx, b.get("dockerfile", "Dockerfile"))), f"{name}: dockerfile exists ({b.get('dockerfile')})")
    for v in svc.get("volumes", []) or []:
        src = v.split(":")[0] if isinstance(v, str) else v.get("source", "")
        if src.startswith(".") or src.startswith("/"):
            check(os.path.exists(os.path.normpath(os.path.join(cdir, src))), f"{name}: bind mount source exists ({src})")
        else:
            check(src in (compose.get("volumes") or {}), f"{name}: named volume '{src}' is declared")
    deps = svc.get("depends_on") or []
    for d in (deps if isinstance(deps, list) else deps.keys()):
        check(d in svcs, f"{name}: depends_on '{d}' is a service")
doppel = svcs.get("doppel", {})
g = str(doppel.get("stop_grace_period", "0s"))
secs = int(re.match(r"(\d+)s$", g).group(1)) if re.match(r"(\d+)s$", g) else 0
check(secs > 10, f"doppel stop_grace_period ({g}) exceeds the 10 s drain deadline")
check((doppel.get("depends_on") or {}).get("migrate", {}).get("condition") == "service_completed_successfully", "doppel starts after a successful migrate")
denv = doppel.get("environment", {})
check("DOPPEL_DATABASE_URL" in denv and "@postgres:5432/" in str(denv["DOPPEL_DATABASE_URL"]), "doppel uses the compose PostgreSQL (DOPPEL_DATABASE_URL)")
check("8080" in [str(p) for p in doppel.get("expose", [])] and "ports" not in doppel, "doppel is reachable only through the proxy")
proxy_ports = [str(p) for p in svcs.get("proxy", {}).get("ports", [])]
check(any(p.endswith("443:443") for p in proxy_ports), "proxy publishes 443")
# Every ${VAR:?...} the compose file requires is documented in env.example.
required = set(re.findall(r"\$\{(\w+):\?", open(cpath).read()))
example = open(os.path.join(cdir, "env.example")).read()
for var in sorted(required):
    check(re.search(rf"^{var}=", example, re.M) is not None, f"env.example documents required {var}")
print(f"{'FAILED' if failures else 'passed'}: {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
EOF

echo "== runtime stage installs every library the built binary needs =="
if [ -n "${DOPPEL_BIN:-}" ] && [ -x "${DOPPEL_BIN:-}" ] && command -v objdump >/dev/null && command -v dpkg >/dev/null; then
  runtime_run=$(awk '/^FROM .* AS runtime/ {on=1} on' "$root/deploy/docker/Dockerfile")
  missing=0
  # Direct dependencies (DT_NEEDED): their packages must be installed in the runtime stage or be in debian:12-slim.
  for lib in $(objdump -p "$DOPPEL_BIN" | awk '/NEEDED/ {print $2}'); do
    path=$(ldconfig -p | awk -v l="$lib" '$1 == l && !found {print $NF; found=1}')
    pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | sed -n '1s/:.*//p' || true)
    [ -n "$pkg" ] || pkg=$(dpkg -S "$path" 2>/dev/null | sed -n '1s/:.*//p' || true)
    case "$pkg" in
      libc6|libstdc++6|libgcc-s1) echo "ok   $lib ($pkg, in debian:12-slim)" ;;
      "") echo "FAIL $lib: no Debian package owns it"; missing=1 ;;
      *) if grep -Eq "(^|[[:space:]])$pkg([[:space:]]|$)" <<<"$runtime_run"; then echo "ok   $lib ($pkg)"; else echo "FAIL $lib: package $pkg is not installed in the runtime stage"; missing=1; fi ;;
    esac
  done
  [ "$missing" = 0 ] || exit 1
else
  echo "skip: DOPPEL_BIN not built (or objdump/dpkg missing)"
fi

echo "== Caddyfile (deploy/proxy) =="
caddyfile="$root/deploy/proxy/Caddyfile"
grep -q 'Strict-Transport-Security "max-age=31536000' "$caddyfile" || { echo "FAIL: HSTS with max-age >= 1 year missing"; exit 1; }
echo "ok   HSTS max-age=31536000"
grep -Eq 'protocols tls1\.2 tls1\.3' "$caddyfile" || { echo "FAIL: TLS protocols not pinned to 1.2+"; exit 1; }
echo "ok   TLS 1.2 minimum"
grep -q 'respond @private' "$caddyfile" || { echo "FAIL: /metrics not blocked at the proxy"; exit 1; }
echo "ok   /metrics blocked at the proxy"
if command -v caddy >/dev/null 2>&1; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  adapted="$tmp/caddy.json"
  DOPPEL_DOMAIN=doppel.example.com HOME="$tmp" XDG_DATA_HOME="$tmp" XDG_CONFIG_HOME="$tmp" \
    caddy adapt --adapter caddyfile --config "$caddyfile" >"$adapted" 2>"$tmp/adapt.log" \
    || { cat "$tmp/adapt.log"; echo "FAIL: caddy adapt"; exit 1; }
  DOPPEL_DOMAIN=doppel.example.com HOME="$tmp" XDG_DATA_HOME="$tmp" XDG_CONFIG_HOME="$tmp" \
    caddy validate --adapter caddyfile --config "$caddyfile" >"$tmp/validate.log" 2>&1 \
    || { cat "$tmp/validate.log"; echo "FAIL: caddy validate"; exit 1; }
  echo "ok   caddy validate ($(caddy version | cut -d' ' -f1))"
  "$py" - "$adapted" <<'EOF'
import json, sys
cfg = json.load(open(sys.argv[1]))
srv = next(iter(cfg["apps"]["http"]["servers"].values()))
policies = cfg["apps"].get("tls", {}).get("automation", {}).get("policies", []) or []
conn = srv.get("tls_connection_policies", [{}])
ok = any(p.get("protocol_min") == "tls1.2" for p in conn)
print(("ok   " if ok else "FAIL ") + "adapted config: TLS connection policy protocol_min tls1.2")
hosts = [h for r in srv["routes"] for m in r.get("match", []) for h in m.get("host", [])]
print(("ok   " if "doppel.example.com" in hosts else "FAIL ") + f"adapted config: site host {hosts}")
sys.exit(0 if ok and "doppel.example.com" in hosts else 1)
EOF
  if caddy fmt "$caddyfile" | diff -q - "$caddyfile" >/dev/null; then echo "ok   caddy fmt clean"; else echo "FAIL: caddy fmt would change the Caddyfile"; exit 1; fi
else
  echo "skip caddy validate: caddy not installed (Debian package 'caddy'); structural checks above passed"
fi
echo "deploy_docker: all checks passed"

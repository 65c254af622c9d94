#!/usr/bin/env bash
# Validates deploy/k8s offline: kustomize render, Kubernetes schema (kubernetes-models), and the operational rules
# (replicas, probes, drain, PDB/HPA/Service selectors, migration Job, Secret/ConfigMap wiring). No cluster needed.
set -euo pipefail
root="${DOPPEL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
k8s="$root/deploy/k8s"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
py=""
for c in python3 /usr/bin/python3; do
  if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import yaml' 2>/dev/null; then py="$c"; break; fi
done
[ -n "$py" ] || fail "need python3 with PyYAML (Debian: python3-yaml)"

echo "== render =="
rendered="$tmp/rendered.yaml"
if command -v kubectl >/dev/null 2>&1; then
  # kustomize runs client-side; an empty kubeconfig makes sure nothing is sent anywhere.
  KUBECONFIG="$tmp/none" kubectl kustomize "$k8s" >"$rendered" 2>"$tmp/kustomize.log" \
    || { cat "$tmp/kustomize.log"; fail "kubectl kustomize"; }
  echo "ok   kubectl kustomize deploy/k8s ($(KUBECONFIG="$tmp/none" kubectl version --client 2>/dev/null | head -1))"
else
  # No kubectl: concatenate the resources the kustomization lists and apply its namespace.
  "$py" - "$k8s" "$rendered" <<'EOF'
import os, sys, yaml
k8s, out = sys.argv[1], sys.argv[2]
kust = yaml.safe_load(open(os.path.join(k8s, "kustomization.yaml")))
docs = []
for r in kust["resources"]:
    for d in yaml.safe_load_all(open(os.path.join(k8s, r))):
        if d and d["kind"] != "Namespace": d["metadata"].setdefault("namespace", kust.get("namespace"))
        docs.append(d)
yaml.safe_dump_all(docs, open(out, "w"))
EOF
  echo "ok   rendered without kubectl (kustomization resources concatenated; kubectl not installed)"
fi
echo "   note: kubectl apply/create --dry-run=client needs an API server for discovery and OpenAPI, so the schema check below is offline instead"

echo "== Kubernetes schema (kubernetes-models, offline) =="
val="$k8s/validate"
if [ ! -d "$val/node_modules/kubernetes-models" ]; then
  (cd "$val" && npm ci --no-audit --no-fund --loglevel=error >"$tmp/npm.log" 2>&1) || { cat "$tmp/npm.log"; fail "npm ci in deploy/k8s/validate"; }
fi
node "$val/validate.mjs" "$rendered" "$k8s/secret.example.yaml" || fail "schema validation"

echo "== operational rules =="
"$py" - "$rendered" "$k8s/secret.example.yaml" "$root" <<'EOF'
import os, re, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
secret_example = yaml.safe_load(open(sys.argv[2]))
root = sys.argv[3]
failures = []
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok: failures.append(what)
by_kind = {}
for d in docs: by_kind.setdefault(d["kind"], []).append(d)
def one(kind):
    items = by_kind.get(kind, [])
    check(len(items) == 1, f"exactly one {kind}")
    return items[0] if items else {}
dep, svc, pdb, hpa, job, cm = (one(k) for k in ("Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Job", "ConfigMap"))
ns = {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"}
check(ns == {"doppel"}, f"every namespaced object is in namespace doppel ({ns})")

spec = dep.get("spec", {}); pod = spec.get("template", {}).get("spec", {})
labels = spec.get("template", {}).get("metadata", {}).get("labels", {})
check(spec.get("replicas", 1) >= 2, f"Deployment replicas >= 2 ({spec.get('replicas')})")
check(spec.get("strategy", {}).get("rollingUpdate", {}).get("maxUnavailable") == 0, "rolling update never drops below the replica count")
c = next((c for c in pod.get("containers", []) if c["name"] == "doppel"), {})
check(c.get("args") == ["serve"], "container runs `doppel serve`")
probe = lambda n: c.get(n, {}).get("httpGet", {}).get("path")
check(probe("readinessProbe") == "/readyz", "readinessProbe GET /readyz")
check(probe("livenessProbe") == "/livez", "livenessProbe GET /livez")
check(probe("startupProbe") == "/livez", "startupProbe GET /livez (covers migrations and index load)")
req = c.get("resources", {}).get("requests", {})
check("cpu" in req and "memory" in req, f"resource requests set ({req})")
check("memory" in c.get("resources", {}).get("limits", {}), "memory limit set")
drain = int(cm.get("data", {}).get("DOPPEL_DRAIN_SECONDS", "10"))
pre = c.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
pre_s = int(pre[1]) if len(pre) == 2 and pre[0] == "sleep" else 0
grace = pod.get("terminationGracePeriodSeconds", 30)
check(grace > pre_s + drain, f"terminationGracePeriodSeconds {grace} > preStop {pre_s} s + drain {drain} s")
sc = pod.get("securityContext", {}); csc = c.get("securityContext", {})
check(sc.get("runAsNonRoot") is True and sc.get("runAsUser") == 10001, "runs as the image's non-root uid 10001")
check(csc.get("allowPrivilegeEscalation") is False and csc.get("readOnlyRootFilesystem") is True
      and csc.get("capabilities", {}).get("drop") == ["ALL"], "container is locked down (restricted PSS)")
dockerfile = open(os.path.join(root, "deploy/docker/Dockerfile")).read()
check(re.search(r"^USER 10001", dockerfile, re.M) is not None, "Dockerfile USER matches runAsUser 10001")

def matches(sel): return bool(sel) and all(labels.get(k) == v for k, v in sel.items())
check(matches(spec.get("selector", {}).get("matchLabels")), "Deployment selector matches its pod labels")
check(matches(svc.get("spec", {}).get("selector")), "Service selector matches the pods")
check(any(p.get("targetPort") in ("http", 8080) for p in svc.get("spec", {}).get("ports", [])), "Service targets port 8080 (http)")
check(matches(pdb.get("spec", {}).get("selector", {}).get("matchLabels")), "PDB selector matches the pods")
check(pdb.get("spec", {}).get("minAvailable", 0) >= 1 or "maxUnavailable" in pdb.get("spec", {}), "PDB keeps a replica up")
h = hpa.get("spec", {})
check(h.get("scaleTargetRef", {}).get("kind") == "Deployment" and h.get("scaleTargetRef", {}).get("name") == dep["metadata"]["name"], "HPA scales the Deployment")
check(h.get("minReplicas", 1) >= 2 and h.get("maxReplicas", 0) > h.get("minReplicas", 1), f"HPA {h.get('minReplicas')}..{h.get('maxReplicas')} replicas")

cm_names = {d["metadata"]["name"] for d in by_kind.get("ConfigMap", [])}
secret_name = secret_example["metadata"]["name"]
jc = job.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [{}])[0]
check(jc.get("args") == ["migrate"] and jc.get("image") == c.get("image"), "migration Job runs `doppel migrate` with the same image")
check(job.get("spec", {}).get("template", {}).get("spec", {}).get("restartPolicy") in ("OnFailure", "Never"), "migration Job restartPolicy OnFailure/Never")
for who, cont in (("Deployment", c), ("Job", jc)):
    refs = cont.get("envFrom", [])
    cms = [r["configMapRef"]["name"] for r in refs if "configMapRef" in r]
    secs = [r["secretRef"]["name"] for r in refs if "secretRef" in r]
    check(cms and all(n in cm_names for n in cms), f"{who} envFrom ConfigMap {cms} is rendered")
    check(secs == [secret_name], f"{who} envFrom Secret {secs} is the one secret.example.yaml documents")
check(set(secret_example.get("stringData", {})) == {"DOPPEL_DATABASE_URL", "DOPPEL_SECRET_KEY"}, "Secret holds DOPPEL_DATABASE_URL and DOPPEL_SECRET_KEY")
check(not any(k in cm.get("data", {}) for k in ("DOPPEL_DATABASE_URL", "DOPPEL_SECRET_KEY")), "no secret in the ConfigMap")
config_src = open(os.path.join(root, "server/src/app/config.cpp")).read() if os.path.exists(os.path.join(root, "server/src/app/config.cpp")) else ""
for k in cm.get("data", {}):
    check(f'"{k}"' in config_src, f"ConfigMap key {k} is a variable the server reads")
check(cm.get("data", {}).get("DOPPEL_BIND") == "0.0.0.0", "pods listen on all interfaces (DOPPEL_BIND=0.0.0.0)")
ing = by_kind.get("Ingress", [{}])[0]
paths = [p["path"] for r in ing.get("spec", {}).get("rules", []) for p in r.get("http", {}).get("paths", [])]
check(paths and not any(p in ("/", "/metrics") for p in paths), f"Ingress routes only public paths, never /metrics ({len(paths)} paths)")
check(bool(ing.get("spec", {}).get("tls")), "Ingress terminates TLS")
print(f"{'FAILED' if failures else 'passed'}: {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
EOF
echo "deploy_k8s: all checks passed"

// Validates Kubernetes manifests offline: JSON-schema check per object (kubernetes-models, Kubernetes OpenAPI)
// plus an unknown-field check against every field name the Kubernetes API declares. Usage: node validate.mjs FILE...
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));

// Every property name declared by the generated API types (e.g. "readinessProbe"): a misspelt field is not in it.
function known_field_names() {
  const names = new Set();
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      const p = join(dir, entry);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(".d.ts"))
        for (const m of readFileSync(p, "utf8").matchAll(/^\s+"([^"]+)"\??:/gm)) names.add(m[1]);
    }
  };
  walk(join(here, "node_modules/kubernetes-models"));
  walk(join(here, "node_modules/@kubernetes-models/apimachinery"));
  return names;
}

// Maps whose keys are user data, not API fields.
const free_maps = new Set(["labels", "annotations", "matchLabels", "data", "stringData", "binaryData",
  "nodeSelector", "requests", "limits", "parameters"]);

function unknown_fields(value, names, path, out) {
  if (Array.isArray(value)) value.forEach((v, i) => unknown_fields(v, names, `${path}[${i}]`, out));
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      if (!names.has(k)) out.push(`${path}.${k}`);
      // Service.spec.selector is a plain map; a LabelSelector (matchLabels/matchExpressions) is walked.
      const plain_selector = k === "selector" && v && !("matchLabels" in v || "matchExpressions" in v);
      if (!free_maps.has(k) && !plain_selector) unknown_fields(v, names, `${path}.${k}`, out);
    }
  return out;
}

const names = known_field_names();
let failures = 0, checked = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) { console.log(`FAIL ${file}: YAML ${doc.errors[0].message}`); failures++; continue; }
    const obj = doc.toJS();
    if (!obj) continue;
    const where = `${file}: ${obj.kind}/${obj.metadata?.name}`;
    let mod;
    try { mod = await import(`kubernetes-models/${obj.apiVersion}`); }
    catch { console.log(`FAIL ${where}: unknown apiVersion ${obj.apiVersion}`); failures++; continue; }
    const Model = mod[obj.kind];
    if (!Model) { console.log(`FAIL ${where}: ${obj.apiVersion} has no kind ${obj.kind}`); failures++; continue; }
    checked++;
    try { new Model(obj).validate(); }
    catch (e) { console.log(`FAIL ${where}: ${e.message}`); failures++; continue; }
    const unknown = unknown_fields(obj, names, "", []);
    if (unknown.length) { console.log(`FAIL ${where}: unknown fields ${unknown.join(", ")}`); failures++; continue; }
    console.log(`ok   ${where} (${obj.apiVersion}) matches the Kubernetes schema`);
  }
}
console.log(`${checked} object(s) checked, ${failures} failure(s)`);
process.exit(failures || !checked ? 1 : 0);

// Validates Forge manifests with what ships in @forge/manifest: its JSON schema (via ajv) and its lint processors.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import { ManifestParserBuilder, ProcessorBuilder } from '@forge/manifest';

const require = createRequire(import.meta.url);
export const FORGE_SCHEMA_FILE = require.resolve('@forge/manifest/schema.json');
// The schema sits at <package>/out/schema/manifest-schema.json; package.json is not an exported subpath.
export const FORGE_MANIFEST_VERSION = JSON.parse(readFileSync(join(dirname(FORGE_SCHEMA_FILE), '../../package.json'), 'utf8')).version;

// The lint passes `forge lint` runs through @forge/manifest (all offline).
const PROCESSORS = ['full', 'product-trigger', 'forge-remote-compute', 'deprecated-csp-method', 'deprecated-egress-permissions'];
const UI_PAGES = ['panel', 'admin', 'dashboard'];

// Same ajv setup as @forge/manifest's SchemaValidator (non-strict, formats, Atlassian's annotation keywords).
function compileSchema() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addVocabulary(['defaultValue', 'fieldDescription', 'fieldTitle', 'shortClassName']);
  return ajv.compile(require(FORGE_SCHEMA_FILE));
}
const validateSchema = compileSchema();

// Parses manifest YAML strictly (duplicate keys are errors).
export function parseManifest(text) {
  const document = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) throw new Error(document.errors.map((error) => error.message).join('; '));
  return document.toJS();
}

// Resolves `${VAR}` the way the Forge CLI does for variables declared under environment.variables:
// the value from `env`, else the declared default. Undeclared `${…}` stay as they are.
export function interpolate(manifest, env = {}) {
  const declared = new Map((manifest.environment?.variables ?? []).map((v) => (typeof v === 'string' ? [v, undefined] : [v.key, v.default])));
  const resolve = (value) => {
    if (typeof value === 'string') {
      return value.replace(/\$\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g, (original, name) => {
        if (!declared.has(name)) return original;
        const replacement = env[name] ?? declared.get(name);
        if (replacement === undefined) throw new Error(`environment variable ${name} has no value and no default`);
        return replacement;
      });
    }
    if (Array.isArray(value)) return value.map(resolve);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
    return value;
  };
  return resolve(manifest);
}

// Parses manifest text with @forge/manifest's own parser and interpolators, under the given environment.
export function parseWithForge(text, env) {
  return withEnvironment(env, async () =>
    new ManifestParserBuilder().withInterpolators().build().parseManifest({ content: text, filePath: 'manifest.yml' }));
}

// Runs `fn` with process.env[name] set (or deleted for undefined) for each entry of `env`, then restores it.
async function withEnvironment(env, fn) {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  const apply = (values) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(env);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

// Problems the shipped JSON schema reports for a manifest object.
export function schemaProblems(manifest) {
  if (validateSchema(manifest)) return [];
  return validateSchema.errors.map((error) => `schema: ${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`);
}

// True when the Forge frontend build holds the three pages the Custom UI resources are staged from.
export function frontendBuilt(distDir) {
  return UI_PAGES.every((page) => existsSync(join(distDir, `${page}.html`)));
}

// Runs @forge/manifest's lint processors on a copy of the manifest in a fresh directory, with the
// manifest's declared environment variables unset (so their defaults apply, whatever the caller's shell has).
// With `stage` = {script, distDir} the Custom UI resources are staged there first; without it,
// "missing resource 'static/…'" errors are dropped and counted in `skippedResourceErrors`.
export async function lintProblems(manifest, stage) {
  const dir = mkdtempSync(join(tmpdir(), 'doppel-forge-lint-'));
  try {
    const file = join(dir, 'manifest.yml');
    writeFileSync(file, YAML.stringify(manifest));
    if (stage) {
      try {
        execFileSync('bash', [stage.script, stage.distDir, join(dir, 'static')], { stdio: 'pipe' });
      } catch (error) {
        return { problems: [`stage-ui.sh: ${String(error.stderr).trim()}`], skippedResourceErrors: 0 };
      }
    }
    const problems = new Set();
    let skippedResourceErrors = 0;
    const unset = Object.fromEntries((manifest.environment?.variables ?? []).map((v) => [typeof v === 'string' ? v : v.key, undefined]));
    for (const type of PROCESSORS) {
      const result = await withEnvironment(unset, () => ProcessorBuilder.instance().withValidation(type).build().process(file));
      for (const error of result.errors ?? []) {
        if (error.level !== 'error') continue;
        if (!stage && error.reference === 'valid-resource-required' && /^missing resource 'static\//.test(error.message)) {
          skippedResourceErrors += 1;
          continue;
        }
        problems.add(`@forge/manifest ${type}: ${error.message}`);
      }
      if (!result.success && (result.errors ?? []).length === 0) problems.add(`@forge/manifest ${type}: failed without a message`);
    }
    return { problems: [...problems], skippedResourceErrors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Validates Forge manifests with what ships in @forge/manifest: its JSON schema (via ajv) and its lint processors.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import { ProcessorBuilder } from '@forge/manifest';

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

// Problems the shipped JSON schema reports for a manifest object.
export function schemaProblems(manifest) {
  if (validateSchema(manifest)) return [];
  return validateSchema.errors.map((error) => `schema: ${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`);
}

// True when the Forge frontend build holds the three pages the Custom UI resources are staged from.
export function frontendBuilt(distDir) {
  return UI_PAGES.every((page) => existsSync(join(distDir, `${page}.html`)));
}

// Runs @forge/manifest's lint processors on a copy of the manifest in a fresh directory.
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
    for (const type of PROCESSORS) {
      const result = await ProcessorBuilder.instance().withValidation(type).build().process(file);
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

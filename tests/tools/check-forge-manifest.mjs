// Validates connect-descriptor/forge/manifest.yml (Forge Remote) and connect-on-forge/manifest.yml
// with @forge/manifest's schema and lint processors, plus Doppel's own assertions and mutation cases.
// Usage: node check-forge-manifest.mjs <repo root>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckRun } from './lib/checks.mjs';
import { findRoute, parseRoutes } from './lib/routes.mjs';
import { renderDescriptor } from './lib/render.mjs';
import {
  FORGE_MANIFEST_VERSION, frontendBuilt, interpolate, lintProblems, parseManifest, parseWithForge, schemaProblems,
} from './lib/forge.mjs';

const root = process.argv[2] ?? process.cwd();
const forgeDir = join(root, 'connect-descriptor/forge');
const routes = parseRoutes(join(root, 'docs/http-api.md'));
const remoteText = readFileSync(join(forgeDir, 'manifest.yml'), 'utf8');
const cofText = readFileSync(join(forgeDir, 'connect-on-forge/manifest.yml'), 'utf8');
const template = readFileSync(join(root, 'connect-descriptor/atlassian-connect.json'), 'utf8');
// The Forge build of the frontend (npm --prefix frontend run build:forge); overridable for one-off runs.
const distDir = process.env.DOPPEL_FORGE_UI_DIST ?? join(root, 'frontend/dist-forge');
const stage = frontendBuilt(distDir) ? { script: join(forgeDir, 'stage-ui.sh'), distDir } : undefined;

const EVENTS = ['avi:jira:created:issue', 'avi:jira:updated:issue', 'avi:jira:deleted:issue', 'avi:forge:installed:app', 'avi:forge:upgraded:app'];
const SCOPES = ['read:jira-work', 'write:jira-work', 'report:personal-data', 'read:app-system-token'];
const CONNECT_SCOPES = ['read:connect-jira', 'write:connect-jira'];
const PLACEHOLDER_BASE_URL = 'https://doppel.example.com';
const PRE_UNINSTALL_KEY = 'doppel-pre-uninstall';
const UNINSTALL_PATH = '/api/forge/uninstall';
const DEFAULT_APP_KEY = 'io.doppel.jira';
const UI_MODULES = [
  ['jira:issueContext', 'possible-duplicates', 'Possible duplicates', 'panel'],
  ['jira:adminPage', 'doppel-admin', 'Doppel', 'admin'],
  ['jira:globalPage', 'duplicate-review', 'Duplicate review', 'dashboard'],
];

function sameSet(a, b) {
  const left = [...a].sort();
  const right = [...b].sort();
  return left.length === right.length && left.every((value, i) => value === right[i]);
}

function canonical(value) {
  return JSON.stringify(value, (key, inner) =>
    inner && typeof inner === 'object' && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort()) : inner);
}

// The base URL variable both manifests declare; the Forge CLI fills it from the deploying shell.
function baseUrlVariableProblems(raw, remoteKey) {
  const variable = (raw.environment?.variables ?? []).find((v) => v?.key === 'DOPPEL_BASE_URL');
  const problems = [];
  if (!variable) problems.push('environment.variables: DOPPEL_BASE_URL is not declared');
  else if (variable.default !== PLACEHOLDER_BASE_URL) problems.push(`environment.variables: DOPPEL_BASE_URL default ${variable.default} is not the documented placeholder ${PLACEHOLDER_BASE_URL}`);
  const remote = (raw.remotes ?? []).find((r) => r.key === remoteKey);
  if (remote?.baseUrl !== '${DOPPEL_BASE_URL}') problems.push(`remotes.${remoteKey}: baseUrl must be \${DOPPEL_BASE_URL}`);
  return problems;
}

// Doppel's own rules for the Forge Remote manifest (empty = valid).
function remoteProblems(raw) {
  const manifest = interpolate(raw);
  const problems = baseUrlVariableProblems(raw, 'doppel');
  const modules = manifest.modules ?? {};
  const remotes = manifest.remotes ?? [];
  const endpoints = new Map((modules.endpoint ?? []).map((endpoint) => [endpoint.key, endpoint]));
  const remote = remotes.find((r) => r.key === 'doppel');
  if (!remote) return ['remotes: no remote with key doppel'];
  if (typeof remote.baseUrl !== 'string' || !remote.baseUrl.startsWith('https://')) problems.push('remotes.doppel: baseUrl must be an https URL');
  if (!remote.operations?.includes('compute')) problems.push('remotes.doppel: operations must include compute (invokeRemote needs it)');
  if (!remote.operations?.includes('fetch')) problems.push('remotes.doppel: operations must include fetch (requestRemote from Custom UI)');
  if (remote.operations?.includes('storage') && remote.storage?.inScopeEUD !== true) problems.push('remotes.doppel: Doppel stores issue text, storage.inScopeEUD must be true');
  if (remote.auth?.appSystemToken?.enabled !== true) problems.push('remotes.doppel: auth.appSystemToken must be enabled');

  const triggers = modules.trigger ?? [];
  const events = triggers.flatMap((trigger) => trigger.events ?? []);
  if (!sameSet(new Set(events), EVENTS) || events.length !== EVENTS.length) problems.push(`trigger: events ${JSON.stringify(events)} are not exactly ${JSON.stringify(EVENTS)}`);
  for (const trigger of triggers) {
    if (trigger.function) problems.push(`trigger ${trigger.key}: runs a Forge function; events must go to the remote`);
    const endpoint = endpoints.get(trigger.endpoint);
    if (!endpoint) {
      problems.push(`trigger ${trigger.key}: endpoint ${trigger.endpoint} is not declared`);
      continue;
    }
    const path = endpoint.route?.path ?? '';
    const route = findRoute(routes, 'POST', path);
    if (!route || route.auth !== 'forge') problems.push(`trigger ${trigger.key}: ${path || '(no route)'} is not a forge route in docs/http-api.md`);
    if (endpoint.auth?.appSystemToken?.enabled !== true) problems.push(`endpoint ${endpoint.key}: auth.appSystemToken must be enabled for events`);
  }
  for (const endpoint of endpoints.values()) {
    if (!remotes.some((r) => r.key === endpoint.remote)) problems.push(`endpoint ${endpoint.key}: remote ${endpoint.remote} is not declared`);
  }
  // Uninstall: the server accepts POST /api/forge/uninstall only from the module key it knows (handlers/webhooks.hpp).
  const preUninstall = modules.preUninstall ?? [];
  if (preUninstall.length !== 1 || preUninstall[0].key !== PRE_UNINSTALL_KEY) problems.push(`preUninstall: exactly one module with key ${PRE_UNINSTALL_KEY} (the server checks the FIT's module key)`);
  for (const module of preUninstall) {
    if (module.function) problems.push(`preUninstall ${module.key}: runs a Forge function; the uninstall must reach the remote`);
    const endpoint = endpoints.get(module.endpoint);
    const path = endpoint?.route?.path ?? '';
    const route = findRoute(routes, 'POST', path);
    if (!endpoint || path !== UNINSTALL_PATH || !route || route.auth !== 'forge') problems.push(`preUninstall ${module.key}: endpoint must route to ${UNINSTALL_PATH}, a forge route in docs/http-api.md`);
    else if (endpoint.auth?.appSystemToken?.enabled !== true) problems.push(`endpoint ${endpoint.key}: auth.appSystemToken must be enabled (the uninstall deletes the UI modification with it)`);
  }

  const resources = new Map((manifest.resources ?? []).map((resource) => [resource.key, resource]));
  for (const [type, key, title, page] of UI_MODULES) {
    const module = (modules[type] ?? []).find((m) => m.key === key);
    if (!module) {
      problems.push(`${type}: module ${key} missing`);
      continue;
    }
    if (module.title !== title) problems.push(`${type} ${key}: title must be "${title}"`);
    if (resources.get(module.resource)?.path !== `static/${page}`) problems.push(`${type} ${key}: resource must be static/${page} (staged from frontend/dist/${page}.html)`);
    const resolver = endpoints.get(module.resolver?.endpoint);
    if (!resolver || resolver.remote !== 'doppel') problems.push(`${type} ${key}: resolver must be a doppel remote endpoint (invokeRemote)`);
    else if (resolver.route) problems.push(`${type} ${key}: resolver endpoint must not fix a route (the UI calls /api/... paths)`);
  }
  if (modules.function) problems.push('modules.function: Doppel runs nothing on Forge compute');

  const scopes = manifest.permissions?.scopes ?? [];
  if (!sameSet(scopes, SCOPES)) problems.push(`permissions.scopes: ${JSON.stringify(scopes)} is not exactly ${JSON.stringify(SCOPES)}`);
  const backend = manifest.permissions?.external?.fetch?.backend ?? [];
  if (!backend.some((entry) => entry?.remote === 'doppel' || entry === remote.baseUrl)) problems.push('permissions.external.fetch.backend: the doppel remote is not allowed');
  const client = manifest.permissions?.external?.fetch?.client ?? [];
  if (!client.some((entry) => entry?.remote === 'doppel' || entry === remote.baseUrl)) problems.push('permissions.external.fetch.client: the doppel remote is not allowed (requestRemote)');
  const external = Object.keys(manifest.permissions?.external ?? {});
  if (!sameSet(external, ['fetch'])) problems.push(`permissions.external: only fetch is needed, found ${external}`);
  return problems;
}

// The Connect-on-Forge manifest must carry exactly the descriptor's modules (keys aside).
function connectOnForgeProblems(raw) {
  const manifest = interpolate(raw);
  const problems = baseUrlVariableProblems(raw, manifest.app?.connect?.remote);
  const connect = manifest.app?.connect ?? {};
  if (connect.key !== DEFAULT_APP_KEY) problems.push(`app.connect.key: ${connect.key} is not ${DEFAULT_APP_KEY}`);
  if (connect.authentication !== 'jwt') problems.push('app.connect.authentication must be jwt');
  const remote = (manifest.remotes ?? []).find((r) => r.key === connect.remote);
  if (!remote) return [...problems, `app.connect.remote: ${connect.remote} is not a declared remote`];
  if (typeof remote.baseUrl !== 'string' || !remote.baseUrl.startsWith('https://')) problems.push(`remotes.${remote.key}: baseUrl must be an https URL`);
  const scopes = manifest.permissions?.scopes ?? [];
  if (!sameSet(scopes, CONNECT_SCOPES)) problems.push(`permissions.scopes: ${JSON.stringify(scopes)} is not exactly ${JSON.stringify(CONNECT_SCOPES)} (the descriptor's READ, WRITE)`);

  const descriptor = JSON.parse(renderDescriptor(template, { baseUrl: remote.baseUrl, appKey: connect.key }));
  const modules = manifest.connectModules ?? {};
  const strip = (items) => (items ?? []).map(({ key, ...rest }) => (key === undefined ? rest : { key, ...rest }));
  const withoutKeys = (items) => (items ?? []).map(({ key, ...rest }) => rest);
  const expected = {
    'jira:webhooks': [withoutKeys(modules['jira:webhooks']), descriptor.modules.webhooks],
    'jira:jiraIssueContexts': [strip(modules['jira:jiraIssueContexts']), descriptor.modules.jiraIssueContexts],
    'jira:adminPages': [strip(modules['jira:adminPages']), descriptor.modules.adminPages],
    'jira:generalPages': [strip(modules['jira:generalPages']), descriptor.modules.generalPages],
    'jira:configurePage': [strip(modules['jira:configurePage']), [descriptor.modules.configurePage]],
    'jira:postInstallPage': [strip(modules['jira:postInstallPage']), [descriptor.modules.postInstallPage]],
    'jira:lifecycle': [withoutKeys(modules['jira:lifecycle']), [descriptor.lifecycle]],
  };
  for (const [name, [actual, wanted]] of Object.entries(expected)) {
    if (canonical(actual) !== canonical(wanted)) problems.push(`connectModules.${name} differs from the descriptor: ${canonical(actual)} vs ${canonical(wanted)}`);
  }
  for (const name of Object.keys(modules)) if (!(name in expected)) problems.push(`connectModules.${name} is not in the descriptor`);
  const webhookKeys = (modules['jira:webhooks'] ?? []).map((hook) => hook.key);
  if (webhookKeys.some((key) => !key) || new Set(webhookKeys).size !== webhookKeys.length) problems.push('connectModules.jira:webhooks: every webhook needs its own key');
  return problems;
}

async function allProblems(manifest, ownRules) {
  const lint = await lintProblems(manifest, stage);
  return { problems: [...schemaProblems(interpolate(manifest)), ...lint.problems, ...ownRules(manifest)], skipped: lint.skippedResourceErrors };
}

const run = new CheckRun('forge manifests');
console.log(`@forge/manifest ${FORGE_MANIFEST_VERSION}; Custom UI resources ${stage ? `staged from ${distDir}` : `not staged (${distDir} not built)`}`);
const remoteManifest = parseManifest(remoteText);
const cofManifest = parseManifest(cofText);

run.expectNone('forge/manifest.yml: @forge/manifest JSON schema (ajv), as written and as deployed', [...schemaProblems(remoteManifest), ...schemaProblems(interpolate(remoteManifest))]);
const remoteLint = await lintProblems(remoteManifest, stage);
run.expectNone('forge/manifest.yml: @forge/manifest lint processors', remoteLint.problems);
if (remoteLint.skippedResourceErrors > 0) console.log(`SKIP ${remoteLint.skippedResourceErrors} missing-resource errors dropped (run npm --prefix frontend run build:forge to check the staged files)`);
run.expectNone('forge/manifest.yml: events, endpoints, UI modules, scopes, egress', remoteProblems(remoteManifest));

run.expectNone('connect-on-forge/manifest.yml: @forge/manifest JSON schema (ajv), as written and as deployed', [...schemaProblems(cofManifest), ...schemaProblems(interpolate(cofManifest))]);
run.expectNone('connect-on-forge/manifest.yml: @forge/manifest lint processors', (await lintProblems(cofManifest, stage)).problems);
run.expectNone('connect-on-forge/manifest.yml: mirrors the Connect descriptor', connectOnForgeProblems(cofManifest));

// The Forge CLI's own parser puts the deploying shell's DOPPEL_BASE_URL into both remotes.
for (const [name, text, key] of [['forge/manifest.yml', remoteText, 'doppel'], ['connect-on-forge/manifest.yml', cofText, 'doppel-connect']]) {
  const custom = 'https://doppel.acme-corp.test/jira';
  const withVariable = (await parseWithForge(text, { DOPPEL_BASE_URL: custom })).remotes.find((r) => r.key === key)?.baseUrl;
  const withDefault = (await parseWithForge(text, { DOPPEL_BASE_URL: undefined })).remotes.find((r) => r.key === key)?.baseUrl;
  run.expectNone(`${name}: DOPPEL_BASE_URL reaches remotes.${key} through @forge/manifest's parser`, [
    ...(withVariable === custom ? [] : [`with DOPPEL_BASE_URL set: ${withVariable}`]),
    ...(withDefault === PLACEHOLDER_BASE_URL ? [] : [`with DOPPEL_BASE_URL unset: ${withDefault}`]),
  ]);
}

// Mutations: each must be reported, which proves the checks above can fail.
const clone = (value) => structuredClone(value);
const REMOTE_MUTATIONS = [
  ['runtime removed (schema)', (m) => delete m.app.runtime, 'schema'],
  ['read:jira-work dropped (lint: product trigger scopes)', (m) => m.permissions.scopes.shift(), '@forge/manifest product-trigger'],
  ['trigger to an undeclared endpoint (lint)', (m) => (m.modules.trigger[0].endpoint = 'nowhere'), '@forge/manifest full'],
  ['extra scope', (m) => m.permissions.scopes.push('manage:jira-configuration'), 'permissions.scopes'],
  ['read:app-system-token dropped', (m) => m.permissions.scopes.pop(), 'permissions.scopes'],
  ['misspelt event', (m) => (m.modules.trigger[0].events[0] = 'avi:jira:created:issues'), 'trigger: events'],
  ['upgraded event dropped', (m) => m.modules.trigger[1].events.pop(), 'trigger: events'],
  ['event route not a server route', (m) => (m.modules.endpoint[0].route.path = '/api/forge/event'), 'not a forge route'],
  ['app system token off for events', (m) => (m.modules.endpoint[0].auth.appSystemToken.enabled = false), 'appSystemToken'],
  ['plain http remote', (m) => (m.environment.variables[0].default = 'http://doppel.example.com'), 'https'],
  ['base URL hard-coded', (m) => (m.remotes[0].baseUrl = 'https://doppel.example.com'), 'DOPPEL_BASE_URL'],
  ['no egress to the remote', (m) => (m.permissions.external.fetch.backend = []), 'fetch.backend'],
  ['no client fetch to the remote', (m) => delete m.permissions.external.fetch.client, 'fetch.client'],
  ['extra egress to any host', (m) => (m.permissions.external.images = ['*']), 'only fetch'],
  ['panel resolver fixed to the events route', (m) => (m.modules['jira:issueContext'][0].resolver.endpoint = 'doppel-events'), 'must not fix a route'],
  ['dashboard title changed', (m) => (m.modules['jira:globalPage'][0].title = 'Dashboard'), 'Duplicate review'],
  ['pre-uninstall trigger dropped', (m) => delete m.modules.preUninstall, 'preUninstall'],
  ['pre-uninstall key the server does not know', (m) => (m.modules.preUninstall[0].key = 'cleanup'), 'preUninstall'],
  ['pre-uninstall to the events route', (m) => (m.modules.preUninstall[0].endpoint = 'doppel-events'), '/api/forge/uninstall'],
  ['pre-uninstall without the app system token', (m) => (m.modules.endpoint.find((e) => e.key === 'doppel-uninstall').auth.appSystemToken.enabled = false), 'appSystemToken'],
];
for (const [name, mutate, needle] of REMOTE_MUTATIONS) {
  const manifest = clone(remoteManifest);
  mutate(manifest);
  run.expectCaught(`forge mutation caught: ${name}`, (await allProblems(manifest, remoteProblems)).problems, needle);
}
const COF_MUTATIONS = [
  ['unknown Connect module (lint)', (m) => (m.connectModules['jira:jiraIssueContext'] = m.connectModules['jira:jiraIssueContexts']), '@forge/manifest full'],
  ['two lifecycle entries (lint)', (m) => m.connectModules['jira:lifecycle'].push({ ...m.connectModules['jira:lifecycle'][0], key: 'second' }), '@forge/manifest full'],
  ['webhook URL drifts from the descriptor', (m) => (m.connectModules['jira:webhooks'][0].url = '/webhooks/other'), 'jira:webhooks differs'],
  ['panel URL drifts from the descriptor', (m) => (m.connectModules['jira:jiraIssueContexts'][0].target.url = '/pages/panel'), 'jira:jiraIssueContexts differs'],
  ['uninstalled lifecycle dropped', (m) => delete m.connectModules['jira:lifecycle'][0].uninstalled, 'jira:lifecycle differs'],
  ['other Connect key', (m) => (m.app.connect.key = 'io.doppel.other'), 'app.connect.key'],
  ['admin scope added', (m) => m.permissions.scopes.push('admin:connect-jira'), 'permissions.scopes'],
];
for (const [name, mutate, needle] of COF_MUTATIONS) {
  const manifest = clone(cofManifest);
  mutate(manifest);
  run.expectCaught(`connect-on-forge mutation caught: ${name}`, (await allProblems(manifest, connectOnForgeProblems)).problems, needle);
}

process.exitCode = run.finish();

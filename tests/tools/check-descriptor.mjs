// Renders connect-descriptor/atlassian-connect.json and validates it: JSON schema, routes, scopes, limits.
// Usage: node check-descriptor.mjs <repo root>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { CheckRun } from './lib/checks.mjs';
import { findRoute, parseRoutes } from './lib/routes.mjs';
import { PLACEHOLDERS, placeholdersIn, renderDescriptor } from './lib/render.mjs';

const root = process.argv[2] ?? process.cwd();
const template = readFileSync(join(root, 'connect-descriptor/atlassian-connect.json'), 'utf8');
const routes = parseRoutes(join(root, 'docs/http-api.md'));
const schema = JSON.parse(readFileSync(new URL('./connect-descriptor.schema.json', import.meta.url), 'utf8'));

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const validateSchema = ajv.compile(schema);

const REQUIRED_WEBHOOKS = ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted', 'project_deleted'];
const LIFECYCLE_AUTH = { installed: 'install', uninstalled: 'install', enabled: 'lifecycle', disabled: 'lifecycle' };
const PAGE_CONTEXT_VARIABLES = ['{issue.key}', '{issue.id}', '{project.key}', '{project.id}', '{issuetype.id}'];
const PANEL_KEY = 'possible-duplicates';
const ENTITY_PROPERTY_KEY_MAX = 255;

function sameSet(a, b) {
  return a.length === b.length && [...a].sort().every((value, i) => value === [...b].sort()[i]);
}

// Checks one relative URL against the documented routes: method and auth class must match.
function routeProblems(where, method, url, auth) {
  if (!url.startsWith('/')) return [`${where}: ${url} must be relative to baseUrl`];
  const route = findRoute(routes, method, url);
  if (!route) return [`${where}: ${method} ${url} is not a route in docs/http-api.md`];
  if (route.auth !== auth) return [`${where}: ${url} is served with auth "${route.auth}", expected "${auth}"`];
  return [];
}

// Checks a page URL's query: exactly the documented parameter names, each bound to a context variable.
function pageQueryProblems(where, url) {
  const route = findRoute(routes, 'GET', url);
  if (!route) return [];
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const pairs = query.split('&').filter(Boolean).map((pair) => pair.split('='));
  const problems = [];
  if (!sameSet(pairs.map(([name]) => name), route.queryNames)) {
    problems.push(`${where}: query names [${pairs.map(([name]) => name)}] differ from documented [${route.queryNames}]`);
  }
  for (const [name, value] of pairs) {
    if (!PAGE_CONTEXT_VARIABLES.includes(value)) problems.push(`${where}: query ${name}=${value} is not a Jira page context variable`);
  }
  return problems;
}

// Every page-like module of the descriptor as [where, module].
function pageModules(modules) {
  const pages = [];
  for (const [i, page] of (modules.adminPages ?? []).entries()) pages.push([`adminPages[${i}]`, page]);
  for (const [i, page] of (modules.generalPages ?? []).entries()) pages.push([`generalPages[${i}]`, page]);
  if (modules.configurePage) pages.push(['configurePage', modules.configurePage]);
  if (modules.postInstallPage) pages.push(['postInstallPage', modules.postInstallPage]);
  return pages;
}

// All problems of one rendered descriptor (empty = valid).
function descriptorProblems(descriptor, sample) {
  const problems = [];
  if (!validateSchema(descriptor)) {
    for (const error of validateSchema.errors) problems.push(`schema: ${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`);
  }
  if (descriptor.key !== sample.appKey) problems.push(`key: ${descriptor.key} is not the app key ${sample.appKey}`);
  if (descriptor.baseUrl !== sample.baseUrl) problems.push(`baseUrl: ${descriptor.baseUrl} is not ${sample.baseUrl}`);
  if (descriptor.name !== 'Doppel') problems.push(`name: ${descriptor.name} is not Doppel`);
  if (descriptor.authentication?.type !== 'jwt') problems.push('authentication: type must be jwt');
  if (!sameSet(descriptor.scopes ?? [], ['READ', 'WRITE'])) problems.push(`scopes: ${JSON.stringify(descriptor.scopes)} is not exactly READ, WRITE`);
  for (const migration of ['signed-install', 'context-qsh']) {
    if (descriptor.apiMigrations?.[migration] !== true) problems.push(`apiMigrations: ${migration} must be true`);
  }

  const lifecycle = descriptor.lifecycle ?? {};
  for (const [event, auth] of Object.entries(LIFECYCLE_AUTH)) {
    if (!lifecycle[event]) problems.push(`lifecycle: ${event} missing`);
    else problems.push(...routeProblems(`lifecycle.${event}`, 'POST', lifecycle[event], auth));
  }

  const modules = descriptor.modules ?? {};
  const webhooks = modules.webhooks ?? [];
  const events = webhooks.map((hook) => hook.event);
  for (const event of REQUIRED_WEBHOOKS) if (!events.includes(event)) problems.push(`webhooks: ${event} missing`);
  for (const event of events) if (!REQUIRED_WEBHOOKS.includes(event)) problems.push(`webhooks: unexpected event ${event}`);
  if (new Set(events).size !== events.length) problems.push('webhooks: an event is declared twice');
  for (const [i, hook] of webhooks.entries()) problems.push(...routeProblems(`webhooks[${i}]`, 'POST', hook.url, 'webhook'));

  const panels = modules.jiraIssueContexts ?? [];
  const panel = panels.find((context) => context.key === PANEL_KEY);
  if (!panel) problems.push(`jiraIssueContexts: no panel with key ${PANEL_KEY}`);
  for (const [i, context] of panels.entries()) {
    const where = `jiraIssueContexts[${i}]`;
    problems.push(...routeProblems(`${where}.target.url`, 'GET', context.target?.url ?? '', 'page'));
    problems.push(...pageQueryProblems(`${where}.target.url`, context.target?.url ?? ''));
    problems.push(...routeProblems(`${where}.icon.url`, 'GET', context.icon?.url ?? '', 'public'));
  }
  if (panel && panel.name?.value !== 'Possible duplicates') problems.push('jiraIssueContexts: panel name must be "Possible duplicates"');
  const statusProperty = `com.atlassian.jira.issue:${descriptor.key}:${PANEL_KEY}:status`;
  if (statusProperty.length > ENTITY_PROPERTY_KEY_MAX) problems.push(`status property key is ${statusProperty.length} chars (> ${ENTITY_PROPERTY_KEY_MAX})`);

  for (const [where, page] of pageModules(modules)) {
    problems.push(...routeProblems(`${where}.url`, 'GET', page.url ?? '', 'page'));
    problems.push(...pageQueryProblems(`${where}.url`, page.url ?? ''));
  }
  const dashboard = (modules.generalPages ?? []).find((page) => page.url === '/pages/dashboard');
  if (!dashboard || dashboard.name?.value !== 'Duplicate review') problems.push('generalPages: dashboard "Duplicate review" at /pages/dashboard missing');

  // Every documented route Jira calls must be declared, or it is unreachable.
  const declared = new Set([
    ...Object.values(lifecycle),
    ...webhooks.map((hook) => hook.url),
    ...panels.map((context) => (context.target?.url ?? '').split('?')[0]),
    ...pageModules(modules).map(([, page]) => (page.url ?? '').split('?')[0]),
  ]);
  for (const route of routes.filter((r) => ['install', 'lifecycle', 'webhook', 'page'].includes(r.auth))) {
    if (![...declared].some((url) => route.pattern.test(url))) problems.push(`route ${route.path} (${route.auth}) is not declared in the descriptor`);
  }

  const keys = [...panels, ...pageModules(modules).map(([, page]) => page)].map((module) => module.key);
  if (new Set(keys).size !== keys.length) problems.push(`module keys are not unique: ${keys}`);
  return problems;
}

function render(sample) {
  return JSON.parse(renderDescriptor(template, sample));
}

const run = new CheckRun('descriptor');
const DEFAULT_SAMPLE = { baseUrl: 'https://doppel.example.com', appKey: 'io.doppel.jira' };
const SAMPLES = [
  DEFAULT_SAMPLE,
  { baseUrl: 'https://apps.example.net/doppel', appKey: 'io.doppel.jira.staging' },
  { baseUrl: `https://doppel.example.com/${'p'.repeat(173)}`, appKey: 'k'.repeat(64) },
];

let templateProblems = [];
try {
  JSON.parse(template);
} catch (error) {
  templateProblems.push(`template is not JSON: ${error.message}`);
}
const used = placeholdersIn(template);
if (!sameSet(used, PLACEHOLDERS)) templateProblems.push(`template placeholders ${JSON.stringify(used)} are not exactly ${JSON.stringify(PLACEHOLDERS)}`);
run.expectNone('template is JSON with exactly {{baseUrl}} and {{appKey}}', templateProblems);
run.expectNone('routes parsed from docs/http-api.md', routes.length >= 10 ? [] : [`only ${routes.length} routes parsed`]);

for (const sample of SAMPLES) {
  const text = renderDescriptor(template, sample);
  const label = `key ${sample.appKey.length} chars, base URL ${sample.baseUrl.length} chars`;
  run.expectNone(`rendered (${label}) leaves no placeholder`, text.includes('{{') ? ['"{{" left in output'] : []);
  run.expectNone(`rendered (${label}) is valid`, descriptorProblems(JSON.parse(text), sample));
}

// Mutations: each must be reported, which proves the checks above can fail.
const MUTATIONS = [
  ['no authentication', (d) => delete d.authentication, 'schema'],
  ['ADMIN scope added', (d) => d.scopes.push('ADMIN'), 'scopes'],
  ['context-qsh off', (d) => (d.apiMigrations['context-qsh'] = false), 'context-qsh'],
  ['webhook to an unknown route', (d) => (d.modules.webhooks[0].url = '/webhooks/other'), '/webhooks/other'],
  ['project_deleted webhook dropped', (d) => d.modules.webhooks.pop(), 'project_deleted'],
  ['install callback on the HS256 lifecycle route', (d) => (d.lifecycle.installed = '/lifecycle/enabled'), 'expected "install"'],
  ['panel query name renamed', (d) => (d.modules.jiraIssueContexts[0].target.url = '/pages/panel?key={issue.key}&issueId={issue.id}&projectKey={project.key}'), 'query names'],
  ['panel query bound to a literal', (d) => (d.modules.jiraIssueContexts[0].target.url = '/pages/panel?issueKey=ABC-1&issueId={issue.id}&projectKey={project.key}'), 'context variable'],
  ['admin page undeclared', (d) => delete d.modules.configurePage, '/pages/configure'],
  ['misspelt module type', (d) => (d.modules.jiraIssueContext = d.modules.jiraIssueContexts), 'schema'],
  ['65-char key', (d) => (d.key = 'k'.repeat(65)), 'schema'],
  ['plain http base URL', (d) => (d.baseUrl = 'http://doppel.example.com'), 'schema'],
  ['201-char base URL', (d) => (d.baseUrl = `https://doppel.example.com/${'p'.repeat(174)}`), 'schema'],
  ['duplicate module key', (d) => (d.modules.configurePage.key = 'doppel-admin'), 'not unique'],
];
for (const [name, mutate, needle] of MUTATIONS) {
  const descriptor = render(DEFAULT_SAMPLE);
  mutate(descriptor);
  run.expectCaught(`mutation caught: ${name}`, descriptorProblems(descriptor, { ...DEFAULT_SAMPLE, baseUrl: descriptor.baseUrl, appKey: descriptor.key }), needle);
}

process.exitCode = run.finish();

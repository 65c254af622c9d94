// The UI modifications (apps) REST API of a fake Jira site for Forge e2e tests: GET/POST /rest/api/3/uiModifications
// and PUT/DELETE /rest/api/3/uiModifications/{id}, with the documented bodies, limits and answers, and a record of
// every call, so a test can assert that Doppel creates its entity at install, updates it when the admin scope
// changes and deletes it on uninstall. Attach it to a FakeJira (lib/fake_jira.mjs) in Forge mode:
//   const uim = new FakeUiModifications({ projects: ['10100'], issueTypes: ['10001'] }).attach(site);
// Reference: Jira Cloud REST v3 "UI modifications (apps)" (createUiModification, getUiModifications,
// updateUiModification, deleteUiModification; schemas CreateUiModificationDetails, UiModificationContextDetails).
import crypto from 'node:crypto';

export const UIM_PATH = '/rest/api/3/uiModifications';
export const JIRA_VIEW_TYPES = ['GIC', 'IssueView', 'IssueTransition'];
export const JSM_VIEW_TYPES = ['JSMRequestCreate'];
export const MAX_UI_MODIFICATIONS = 3000; // per app
export const MAX_CONTEXTS = 1000; // per UI modification
const MAX_NAME = 255;
const MAX_DESCRIPTION = 255;
const MAX_DATA = 50_000;

const bad = (message) => [400, { errorMessages: [message], errors: {} }];
const notFound = (message) => [404, { errorMessages: [message], errors: {} }];
const isString = (value) => typeof value === 'string';
const isAbsent = (value) => value === undefined || value === null;

export class FakeUiModifications {
  // projects / issueTypes / portals / requestTypes: ids the site knows (a context naming another id answers 404);
  // leave one undefined to accept any id of that kind.
  constructor({ projects, issueTypes, portals, requestTypes } = {}) {
    this.known = { projectId: projects, issueTypeId: issueTypes, portalId: portals, requestTypeId: requestTypes };
    this.entities = new Map(); // id -> {id, name, description, data, contexts}
    this.calls = []; // {method, path, query, body, status, authorization}
    this.site = null;
  }

  // Serves the API from `site` (a FakeJira) ahead of its own routes; the site still checks the bearer token.
  attach(site) {
    this.site = site;
    const route = site.route.bind(site);
    site.route = (method, path, params, body) => {
      if (path !== UIM_PATH && !path.startsWith(`${UIM_PATH}/`)) return route(method, path, params, body);
      const record = { method, path, query: params.toString(), body: body === undefined ? undefined : structuredClone(body), status: 0, authorization: site.calls.at(-1)?.authorization ?? '' };
      this.calls.push(record);
      const answer = this.route(method, path, params, body);
      record.status = answer[0];
      return answer;
    };
    return this;
  }

  /** The calls of one method (and path prefix), oldest first. */
  callsOf(method, path = UIM_PATH) {
    return this.calls.filter((c) => c.method === method && c.path.startsWith(path));
  }

  /** The entities as GET ?expand=data,contexts would list them. */
  list() {
    return [...this.entities.values()].map((e) => this.view(e, { data: true, contexts: true }));
  }

  self(id) {
    return `${this.site?.baseUrl ?? 'http://fake-jira'}${UIM_PATH}/${id}`;
  }

  view(entity, expand) {
    const out = { id: entity.id, name: entity.name, self: this.self(entity.id) };
    if (entity.description !== undefined) out.description = entity.description;
    if (expand.data && entity.data !== undefined) out.data = entity.data;
    if (expand.contexts) out.contexts = entity.contexts.map((c) => structuredClone(c));
    return out;
  }

  route(method, path, params, body) {
    if (this.site && !this.site.forge) return [403, { errorMessages: ['UI modifications are available to Forge apps only'] }];
    if (path === UIM_PATH) {
      if (method === 'GET') return this.get(params);
      if (method === 'POST') return this.create(body);
      return [405, { errorMessages: ['method not allowed'] }];
    }
    const id = decodeURIComponent(path.slice(UIM_PATH.length + 1));
    if (!this.entities.has(id)) return notFound('UI modification not found');
    if (method === 'PUT') return this.update(id, body);
    if (method === 'DELETE') {
      this.entities.delete(id);
      return [204, undefined];
    }
    return [405, { errorMessages: ['method not allowed'] }];
  }

  get(params) {
    const startAt = Number(params.get('startAt') ?? 0);
    const maxResults = Number(params.get('maxResults') ?? 50);
    if (!Number.isInteger(startAt) || startAt < 0 || !Number.isInteger(maxResults) || maxResults < 1) return bad('bad paging');
    const expand = new Set((params.get('expand') ?? '').split(',').map((s) => s.trim()).filter(Boolean));
    for (const e of expand) if (e !== 'data' && e !== 'contexts') return bad(`unknown expand ${e}`);
    const all = [...this.entities.values()];
    const values = all.slice(startAt, startAt + maxResults).map((e) => this.view(e, { data: expand.has('data'), contexts: expand.has('contexts') }));
    return [200, { isLast: startAt + maxResults >= all.length, maxResults, startAt, total: all.length, values }];
  }

  create(body) {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return bad('a JSON object is required');
    if (!isString(body.name) || body.name.length === 0) return bad('name is required');
    if (this.entities.size >= MAX_UI_MODIFICATIONS) return bad(`an app can define up to ${MAX_UI_MODIFICATIONS} UI modifications`);
    const refused = this.checkFields(body);
    if (refused) return refused;
    const checked = this.checkContexts(body.contexts ?? []);
    if (checked.refused) return checked.refused;
    const id = crypto.randomUUID();
    this.entities.set(id, { id, name: body.name, description: body.description, data: body.data, contexts: checked.stored });
    return [201, { id, self: this.self(id) }];
  }

  update(id, body) {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return bad('a JSON object is required');
    if (body.name !== undefined && (!isString(body.name) || body.name.length === 0)) return bad('name must be a non-empty string');
    const refused = this.checkFields(body);
    if (refused) return refused;
    let contexts;
    if (body.contexts !== undefined) {
      const checked = this.checkContexts(body.contexts); // replaces all existing contexts
      if (checked.refused) return checked.refused;
      contexts = checked.stored;
    }
    const entity = this.entities.get(id);
    for (const key of ['name', 'description', 'data']) if (body[key] !== undefined) entity[key] = body[key];
    if (contexts) entity.contexts = contexts;
    return [204, undefined];
  }

  // name/description/data types and lengths; returns null when they are fine, else the error answer.
  checkFields(body) {
    if (isString(body.name) && body.name.length > MAX_NAME) return bad(`name is longer than ${MAX_NAME} characters`);
    if (body.description !== undefined && (!isString(body.description) || body.description.length > MAX_DESCRIPTION)) return bad(`description must be a string of at most ${MAX_DESCRIPTION} characters`);
    if (body.data !== undefined && (!isString(body.data) || body.data.length > MAX_DATA)) return bad(`data must be a string of at most ${MAX_DATA} characters`);
    return null;
  }

  // Validates contexts as documented: {stored} (with ids) or {refused: the error answer}.
  checkContexts(contexts) {
    const refused = this.contextProblem(contexts);
    if (refused) return { refused };
    return {
      stored: contexts.map(({ projectId, issueTypeId, portalId, requestTypeId, viewType }) => ({
        id: String(1_000_000 + Math.floor(Math.random() * 8_000_000)),
        projectId: projectId ?? null,
        issueTypeId: issueTypeId ?? null,
        ...(portalId !== undefined || requestTypeId !== undefined ? { portalId: portalId ?? null, requestTypeId: requestTypeId ?? null } : {}),
        viewType: viewType ?? null,
        isAvailable: true,
      })),
    };
  }

  // The error answer for the first invalid context, or null.
  contextProblem(contexts) {
    if (!Array.isArray(contexts)) return bad('contexts must be an array');
    if (contexts.length > MAX_CONTEXTS) return bad(`a UI modification can define up to ${MAX_CONTEXTS} contexts`);
    for (const context of contexts) {
      if (!context || typeof context !== 'object') return bad('a context must be an object');
      const { projectId, issueTypeId, portalId, requestTypeId, viewType } = context;
      for (const [name, value] of Object.entries({ projectId, issueTypeId, portalId, requestTypeId })) {
        if (!isAbsent(value) && !isString(value)) return bad(`${name} must be a string or null`);
      }
      if (JSM_VIEW_TYPES.includes(viewType)) {
        if (isAbsent(portalId) || isAbsent(requestTypeId)) return bad('JSMRequestCreate contexts need portalId and requestTypeId (no wildcards)');
        if (!isAbsent(projectId) || !isAbsent(issueTypeId)) return bad('JSMRequestCreate contexts take portalId and requestTypeId, not projectId or issueTypeId');
      } else if (isAbsent(viewType) || JIRA_VIEW_TYPES.includes(viewType)) {
        if (!isAbsent(portalId) || !isAbsent(requestTypeId)) return bad('Jira contexts take projectId and issueTypeId, not portalId or requestTypeId');
        const wildcards = [projectId, issueTypeId, viewType].filter(isAbsent).length;
        if (wildcards > 1) return bad('a Jira context can have at most one wildcard (null projectId, issueTypeId or viewType)');
      } else {
        return bad(`unknown viewType ${JSON.stringify(viewType)}`);
      }
      for (const [name, value] of Object.entries({ projectId, issueTypeId, portalId, requestTypeId })) {
        if (!isAbsent(value) && this.known[name] && !this.known[name].includes(value)) return notFound(`${name} ${value} not found`);
      }
    }
    return null;
  }
}

// The demo Jira site: the fake Jira (REST API, signing) plus small Jira-like pages on loopback — an issue list with
// search and project filter, issue pages with their Jira links and the app's issue panel, and the app's admin and
// dashboard pages — hosting the app's iframes the way Jira does: signed page URLs from the installed app's descriptor,
// context tokens signed by the site, and the Connect host bridge (lib/demo_host_bridge.js over simple-xdm).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import atlassianJwt from 'atlassian-jwt';
import { FakeJira, call, qshFor } from './fake_jira.mjs';

const require = createRequire(import.meta.url);
const ASSETS = {
  '/demo/simple-xdm-host.js': ['application/javascript', readFileSync(require.resolve('simple-xdm/dist/host.js'))],
  '/demo/bridge.js': ['application/javascript', readFileSync(join(import.meta.dirname, 'demo_host_bridge.js'))],
  '/demo/site.css': ['text/css', readFileSync(join(import.meta.dirname, 'demo_site.css'))],
};
const PAGE_SIZE = 50;
const TOKEN_SECONDS = 180;

const escapeHtml = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const jsonForScript = (value) => JSON.stringify(value).replace(/</g, '\\u003c');
const nowSeconds = () => Math.floor(Date.now() / 1000);
const day = (stamp) => String(stamp ?? '').slice(0, 10);

export class DemoJira extends FakeJira {
  // user: the signed-in Jira user (a site admin) for whom pages and context tokens are signed.
  constructor({ keyServer, user = { accountId: '5b10a2844c20165700ede21d', displayName: 'Demo Admin' } } = {}) {
    super({ keyServer });
    this.user = user;
    this.admins = new Set([user.accountId]);
    this.replayedKeys = new Set(); // issues created while the demo runs
    this.app = null; // {descriptor, baseUrl} once installed
  }

  async start(port = 0) {
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', resolve);
    });
    this.port = this.server.address().port;
    this.baseUrl = `http://127.0.0.1:${this.port}${this.basePath}`;
    return this;
  }

  // Installs the app as Jira does: reads its descriptor, then sends the signed `installed` lifecycle call.
  async installApp(target) {
    const answer = await call(target, 'GET', '/atlassian-connect.json');
    if (answer.status !== 200 || !answer.json?.baseUrl) throw new Error(`descriptor: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
    this.appKey = answer.json.key;
    const installed = await this.install(target);
    if (installed.status >= 300) throw new Error(`install failed: HTTP ${installed.status} ${installed.text}`);
    this.app = { descriptor: answer.json, baseUrl: target.baseUrl };
    return this.app;
  }

  // --- the app's modules -----------------------------------------------------------------------------------------

  modules() {
    const m = this.app?.descriptor.modules ?? {};
    return {
      panel: m.jiraIssueContexts?.[0],
      admin: m.adminPages?.[0],
      dashboard: m.generalPages?.[0],
      pages: [...(m.adminPages ?? []), ...(m.generalPages ?? []), m.configurePage, m.postInstallPage].filter(Boolean),
    };
  }

  moduleHref(module) {
    return `/plugins/servlet/ac/${encodeURIComponent(this.appKey)}/${encodeURIComponent(module.key)}`;
  }

  // The iframe URL Jira builds for a module: its URL with the context substituted, Jira's own parameters, and a
  // page JWT (HS256, the tenant's shared secret, computed qsh, the viewing user as sub).
  signedModuleUrl(moduleKey, moduleUrl, context = {}) {
    const substituted = moduleUrl.replace(/\{([a-z.]+)\}/gi, (_, name) => encodeURIComponent(context[name] ?? ''));
    const [path, query = ''] = substituted.split('?');
    const params = new URLSearchParams(query);
    params.set('xdm_e', this.baseUrl);
    params.set('xdm_c', `channel-${this.appKey}__${moduleKey}`);
    params.set('cp', '');
    params.set('xdm_deprecated_addon_key_do_not_use', this.appKey);
    params.set('lic', 'none');
    params.set('cv', '1001.0.0');
    const pathAndQuery = `${path}?${params}`;
    const iat = nowSeconds();
    const token = atlassianJwt.encodeSymmetric({
      iss: this.clientKey, sub: this.user.accountId, iat, exp: iat + TOKEN_SECONDS, qsh: qshFor('GET', pathAndQuery, this.app.baseUrl),
    }, this.sharedSecret);
    return `${this.app.descriptor.baseUrl}${pathAndQuery}&jwt=${token}`;
  }

  contextTokenForUser() {
    const iat = nowSeconds();
    return atlassianJwt.encodeSymmetric({
      iss: this.clientKey, sub: this.user.accountId, iat, exp: iat + TOKEN_SECONDS, qsh: 'context-qsh',
    }, this.sharedSecret);
  }

  // --- HTTP ------------------------------------------------------------------------------------------------------

  handle(req, res) {
    const url = new URL(req.url, 'http://demo');
    const page = (status, html) => {
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': `default-src 'self'; frame-src ${this.app ? new URL(this.app.descriptor.baseUrl).origin : "'none'"}; img-src 'self' data:; base-uri 'none'; form-action 'self'`,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      res.end(html);
    };
    if (req.method === 'GET' && ASSETS[url.pathname]) {
      const [type, body] = ASSETS[url.pathname];
      res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'x-content-type-options': 'nosniff' });
      return res.end(body);
    }
    if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/issues')) return page(200, this.listPage(url.searchParams));
    let m = url.pathname.match(/^\/browse\/([^/]+)$/);
    if (req.method === 'GET' && m) {
      const issue = this.issues.get(decodeURIComponent(m[1]));
      return issue ? page(200, this.issuePage(issue)) : page(404, this.layout('Not found', '<h1>Issue does not exist</h1>'));
    }
    m = url.pathname.match(/^\/plugins\/servlet\/ac\/([^/]+)\/([^/]+)$/);
    if (req.method === 'GET' && m) {
      const module = this.modules().pages.find((p) => p.key === decodeURIComponent(m[2]));
      if (!module || decodeURIComponent(m[1]) !== this.appKey) return page(404, this.layout('Not found', '<h1>No such app page</h1>'));
      return page(200, this.modulePage(module));
    }
    m = url.pathname.match(/^\/demo\/issue-links\/([^/]+)$/);
    if (req.method === 'GET' && m) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return res.end(JSON.stringify(this.linksOf(decodeURIComponent(m[1]))));
    }
    if (req.method === 'POST' && url.pathname === '/demo/context-token') {
      // Only the site's own pages ask (a custom header cannot be sent cross-site without a CORS preflight we refuse).
      if (req.headers['x-demo-request'] !== '1' || !this.app) {
        res.writeHead(403, { 'content-type': 'application/json' });
        return res.end('{"error":"forbidden"}');
      }
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return res.end(JSON.stringify({ token: this.contextTokenForUser() }));
    }
    return super.handle(req, res);
  }

  // --- pages -----------------------------------------------------------------------------------------------------

  layout(title, body, { frame } = {}) {
    const { admin, dashboard } = this.modules();
    const nav = [
      '<a href="/">Issues</a>',
      dashboard ? `<a href="${this.moduleHref(dashboard)}">${escapeHtml(dashboard.name?.value ?? 'Dashboard')}</a>` : '',
      admin ? `<a href="${this.moduleHref(admin)}">Apps: ${escapeHtml(admin.name?.value ?? 'Admin')} admin</a>` : '',
    ].join('');
    const scripts = frame
      ? `<script type="application/json" id="connect-frame-config">${jsonForScript(frame)}</script>
<script src="/demo/simple-xdm-host.js"></script><script src="/demo/bridge.js"></script>`
      : '';
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - Demo Jira</title><link rel="stylesheet" href="/demo/site.css"></head>
<body><header class="topbar"><a class="brand" href="/"><span class="logo" aria-hidden="true"></span>Demo Jira</a><nav>${nav}</nav>
<span class="user" title="${escapeHtml(this.user.accountId)}">${escapeHtml(this.user.displayName)} (site admin)</span></header>
<main>${body}</main><div id="flags" aria-live="polite"></div>${scripts}</body></html>`;
  }

  listPage(params) {
    const q = (params.get('q') ?? '').trim().toLowerCase();
    const project = params.get('project') ?? '';
    const pageNumber = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);
    const all = this.sortedIssues().reverse();
    const projects = [...new Map(all.map((i) => [i.fields.project.key, i.fields.project.name ?? i.fields.project.key])).entries()].sort();
    const matching = all.filter((i) => (!project || i.fields.project.key === project)
      && (!q || i.key.toLowerCase().includes(q) || String(i.fields.summary ?? '').toLowerCase().includes(q)));
    const shown = matching.slice((pageNumber - 1) * PAGE_SIZE, pageNumber * PAGE_SIZE);
    const rows = shown.map((i) => `<tr data-key="${escapeHtml(i.key)}"><td><a href="/browse/${encodeURIComponent(i.key)}">${escapeHtml(i.key)}</a>${this.replayedKeys.has(i.key) ? ' <span class="lozenge lozenge--new">new</span>' : ''}</td>
<td><a class="summary" href="/browse/${encodeURIComponent(i.key)}">${escapeHtml(i.fields.summary)}</a></td><td>${escapeHtml(i.fields.issuetype?.name)}</td>
<td><span class="lozenge">${escapeHtml(i.fields.status?.name)}</span></td><td>${escapeHtml(day(i.fields.created))}</td></tr>`).join('\n');
    const link = (n) => `/?${new URLSearchParams({ q: params.get('q') ?? '', project, page: String(n) })}`;
    const pager = [
      pageNumber > 1 ? `<a href="${escapeHtml(link(pageNumber - 1))}">Previous</a>` : '',
      pageNumber * PAGE_SIZE < matching.length ? `<a href="${escapeHtml(link(pageNumber + 1))}">Next</a>` : '',
    ].join(' ');
    const options = projects.map(([key, name]) => `<option value="${escapeHtml(key)}"${key === project ? ' selected' : ''}>${escapeHtml(name)} (${escapeHtml(key)})</option>`).join('');
    return this.layout('Issues', `<h1>Issues</h1>
<p class="hint">Real Apache Hadoop bug reports. Issues marked <span class="lozenge lozenge--new">new</span> arrive while the demo runs, many of them
reports of a problem already filed: open one to see what the app suggests.</p>
<form class="filters" method="get" action="/" role="search"><label>Search <input type="search" name="q" value="${escapeHtml(params.get('q') ?? '')}" placeholder="Key or summary"></label>
<label>Project <select name="project"><option value="">All projects</option>${options}</select></label><button type="submit">Search</button></form>
<p class="count">${matching.length} of ${all.length} issues</p>
<table class="issues"><thead><tr><th>Key</th><th>Summary</th><th>Type</th><th>Status</th><th>Created</th></tr></thead><tbody>
${rows || '<tr><td colspan="5">No issues match.</td></tr>'}</tbody></table><p class="pager">${pager}</p>`);
  }

  // The issue's Duplicate links as Jira shows them: inward = the older issue ("is duplicated by"), outward = newer.
  linksOf(key) {
    return this.links.filter((l) => l.inward === key || l.outward === key).map((l) => (l.outward === key
      ? { relation: 'duplicates', key: l.inward }
      : { relation: 'is duplicated by', key: l.outward })).map((link) => ({ ...link, summary: this.issues.get(link.key)?.fields.summary ?? '' }));
  }

  issuePage(issue) {
    const f = issue.fields;
    const { panel } = this.modules();
    const links = this.linksOf(issue.key).map(({ relation, key, summary }) => `<li class="issue-link" data-key="${escapeHtml(key)}">${escapeHtml(relation)}
<a href="/browse/${encodeURIComponent(key)}">${escapeHtml(key)}</a> <span>${escapeHtml(summary)}</span></li>`).join('');
    const detail = (name, value) => (value ? `<dt>${name}</dt><dd>${escapeHtml(value)}</dd>` : '');
    const names = (list) => (list ?? []).map((x) => x.name ?? x).join(', ');
    const frame = panel && this.app ? {
      addonKey: this.appKey,
      moduleKey: panel.key,
      title: panel.name?.value ?? 'App panel',
      sizing: 'content',
      url: this.signedModuleUrl(panel.key, panel.target.url, { 'issue.key': issue.key, 'issue.id': issue.id, 'project.key': f.project.key, 'project.id': f.project.id }),
      context: { issueKey: issue.key, issueId: issue.id, projectKey: f.project.key },
    } : null;
    return this.layout(`${issue.key} ${f.summary}`, `<nav class="crumbs"><a href="/?project=${encodeURIComponent(f.project.key)}">${escapeHtml(f.project.name ?? f.project.key)}</a> / <span>${escapeHtml(issue.key)}</span></nav>
<div class="issue"><article class="issue-main"><h1 id="summary">${escapeHtml(f.summary)}</h1>
<dl class="details">${detail('Type', f.issuetype?.name)}${detail('Status', f.status?.name)}${detail('Priority', f.priority?.name)}${detail('Resolution', f.resolution?.name)}
${detail('Created', day(f.created))}${detail('Components', names(f.components))}${detail('Labels', names(f.labels))}</dl>
<h2>Description</h2><pre class="description">${escapeHtml(typeof f.description === 'string' ? f.description : f.description ? JSON.stringify(f.description) : 'No description')}</pre>
<h2>Issue links</h2><ul id="issue-links">${links || '<li class="none">No links yet.</li>'}</ul></article>
<aside class="issue-side"><section class="panel"><h2>${escapeHtml(frame?.title ?? 'Apps')}</h2><div id="connect-frame">${frame ? '' : '<p>The app is not installed.</p>'}</div></section></aside></div>`,
    { frame });
  }

  modulePage(module) {
    const frame = {
      addonKey: this.appKey,
      moduleKey: module.key,
      title: module.name?.value ?? module.key,
      sizing: 'parent',
      url: this.signedModuleUrl(module.key, module.url),
      context: {},
    };
    return this.layout(frame.title, `<div id="connect-frame" class="general-page"></div>`, { frame });
  }
}

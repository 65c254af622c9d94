// The host adapter interface: what a page needs from Jira (Connect AP or Forge bridge).

export type FlagType = 'success' | 'info' | 'warning' | 'error';

/** Issue/project context a page runs in (from the iframe URL on Connect, getContext on Forge). */
export interface PageContext {
  issueKey?: string;
  issueId?: string;
  projectKey?: string;
  /** The Jira site's base URL (Connect xdm_e, Forge siteUrl), for /browse links the API does not carry. */
  siteUrl?: string;
}

export interface HostRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Serialised as JSON when present. */
  body?: unknown;
  accept?: string;
}

/** One implementation per host; pages only talk to Jira and to our server through this. */
export interface Host {
  readonly kind: 'connect' | 'forge' | 'standalone';
  /** Calls our server with fresh credentials (path starts with "/api/"). */
  request(path: string, init?: HostRequest): Promise<Response>;
  context(): Promise<PageContext>;
  flag(type: FlagType, title: string, body?: string): void;
  /** Fits the iframe to its content (no-op where the host does it itself). */
  resize(): void;
  /** Opens a Jira issue in the host page. */
  openIssue(issueKey: string, url: string): void;
  onIssueChanged(callback: () => void): void;
  /** Follows the host's light/dark theme where the host offers it. */
  initTheme(): Promise<void>;
}

/** The host could not supply credentials for a call (e.g. AP.context.getToken failed). */
export class HostTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostTokenError';
  }
}

/** Builds fetch() init for a JSON request. */
export function jsonInit(init: HostRequest | undefined, headers: Record<string, string>): RequestInit {
  const h: Record<string, string> = { Accept: init?.accept ?? 'application/json', ...headers };
  const out: RequestInit = { method: init?.method ?? 'GET', headers: h, credentials: 'omit' };
  if (init?.body !== undefined) {
    h['Content-Type'] = 'application/json';
    out.body = JSON.stringify(init.body);
  }
  return out;
}

/** The page context carried in the iframe URL (Connect appends its own parameters too). */
export function contextFromUrl(search: string): PageContext {
  const q = new URLSearchParams(search);
  const pick = (name: string) => q.get(name) || undefined;
  const site = pick('xdm_e');
  const siteUrl = site && /^https?:\/\/[^/?#]+$/.test(site) ? site : undefined;
  return { issueKey: pick('issueKey'), issueId: pick('issueId'), projectKey: pick('projectKey'), siteUrl };
}

/** Our server's base path: pages live at <base>/pages/<name>, the API at <base>/api/. */
export function apiBaseFromPath(pathname: string): string {
  const m = /^(.*)\/pages\/[^/]+\/?$/.exec(pathname);
  return m ? m[1] : '';
}

/** Applies a colour mode the way Atlassian hosts do (html data-color-mode). */
export function setColorMode(mode: 'light' | 'dark'): void {
  const html = document.documentElement;
  html.setAttribute('data-color-mode', mode);
  if (!html.getAttribute('data-theme')) html.setAttribute('data-theme', 'light:light dark:dark');
}

/** Colour mode before (or without) the host telling us: explicit ?theme=, else the OS preference. */
export function initialColorMode(search: string): 'light' | 'dark' {
  const t = new URLSearchParams(search).get('theme');
  if (t === 'dark' || t === 'light') return t;
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

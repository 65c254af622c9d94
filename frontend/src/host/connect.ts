// Connect host: AP from Atlassian's all.js; a fresh context JWT per API call.
import { type Host, type HostRequest, type PageContext, type FlagType, HostTokenError, jsonInit, contextFromUrl } from './host';

/** The subset of Atlassian's AP object that Doppel uses. */
export interface ConnectAP {
  context: { getToken(callback?: (token: string) => void): Promise<string> | void };
  resize?(width?: string, height?: string): void;
  /** Not in Atlassian's all.js (only AP.env.sizeToParent); kept for hosts that offer it. */
  sizeToParent?(): void;
  env?: { sizeToParent?(): void };
  flag?: { create(options: { title: string; body?: string; type?: string; close?: string }): unknown };
  navigator?: { go(target: string, context?: Record<string, unknown>): void };
  events?: { on(name: string, callback: (...args: unknown[]) => void): void };
  theming?: { initializeTheming?(): void };
}

export interface ConnectOptions {
  apiBase: string;
  search: string;
  fetchFn?: typeof fetch;
  /** Panels size to content; general pages fill the host. */
  sizing?: 'content' | 'parent';
}

function getToken(ap: ConnectAP): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    const done = (t: string) => {
      if (settled) return;
      settled = true;
      if (typeof t === 'string' && t) resolve(t);
      else reject(new HostTokenError('AP.context.getToken returned no token'));
    };
    try {
      const r = ap.context.getToken(done);
      const fail = (e: unknown) => reject(new HostTokenError(`AP.context.getToken failed: ${e instanceof Error ? e.message : String(e)}`));
      if (r && typeof (r as Promise<string>).then === 'function') (r as Promise<string>).then(done, fail);
    } catch (e) {
      reject(new HostTokenError(`AP.context.getToken failed: ${e instanceof Error ? e.message : String(e)}`));
    }
  });
}

export function createConnectHost(ap: ConnectAP, options: ConnectOptions): Host {
  const fetchFn = options.fetchFn ?? fetch.bind(globalThis);
  const ctx: PageContext = contextFromUrl(options.search);
  return {
    kind: 'connect',
    async request(path: string, init?: HostRequest) {
      const token = await getToken(ap);
      return fetchFn(options.apiBase + path, jsonInit(init, { Authorization: `JWT ${token}` }));
    },
    async context() {
      return ctx;
    },
    flag(type: FlagType, title: string, body?: string) {
      ap.flag?.create({ title, body, type, close: 'auto' });
    },
    resize() {
      if (options.sizing !== 'parent') ap.resize?.();
      else if (typeof ap.sizeToParent === 'function') ap.sizeToParent();
      else ap.env?.sizeToParent?.();
    },
    openIssue(issueKey: string, url: string) {
      if (ap.navigator) ap.navigator.go('issue', { issueKey });
      else window.open(url, '_top');
    },
    onIssueChanged(callback: () => void) {
      ap.events?.on('ISSUE_CHANGED', () => callback());
    },
    async initTheme() {
      ap.theming?.initializeTheming?.();
    },
  };
}

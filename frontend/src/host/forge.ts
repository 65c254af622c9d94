// Forge Custom UI host: a thin adapter over the @forge/bridge functions the Forge package passes in.
import { type Host, type HostRequest, type PageContext, type FlagType, jsonInit } from './host';

/** What @forge/bridge invokeRemote resolves with: Doppel's answer as Forge relayed it. */
export interface RemoteInvokeResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: unknown;
}

/** The subset of @forge/bridge that Doppel uses (structural, so this bundle does not import it). */
export interface ForgeBridge {
  requestRemote(remoteKey: string, options: RequestInit & { path: string }): Promise<Response>;
  /** Through the Forge platform to the module's resolver endpoint (doppel-ui), which adds the app system token. */
  invokeRemote?(input: { path: string; method: 'GET' | 'POST' | 'PUT' | 'DELETE'; headers?: Record<string, string>; body?: unknown }): Promise<RemoteInvokeResponse>;
  showFlag?(options: { id: string; title?: string; description?: string; type?: FlagType; isAutoDismiss?: boolean }): unknown;
  view?: {
    getContext?(): Promise<{ siteUrl?: string; extension?: { issue?: { key?: string; id?: string }; project?: { key?: string } } }>;
    theme?: { enable(): Promise<void> };
  };
  router?: { open?(url: string): Promise<void> | void; navigate?(url: string): Promise<void> | void };
  events?: { on(name: string, callback: () => void): unknown };
}

/**
 * Calls that make Doppel write to Jira (link, dismiss, restore, bulk actions) or check admin rights go through
 * invokeRemote: Forge proxies them with the FIT and the app system token (x-forge-oauth-system), which Doppel uses
 * for Jira and keeps for background jobs. Plain reads use requestRemote (direct, lower latency, FIT only).
 */
export function usesInvokeRemote(path: string, init?: HostRequest): boolean {
  return (init?.method ?? 'GET') !== 'GET' || path.startsWith('/api/admin/');
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** Turns an invokeRemote answer into the fetch Response the pages expect. */
export function toResponse(r: RemoteInvokeResponse): Response {
  const status = Number.isInteger(r?.status) && r.status >= 200 && r.status <= 599 ? r.status : 502;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(r?.headers ?? {})) headers[name] = Array.isArray(value) ? value.join(',') : String(value);
  if (NULL_BODY_STATUSES.has(status) || r?.body === undefined || r?.body === null) return new Response(null, { status, headers });
  const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  return new Response(text, { status, headers });
}

export function createForgeHost(bridge: ForgeBridge, remoteKey = 'doppel'): Host {
  let flagSeq = 0;
  return {
    kind: 'forge',
    async request(path: string, init?: HostRequest) {
      // Forge adds the invocation token (Authorization: Bearer <FIT>) itself.
      if (bridge.invokeRemote && usesInvokeRemote(path, init)) {
        const base = jsonInit(init, {});
        return toResponse(
          await bridge.invokeRemote({
            path,
            method: init?.method ?? 'GET',
            headers: base.headers as Record<string, string>,
            ...(init?.body !== undefined ? { body: init.body } : {}),
          }),
        );
      }
      return bridge.requestRemote(remoteKey, { ...jsonInit(init, {}), path });
    },
    async context(): Promise<PageContext> {
      const c = await bridge.view?.getContext?.();
      const ext = c?.extension ?? {};
      return { issueKey: ext.issue?.key, issueId: ext.issue?.id, projectKey: ext.project?.key, siteUrl: c?.siteUrl };
    },
    flag(type: FlagType, title: string, body?: string) {
      bridge.showFlag?.({ id: `doppel-${++flagSeq}`, title, description: body, type, isAutoDismiss: true });
    },
    resize() {
      // Custom UI iframes are resized by the Forge host.
    },
    openIssue(_issueKey: string, url: string) {
      void (bridge.router?.navigate ?? bridge.router?.open)?.(url);
    },
    onIssueChanged(callback: () => void) {
      bridge.events?.on('JIRA_ISSUE_CHANGED', callback);
    },
    async initTheme() {
      await bridge.view?.theme?.enable();
    },
  };
}

// Forge Custom UI host: a thin adapter over the @forge/bridge functions the Forge package passes in.
import { type Host, type HostRequest, type PageContext, type FlagType, jsonInit } from './host';

/** The subset of @forge/bridge that Doppel uses (structural, so this bundle does not import it). */
export interface ForgeBridge {
  requestRemote(remoteKey: string, options: RequestInit & { path: string }): Promise<Response>;
  showFlag?(options: { id: string; title?: string; description?: string; type?: FlagType; isAutoDismiss?: boolean }): unknown;
  view?: {
    getContext?(): Promise<{ siteUrl?: string; extension?: { issue?: { key?: string; id?: string }; project?: { key?: string } } }>;
    theme?: { enable(): Promise<void> };
  };
  router?: { open?(url: string): Promise<void> | void; navigate?(url: string): Promise<void> | void };
  events?: { on(name: string, callback: () => void): unknown };
}

export function createForgeHost(bridge: ForgeBridge, remoteKey = 'doppel'): Host {
  let flagSeq = 0;
  return {
    kind: 'forge',
    request(path: string, init?: HostRequest) {
      // Forge adds the invocation token (Authorization: Bearer <FIT>) itself.
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

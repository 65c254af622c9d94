// Standalone host: the page opened outside Jira (no AP). Calls go out without a token and fail clearly.
import { type Host, type HostRequest, type FlagType, jsonInit, contextFromUrl } from './host';
import { showInPageFlag } from '../ui/flags';

export function createStandaloneHost(apiBase: string, search: string, fetchFn: typeof fetch = fetch.bind(globalThis)): Host {
  return {
    kind: 'standalone',
    request(path: string, init?: HostRequest) {
      return fetchFn(apiBase + path, jsonInit(init, {}));
    },
    async context() {
      return contextFromUrl(search);
    },
    flag(type: FlagType, title: string, body?: string) {
      showInPageFlag(type, title, body);
    },
    resize() {},
    openIssue(_issueKey: string, url: string) {
      window.open(url, '_blank', 'noopener');
    },
    onIssueChanged() {},
    async initTheme() {},
  };
}

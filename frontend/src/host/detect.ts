// Picks the host adapter for this page load: Forge (forge build or injected bridge), else Connect AP, else standalone.
import type { Host } from './host';
import { apiBaseFromPath, initialColorMode, setColorMode } from './host';
import { createConnectHost, type ConnectAP } from './connect';
import { createForgeHost, type ForgeBridge } from './forge';
import { createStandaloneHost } from './standalone';

declare global {
  interface Window {
    AP?: ConnectAP;
    /** A bridge supplied by an embedding page (tests, custom packaging); the Forge build bundles its own. */
    __DOPPEL_FORGE_BRIDGE__?: ForgeBridge;
  }
}

const ALL_JS = 'connect-cdn.atl-paas.net/all.js';
/** The Connect host gives up on an iframe that has not connected in 12 s. */
const AP_WAIT_MS = 12000;

/** Resolves with window.AP once all.js has run, or null when it is absent or failed to load. */
export function waitForAP(win: Window = window, timeoutMs = AP_WAIT_MS): Promise<ConnectAP | null> {
  if (win.AP) return Promise.resolve(win.AP);
  const script = win.document.querySelector<HTMLScriptElement>(`script[src*="${ALL_JS}"]`);
  if (!script) return Promise.resolve(null);
  return new Promise((resolve) => {
    let timer = 0;
    let poll = 0;
    const finish = () => {
      win.clearTimeout(timer);
      win.clearInterval(poll);
      resolve(win.AP ?? null);
    };
    script.addEventListener('load', finish, { once: true });
    script.addEventListener('error', finish, { once: true });
    // all.js may have finished before we listened: poll cheaply as well.
    poll = win.setInterval(() => win.AP && finish(), 25);
    timer = win.setTimeout(finish, timeoutMs);
  });
}

export async function resolveHost(sizing: 'content' | 'parent'): Promise<Host> {
  setColorMode(initialColorMode(location.search));
  const apiBase = apiBaseFromPath(location.pathname);
  let host: Host;
  if (import.meta.env.MODE === 'forge') {
    // Forge Custom UI build only (vite --mode forge): the bridge is bundled; the Connect build never loads it.
    const { fromForgeBridge } = await import('./forge-bridge');
    host = createForgeHost(await fromForgeBridge());
  } else if (window.__DOPPEL_FORGE_BRIDGE__) {
    host = createForgeHost(window.__DOPPEL_FORGE_BRIDGE__);
  } else {
    const ap = await waitForAP();
    host = ap
      ? createConnectHost(ap, { apiBase, search: location.search, sizing })
      : createStandaloneHost(apiBase, location.search);
  }
  await host.initTheme().catch(() => undefined);
  return host;
}

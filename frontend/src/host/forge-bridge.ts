// Loads @forge/bridge (Forge build only) and maps it onto the ForgeBridge shape the adapter expects.
import type { ForgeBridge } from './forge';

export async function fromForgeBridge(): Promise<ForgeBridge> {
  const bridge = await import('@forge/bridge');
  return {
    requestRemote: (remoteKey, options) => bridge.requestRemote(remoteKey, options as Parameters<typeof bridge.requestRemote>[1]),
    // To the module's resolver endpoint (doppel-ui in the manifest), which has the app system token enabled.
    invokeRemote: (input) => bridge.invokeRemote(input),
    showFlag: (options) => bridge.showFlag(options),
    view: {
      getContext: () => bridge.view.getContext() as ReturnType<NonNullable<NonNullable<ForgeBridge['view']>['getContext']>>,
      theme: { enable: () => bridge.view.theme.enable() },
    },
    router: { open: (url) => bridge.router.open(url), navigate: (url) => bridge.router.navigate(url) },
    events: { on: (name, callback) => bridge.events.on(name, callback) },
  };
}

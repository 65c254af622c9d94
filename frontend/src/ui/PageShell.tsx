// The page shell shared by the panel, admin and dashboard pages: the <main> landmark with the page heading, the
// "could not start" message, and the effect that asks the host to fit its frame to the page after each render.
import { useLayoutEffect } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { Host } from '../host/host';
import { SectionMessage } from './components';

/** After every render of the calling component, asks the host to fit the frame to the content (Connect iframes). */
export function usePageResize(host: Host | null) {
  useLayoutEffect(() => {
    host?.resize();
  });
}

/** `<main class>` with an optional `<h1>` (visually hidden when the host shows its own title) above the children. */
export function PageShell(props: {
  class: string;
  title?: string;
  titleHidden?: boolean;
  busy?: boolean;
  testId?: string;
  children: ComponentChildren;
}) {
  return (
    <main class={props.class} aria-busy={props.busy ? 'true' : undefined} data-testid={props.testId}>
      {props.title !== undefined && <h1 class={props.titleHidden ? 'ds-visually-hidden' : undefined}>{props.title}</h1>}
      {props.children}
    </main>
  );
}

/** What a page shows when its host adapter failed to start (message from resolveHost). */
export function HostError(props: { message: string }) {
  return (
    <SectionMessage appearance="error" title="Doppel could not start">
      {props.message}
    </SectionMessage>
  );
}

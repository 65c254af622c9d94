// The shared page shell: landmark and heading, the "could not start" state of each page, and the resize effect.
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/preact';
import { useState } from 'preact/hooks';
import { PageShell, usePageResize } from '../src/ui/PageShell';
import type { Host } from '../src/host/host';
import { Dashboard } from '../src/dashboard/Dashboard';
import { Admin } from '../src/admin/Admin';
import { Panel } from '../src/panel/Panel';
import { FakeHost } from './fake-host';

describe('PageShell', () => {
  it('renders a main landmark with a visible, visually hidden or no heading', () => {
    const { container, rerender } = render(
      <PageShell class="doppel-page x" title="Page title" busy testId="shell">
        <p>body</p>
      </PageShell>,
    );
    const main = screen.getByRole('main');
    expect(main.className).toBe('doppel-page x');
    expect(main.getAttribute('aria-busy')).toBe('true');
    expect(main.dataset.testid).toBe('shell');
    expect(screen.getByRole('heading', { level: 1, name: 'Page title' }).hasAttribute('class')).toBe(false);
    rerender(
      <PageShell class="doppel-panel" title="Hidden title" titleHidden>
        <p>body</p>
      </PageShell>,
    );
    expect(screen.getByRole('heading', { level: 1 }).className).toBe('ds-visually-hidden');
    expect(screen.getByRole('main').hasAttribute('aria-busy')).toBe(false);
    rerender(
      <PageShell class="doppel-page">
        <p>body</p>
      </PageShell>,
    );
    expect(container.querySelector('h1')).toBeNull();
    expect(container.innerHTML).toBe('<main class="doppel-page"><p>body</p></main>');
  });

  it.each([
    ['dashboard', () => <Dashboard host={null} hostError="AP did not load." />, 'doppel-page'],
    ['admin', () => <Admin host={null} hostError="AP did not load." />, 'doppel-page'],
    ['panel', () => <Panel host={null} hostError="AP did not load." />, 'doppel-panel'],
  ])('the %s page shows the host error inside its shell', (_name, page, cls) => {
    render(page());
    expect(screen.getByRole('main').className).toBe(cls);
    const alert = screen.getByRole('alert');
    expect(alert.querySelector('h2')!.textContent).toBe('Doppel could not start');
    expect(alert.textContent).toContain('AP did not load.');
    expect(screen.queryByTestId('loading')).toBeNull();
  });
});

describe('usePageResize', () => {
  function Counter(props: { host: Host | null }) {
    const [n, setN] = useState(0);
    usePageResize(props.host);
    return (
      <button type="button" onClick={() => setN(n + 1)}>
        clicked {n}
      </button>
    );
  }

  it('asks the host to fit the frame after every render, with the new content already in the page', () => {
    const host = new FakeHost();
    const seen: string[] = [];
    const resize = host.resize.bind(host);
    host.resize = () => {
      seen.push(document.body.textContent ?? '');
      resize();
    };
    render(<Counter host={host} />);
    expect(host.resizes).toBe(1);
    fireEvent.click(screen.getByRole('button'));
    fireEvent.click(screen.getByRole('button'));
    expect(host.resizes).toBe(3);
    expect(seen).toEqual(['clicked 0', 'clicked 1', 'clicked 2']);
  });

  it('does nothing before the host is known', () => {
    render(<Counter host={null} />);
    fireEvent.click(screen.getByRole('button'));
    expect(screen.getByRole('button').textContent).toBe('clicked 1');
  });
});

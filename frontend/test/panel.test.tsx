// Issue panel: the two tiers and their order, states, link/dismiss/restore round trips, no HTML from server text.
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { Panel } from '../src/panel/Panel';
import { FakeHost, candidate, defaultState } from './fake-host';

function setup(mutate?: (s: ReturnType<typeof defaultState>) => void, ctx?: { issueKey?: string }) {
  const state = defaultState();
  state.candidates = [candidate('SUP-9', 0.31, { status: 'In Progress', terms: ['crashes', 'uploading'] }), candidate('WEB-2', 0.041)];
  mutate?.(state);
  const host = new FakeHost(state, ctx ?? { issueKey: 'WEB-1' });
  render(<Panel host={host} />);
  return host;
}

describe('Panel', () => {
  it('shows a loading state before the host is ready', () => {
    render(<Panel host={null} />);
    expect(screen.getByTestId('loading').textContent).toMatch(/Looking for likely duplicates/);
  });

  it('lists likely duplicates in the server order with key link, project, status, label and likelihood', async () => {
    const host = setup();
    await screen.findByTestId('panel-ready');
    const items = screen.getAllByRole('listitem');
    expect(items.map((li) => li.getAttribute('data-testid'))).toEqual(['candidate-SUP-9', 'candidate-WEB-2']);
    const first = within(items[0]);
    const link = first.getByRole('link', { name: 'SUP-9' });
    expect(link.getAttribute('href')).toBe('https://example.atlassian.net/browse/SUP-9');
    expect(first.getByText('31 %').closest('.doppel-likelihood')!.textContent).toBe('31\u00a0% likely');
    expect(first.getByText('Likely duplicate')).toBeTruthy();
    expect(first.getByText('In Progress')).toBeTruthy();
    expect(first.getByText('SUP')).toBeTruthy();
    expect(within(items[1]).getByText('4.1 %')).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Likely duplicates' })).toBeTruthy();
    expect(screen.queryByTestId('related')).toBeNull();
    expect(screen.getByTestId('likelihood-meaning').textContent).toMatch(/chance that the two issues get filed as duplicates/);
    expect(host.calls[0].path).toMatch(/^\/api\/(status|issues\/WEB-1\/similar\?limit=10)$/);
    expect(host.resizes).toBeGreaterThan(0);
  });

  it('shows likely duplicates first, then related issues muted below them, each tier in the server order', async () => {
    setup((s) => {
      s.candidates = [
        candidate('WEB-7', 0.12),
        candidate('OPS-3', 0.009, { tier: 'related' }),
        candidate('WEB-4', 0.004),
        // A server lists likely first; one that does not is still shown by tier.
        candidate('SUP-1', 0.02, { tier: 'likely' }),
      ];
    });
    await screen.findByTestId('panel-ready');
    const likely = screen.getByTestId('likely');
    const related = screen.getByTestId('related');
    const keys = (el: HTMLElement) => within(el).getAllByRole('listitem').map((li) => li.getAttribute('data-testid'));
    expect(keys(likely)).toEqual(['candidate-WEB-7', 'candidate-SUP-1']);
    expect(keys(related)).toEqual(['candidate-OPS-3', 'candidate-WEB-4']);
    expect(likely.compareDocumentPosition(related) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(within(related).getByRole('heading', { name: 'Related issues' })).toBeTruthy();
    // Muted: the related rows carry the muted style and no "Likely duplicate" label, but keep every action.
    const ops = screen.getByTestId('candidate-OPS-3');
    expect(ops.classList.contains('doppel-candidate--related')).toBe(true);
    expect(screen.getByTestId('candidate-WEB-7').classList.contains('doppel-candidate--related')).toBe(false);
    expect(within(related).queryByText('Likely duplicate')).toBeNull();
    expect(within(likely).getAllByText('Likely duplicate')).toHaveLength(2);
    expect(within(ops).getByTestId('link-OPS-3')).toBeTruthy();
    expect(within(ops).getByTestId('dismiss-OPS-3')).toBeTruthy();
    expect(within(ops).getByText('0.9 %')).toBeTruthy();
    expect(screen.queryByTestId('no-likely')).toBeNull();
  });

  it('says so when there are related issues but no likely duplicate', async () => {
    setup((s) => {
      s.candidates = [candidate('OPS-3', 0.009), candidate('WEB-4', 0.004), candidate('WEB-5', 0.0002)];
    });
    expect((await screen.findByTestId('no-likely')).textContent).toBe('No likely duplicates; 3 related issues.');
    expect(screen.queryByTestId('likely')).toBeNull();
    expect(screen.queryByTestId('empty')).toBeNull();
    expect(within(screen.getByTestId('related')).getAllByRole('listitem')).toHaveLength(3);
    expect(within(screen.getByTestId('candidate-WEB-5')).getByText('< 0.1 %')).toBeTruthy();
  });

  it('counts one related issue in the singular, and dismissed likely ones do not count as shown', async () => {
    setup((s) => {
      s.candidates = [candidate('SUP-1', 0.2, { pairStatus: 'dismissed' }), candidate('OPS-3', 0.009)];
    });
    expect((await screen.findByTestId('no-likely')).textContent).toBe('No likely duplicates; 1 related issue.');
    expect(screen.getByTestId('toggle-dismissed').textContent).toMatch(/\(1\)/);
  });

  it('linking a related issue works like a likely one', async () => {
    const host = setup((s) => {
      s.candidates = [candidate('OPS-3', 0.009)];
    });
    await screen.findByTestId('related');
    fireEvent.click(screen.getByTestId('link-OPS-3'));
    fireEvent.click(screen.getByTestId('confirm-link-OPS-3'));
    await screen.findByText('Linked as duplicate');
    expect(host.calls.some((c) => c.path === '/api/pairs/WEB-1/OPS-3/link')).toBe(true);
  });

  it('renders server text as text, never as HTML', async () => {
    setup((s) => {
      s.candidates = [candidate('WEB-3', 0.2, { summary: '<img src=x onerror="window.__xss=1">bold', terms: ['<b>t</b>'] })];
    });
    await screen.findByTestId('panel-ready');
    expect(document.querySelector('img')).toBeNull();
    expect(screen.getByText('<img src=x onerror="window.__xss=1">bold')).toBeTruthy();
    fireEvent.click(screen.getByTestId('terms-WEB-3'));
    expect(screen.getByText('<b>t</b>')).toBeTruthy();
    expect(document.querySelector('b')).toBeNull();
  });

  it('shows matched terms on demand with aria-expanded', async () => {
    setup();
    await screen.findByTestId('panel-ready');
    const btn = screen.getByTestId('terms-SUP-9');
    expect(btn.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByText('uploading')).toBeNull();
    fireEvent.click(btn);
    expect(btn.getAttribute('aria-expanded')).toBe('true');
    expect(screen.getByText('uploading')).toBeTruthy();
  });

  it('links after confirmation and shows a success flag', async () => {
    const host = setup();
    await screen.findByTestId('panel-ready');
    fireEvent.click(screen.getByTestId('link-SUP-9'));
    expect(host.calls.some((c) => c.path.endsWith('/link'))).toBe(false);
    expect(screen.getByText('Link WEB-1 as a duplicate of SUP-9?')).toBeTruthy();
    fireEvent.click(screen.getByTestId('confirm-link-SUP-9'));
    await screen.findByText('Linked as duplicate');
    expect(host.calls.find((c) => c.path.endsWith('/link'))).toEqual({ method: 'POST', path: '/api/pairs/WEB-1/SUP-9/link', body: undefined });
    expect(host.flags).toEqual([{ type: 'success', title: 'Linked as duplicate', body: 'WEB-1 is now linked as a duplicate of SUP-9.' }]);
    expect(screen.queryByTestId('link-SUP-9')).toBeNull();
    expect(host.state.candidates.find((c) => c.key === 'SUP-9')!.pairStatus).toBe('confirmed');
  });

  it('moves keyboard focus to the confirmation, and Escape cancels it', async () => {
    const host = setup();
    await screen.findByTestId('panel-ready');
    fireEvent.click(screen.getByTestId('link-SUP-9'));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('confirm-link-SUP-9')));
    fireEvent.keyDown(screen.getByTestId('confirm-link-SUP-9'), { key: 'Escape' });
    expect(screen.queryByTestId('confirm-link-SUP-9')).toBeNull();
    fireEvent.click(screen.getByTestId('dismiss-WEB-2'));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('undo-WEB-2')));
    expect(host.calls.filter((c) => c.path.endsWith('/link'))).toHaveLength(0);
  });

  it('cancel leaves the pair untouched', async () => {
    const host = setup();
    await screen.findByTestId('panel-ready');
    fireEvent.click(screen.getByTestId('link-SUP-9'));
    fireEvent.click(screen.getByText('Cancel'));
    expect(screen.getByTestId('link-SUP-9')).toBeTruthy();
    expect(host.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('dismisses with undo, and restores', async () => {
    const host = setup();
    await screen.findByTestId('panel-ready');
    fireEvent.click(screen.getByTestId('dismiss-WEB-2'));
    await screen.findByText('WEB-2 marked as not a duplicate.');
    expect(host.state.candidates.find((c) => c.key === 'WEB-2')!.pairStatus).toBe('dismissed');
    fireEvent.click(screen.getByTestId('undo-WEB-2'));
    await screen.findByTestId('dismiss-WEB-2');
    expect(host.state.candidates.find((c) => c.key === 'WEB-2')!.pairStatus).toBe('pending');
    expect(host.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      '/api/pairs/WEB-1/WEB-2/dismiss',
      '/api/pairs/WEB-1/WEB-2/restore',
    ]);
  });

  it('keeps earlier dismissals in a collapsed list that can be restored', async () => {
    const host = setup((s) => {
      s.candidates[1].pairStatus = 'dismissed';
    });
    await screen.findByTestId('panel-ready');
    expect(screen.queryByTestId('candidate-WEB-2')).toBeNull();
    const toggle = screen.getByTestId('toggle-dismissed');
    expect(toggle.textContent).toMatch(/Show dismissed \(1\)/);
    fireEvent.click(toggle);
    fireEvent.click(screen.getByTestId('restore-WEB-2'));
    await screen.findByTestId('candidate-WEB-2');
    expect(host.state.candidates[1].pairStatus).toBe('pending');
  });

  it('tolerates candidates without terms or pair status', async () => {
    setup((s) => {
      const bare = candidate('OPS-1', 0.07) as Partial<ReturnType<typeof candidate>>;
      delete bare.terms;
      delete bare.pairStatus;
      delete bare.likelihood;
      delete bare.tier;
      s.candidates = [bare as ReturnType<typeof candidate>];
    });
    await screen.findByTestId('candidate-OPS-1');
    expect(screen.getByTestId('link-OPS-1')).toBeTruthy();
    expect(screen.queryByTestId('terms-OPS-1')).toBeNull();
    // No tier (a server before the two tiers): shown as likely, as every suggestion was.
    expect(screen.getByTestId('candidate-OPS-1').getAttribute('data-tier')).toBe('likely');
  });

  it('shows the empty state when nothing is similar', async () => {
    setup((s) => {
      s.candidates = [];
    });
    expect((await screen.findByTestId('empty')).textContent).toMatch(/No likely duplicates/);
    expect(screen.queryByTestId('no-likely')).toBeNull();
    expect(screen.queryByTestId('likelihood-meaning')).toBeNull();
  });

  it('shows backfill progress while still indexing', async () => {
    setup((s) => {
      s.candidates = [];
      s.status.backfill = { state: 'running', seen: 500, indexed: 420, total: 1000, rate: 12, etaSeconds: 48 };
    });
    const msg = await screen.findByTestId('indexing');
    expect(msg.textContent).toMatch(/backfill 50 %/);
    expect(screen.queryByTestId('empty')).toBeNull();
  });

  it('refreshes progress and suggestions while indexing, then stops', async () => {
    const pending: (() => void)[] = [];
    const state = defaultState();
    state.candidates = [];
    state.status.backfill = { state: 'running', seen: 100, indexed: 100, total: 1000, rate: 10, etaSeconds: 90 };
    const host = new FakeHost(state, { issueKey: 'WEB-1' });
    render(<Panel host={host} refreshMs={5} schedule={(fn) => (pending.push(fn), () => pending.splice(pending.indexOf(fn) >>> 0, 1))} />);
    expect((await screen.findByTestId('indexing')).textContent).toMatch(/backfill 10 %/);
    await waitFor(() => expect(pending).toHaveLength(1));
    state.status.backfill = { state: 'done', seen: 1000, indexed: 1000, total: 1000, rate: null, etaSeconds: 0 };
    state.candidates = [candidate('WEB-9', 0.08)];
    pending.shift()!();
    await screen.findByTestId('candidate-WEB-9');
    expect(screen.queryByTestId('indexing')).toBeNull();
    expect(pending).toHaveLength(0);
  });

  it('shows the server error and retries', async () => {
    const host = setup((s) => {
      s.failures['/api/issues/'] = { status: 503, error: 'unavailable', message: 'The index is being rebuilt.' };
    });
    const err = await screen.findByTestId('error');
    expect(err.textContent).toMatch(/The index is being rebuilt\./);
    delete host.state.failures['/api/issues/'];
    fireEvent.click(screen.getByText('Try again'));
    await screen.findByTestId('panel-ready');
  });

  it('reports a failed action with an error flag', async () => {
    const host = setup();
    await screen.findByTestId('panel-ready');
    host.state.failures['/api/pairs/'] = { status: 502, error: 'jira_error', message: 'Jira refused the link.' };
    fireEvent.click(screen.getByTestId('link-SUP-9'));
    fireEvent.click(screen.getByTestId('confirm-link-SUP-9'));
    await waitFor(() => expect(host.flags).toHaveLength(1));
    expect(host.flags[0]).toEqual({ type: 'error', title: 'Could not link the issues', body: 'Jira refused the link.' });
    expect(screen.getByTestId('confirm-link-SUP-9')).toBeTruthy();
  });

  it('asks for an issue when the URL has none', async () => {
    setup(undefined, {});
    expect((await screen.findByTestId('error')).textContent).toMatch(/no issue key/);
  });

  it('reloads when Jira reports the issue changed', async () => {
    const host = setup();
    await screen.findByTestId('panel-ready');
    host.state.candidates.unshift(candidate('OPS-5', 0.4));
    host.fireIssueChanged();
    await screen.findByTestId('candidate-OPS-5');
    expect(screen.getAllByRole('listitem')[0].getAttribute('data-testid')).toBe('candidate-OPS-5');
  });

  it('opens the issue through the host', async () => {
    const host = setup();
    await screen.findByTestId('panel-ready');
    fireEvent.click(screen.getByRole('link', { name: 'SUP-9' }));
    fireEvent.click(screen.getByRole('button', { name: 'Open WEB-2' }));
    expect(host.opened).toEqual(['SUP-9', 'WEB-2']);
  });
});

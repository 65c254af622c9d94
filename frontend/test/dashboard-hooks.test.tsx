// The dashboard's state hooks on their own: selection, the debounced filter and page of pairs, bulk actions, summary.
import { describe, expect, it } from 'vitest';
import { act, renderHook, waitFor } from '@testing-library/preact';
import { useSelection } from '../src/dashboard/useSelection';
import { usePairs } from '../src/dashboard/usePairs';
import { useBulk } from '../src/dashboard/useBulk';
import { useSummary } from '../src/dashboard/useSummary';
import { FakeHost, defaultState, pair } from './fake-host';

const a = pair('WEB-1', 'SUP-1', 0.9);
const b = pair('WEB-2', 'SUP-2', 0.8);
const c = pair('WEB-3', 'SUP-3', 0.7);

describe('useSelection', () => {
  it('toggles single pairs and the whole page, and keeps only pairs still shown', () => {
    const { result } = renderHook(() => useSelection());
    act(() => result.current.toggle('WEB-1|SUP-1'));
    expect([...result.current.selected]).toEqual(['WEB-1|SUP-1']);
    expect(result.current.allOf([a, b])).toBe(false);
    act(() => result.current.toggleAll([a, b]));
    expect(result.current.allOf([a, b])).toBe(true);
    expect(result.current.picked([a, b, c])).toEqual([a, b]);
    act(() => result.current.keepOnly([b, c]));
    expect([...result.current.selected]).toEqual(['WEB-2|SUP-2']);
    act(() => result.current.toggleAll([b]));
    expect(result.current.selected.size).toBe(0);
    expect(result.current.allOf([])).toBe(false);
    act(() => result.current.toggle('WEB-3|SUP-3'));
    act(() => result.current.clear());
    expect(result.current.selected.size).toBe(0);
  });
});

describe('usePairs', () => {
  function setup() {
    const state = defaultState();
    for (let i = 0; i < 30; i++) state.pairs.push(pair(`WEB-${100 + i}`, `SUP-${i}`, 0.9));
    const host = new FakeHost(state);
    const pages: string[][] = [];
    const hook = renderHook((p: { tick: number }) => usePairs(host, p.tick, 0, (items) => pages.push(items.map((x) => x.issue.key))), {
      initialProps: { tick: 0 },
    });
    const pairCalls = () => host.calls.filter((x) => x.path.startsWith('/api/pairs?')).map((x) => x.path);
    return { host, pages, pairCalls, ...hook };
  }

  it('loads the first page, reports it, and reloads when the tick changes', async () => {
    const { result, pages, pairCalls, rerender } = setup();
    expect(result.current.loading).toBe(true);
    await waitFor(() => expect(result.current.page?.total).toBe(30));
    expect(result.current.loading).toBe(false);
    expect(pages).toEqual([result.current.page!.items.map((x) => x.issue.key)]);
    expect(pages[0]).toHaveLength(25);
    rerender({ tick: 1 });
    await waitFor(() => expect(pairCalls()).toHaveLength(2));
    expect(pairCalls()[1]).toBe('/api/pairs?status=pending&page=1&pageSize=25');
  });

  it('moves search text into the filter after the debounce and goes back to page 1 on any other change', async () => {
    const { result, pairCalls } = setup();
    await waitFor(() => expect(result.current.page).not.toBeNull());
    act(() => result.current.update({ page: 2 }));
    await waitFor(() => expect(result.current.page?.page).toBe(2));
    act(() => result.current.setSearch('WEB-12'));
    expect(result.current.filter.q).toBe('');
    await waitFor(() => expect(result.current.filter.q).toBe('WEB-12'));
    expect(result.current.filter.page).toBe(1);
    await waitFor(() => expect(result.current.page?.total).toBe(10));
    act(() => result.current.update({ page: 2 }));
    act(() => result.current.update({ minScore: 0.5 }));
    await waitFor(() => expect(pairCalls().at(-1)).toBe('/api/pairs?status=pending&q=WEB-12&minScore=0.5&page=1&pageSize=25'));
  });

  it('reports a failed page as an error and stops loading', async () => {
    const state = defaultState();
    state.failures['/api/pairs'] = { status: 500, error: 'internal', message: 'Database unavailable.' };
    const host = new FakeHost(state);
    const { result } = renderHook(() => usePairs(host, 0, 0, () => undefined));
    await waitFor(() => expect(result.current.pageError).toBe('Database unavailable.'));
    expect(result.current.loading).toBe(false);
    expect(result.current.page).toBeNull();
  });
});

describe('useBulk', () => {
  it('sends the picked pairs, flags the count and calls onDone; a failure flags and keeps the question open', async () => {
    const state = defaultState();
    state.pairs.push(a, b);
    const host = new FakeHost(state);
    let done = 0;
    const { result } = renderHook(() => useBulk(host, () => done++));
    act(() => result.current.setAsk('dismiss'));
    await act(() => result.current.run('dismiss', [a, b]));
    expect(host.calls.at(-1)!.body).toEqual({
      action: 'dismiss',
      pairs: [
        { issue: 'WEB-1', candidate: 'SUP-1' },
        { issue: 'WEB-2', candidate: 'SUP-2' },
      ],
    });
    expect(host.flags).toEqual([{ type: 'success', title: '2 pairs dismissed', body: undefined }]);
    expect(done).toBe(1);
    expect(result.current.ask).toBeNull();
    expect(result.current.busy).toBe(false);
    state.failures['/api/pairs/bulk'] = { status: 503, error: 'unavailable', message: 'Try later.' };
    act(() => result.current.setAsk('link'));
    await act(() => result.current.run('link', [a]));
    expect(host.flags[1]).toEqual({ type: 'error', title: 'Bulk action failed', body: 'Try later.' });
    expect(done).toBe(1);
    expect(result.current.ask).toBe('link');
  });
});

describe('useSummary', () => {
  it('shows an error, and clears it when a later tick loads the summary', async () => {
    const state = defaultState();
    state.failures['/api/dashboard/summary'] = { status: 500, error: 'internal', message: 'Summary down.' };
    const host = new FakeHost(state);
    const { result, rerender } = renderHook((p: { tick: number }) => useSummary(host, p.tick), { initialProps: { tick: 0 } });
    await waitFor(() => expect(result.current.summaryError).toBe('Summary down.'));
    expect(result.current.summary).toBeNull();
    delete state.failures['/api/dashboard/summary'];
    state.summary.headline.issues = 7;
    rerender({ tick: 1 });
    await waitFor(() => expect(result.current.summary?.headline.issues).toBe(7));
    expect(result.current.summaryError).toBeNull();
  });
});

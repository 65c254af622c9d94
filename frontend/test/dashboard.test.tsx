// Review dashboard: headline, queue paging and filters, single and bulk actions, CSV export.
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { Dashboard, PAGE_SIZE } from '../src/dashboard/Dashboard';
import { shortDate, projectConfig, seriesConfig } from '../src/dashboard/charts';
import { FakeHost, defaultState, pair } from './fake-host';

function setup() {
  const state = defaultState();
  for (let i = 0; i < 30; i++) state.pairs.push(pair(`WEB-${100 + i}`, `SUP-${i}`, 0.4 - i * 0.012));
  state.pairs.push(pair('OPS-1', 'OPS-2', 0.031, 'confirmed'));
  state.summary = {
    headline: { pending: 30, confirmed: 1, dismissed: 0, issues: 412 },
    series: [
      { date: '2026-11-20', found: 4, confirmed: 1 },
      { date: '2026-11-21', found: 6, confirmed: 0 },
    ],
    byProject: [
      { project: 'WEB', found: 30, confirmed: 0 },
      { project: 'OPS', found: 1, confirmed: 1 },
    ],
  };
  const host = new FakeHost(state, { siteUrl: 'https://acme.atlassian.net' });
  const downloads: { name: string; blob: Blob }[] = [];
  render(<Dashboard host={host} debounceMs={0} download={(blob, name) => downloads.push({ blob, name })} />);
  return { host, state, downloads };
}

const lastPairsCall = (host: FakeHost) => [...host.calls].reverse().find((c) => c.path.startsWith('/api/pairs?'))!.path;

describe('Dashboard', () => {
  it('shows headline numbers and the first page of pending pairs', async () => {
    const { host } = setup();
    await screen.findByTestId('pairs-table');
    await waitFor(() => expect(screen.getByTestId('headline-pending').textContent).toBe('30'));
    expect(screen.getByTestId('headline-issues').textContent).toBe('412');
    expect(screen.getAllByRole('row')).toHaveLength(PAGE_SIZE + 1);
    expect(screen.getByTestId('page-info').textContent).toBe('Showing 1–25 of 30');
    expect(lastPairsCall(host)).toBe('/api/pairs?status=pending&page=1&pageSize=25');
    // The score of a queued pair is its likelihood.
    expect(screen.getByRole('columnheader', { name: 'Likelihood' })).toBeTruthy();
    expect(within(screen.getByTestId('pair-WEB-100-SUP-0')).getByText('40 %')).toBeTruthy();
    expect(within(screen.getByTestId('pair-WEB-124-SUP-24')).getByText('11 %')).toBeTruthy();
    expect(screen.getByRole('img', { name: /Line chart of duplicates found and confirmed per day over 2 days/ })).toBeTruthy();
  });

  it('links keys to the Jira site and opens them through the host', async () => {
    const { host } = setup();
    await screen.findByTestId('pairs-table');
    const link = screen.getByRole('link', { name: 'WEB-100' });
    expect(link.getAttribute('href')).toBe('https://acme.atlassian.net/browse/WEB-100');
    fireEvent.click(link);
    expect(host.opened).toEqual(['WEB-100']);
  });

  it('pages forward and back', async () => {
    const { host } = setup();
    await screen.findByTestId('pairs-table');
    fireEvent.click(screen.getByTestId('next-page'));
    await waitFor(() => expect(screen.getByTestId('page-info').textContent).toBe('Showing 26–30 of 30'));
    expect(lastPairsCall(host)).toContain('page=2');
    expect((screen.getByTestId('next-page') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId('prev-page'));
    await waitFor(() => expect(screen.getByTestId('page-info').textContent).toBe('Showing 1–25 of 30'));
  });

  it('filters by search, project, status and likelihood', async () => {
    const { host } = setup();
    await screen.findByTestId('pairs-table');
    fireEvent.input(screen.getByLabelText('Search'), { target: { value: 'WEB-105' } });
    await waitFor(() => expect(screen.getByTestId('page-info').textContent).toBe('Showing 1–1 of 1'));
    expect(lastPairsCall(host)).toContain('q=WEB-105');
    fireEvent.input(screen.getByLabelText('Search'), { target: { value: '' } });
    await waitFor(() => expect(screen.getByTestId('page-info').textContent).toBe('Showing 1–25 of 30'));
    await waitFor(() => expect(within(screen.getByLabelText('Project')).getAllByRole('option')).toHaveLength(3));
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'confirmed' } });
    await screen.findByTestId('pair-OPS-1-OPS-2');
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('Project'), { target: { value: 'OPS' } });
    await waitFor(() => expect(screen.getByTestId('page-info').textContent).toBe('Showing 1–1 of 1'));
    const min = screen.getByLabelText('Minimum likelihood');
    expect(within(min).getAllByRole('option').map((o) => o.textContent!.replace(/\u00a0/g, ' '))).toEqual([
      'Any',
      '2 % or more',
      '5 % or more',
      '10 % or more',
      '20 % or more',
      '40 % or more',
    ]);
    fireEvent.change(min, { target: { value: '0.02' } });
    await waitFor(() => expect(lastPairsCall(host)).toBe('/api/pairs?project=OPS&minScore=0.02&page=1&pageSize=25'));
    await screen.findByTestId('pair-OPS-1-OPS-2');
    fireEvent.change(min, { target: { value: '0.05' } });
    await screen.findByTestId('queue-empty');
    expect(lastPairsCall(host)).toBe('/api/pairs?project=OPS&minScore=0.05&page=1&pageSize=25');
  });

  it('marks one pair as duplicate and dismisses another', async () => {
    const { host, state } = setup();
    await screen.findByTestId('pairs-table');
    fireEvent.click(screen.getByTestId('row-link-WEB-100|SUP-0'));
    await waitFor(() => expect(host.flags.map((f) => f.title)).toEqual(['Marked as duplicate']));
    expect(host.calls.some((c) => c.method === 'POST' && c.path === '/api/pairs/WEB-100/SUP-0/link')).toBe(true);
    fireEvent.click(screen.getByTestId('row-dismiss-WEB-101|SUP-1'));
    await waitFor(() => expect(host.flags).toHaveLength(2));
    expect(host.calls.some((c) => c.method === 'POST' && c.path === '/api/pairs/WEB-101/SUP-1/dismiss')).toBe(true);
    expect(state.pairs.slice(0, 2).map((x) => x.status)).toEqual(['confirmed', 'dismissed']);
    await waitFor(() => expect(screen.getByTestId('page-info').textContent).toBe('Showing 1–25 of 28'));
  });

  it('selects pairs and applies a bulk action after confirmation', async () => {
    const { host, state } = setup();
    state.pairs = state.pairs.slice(0, 3);
    fireEvent.change(await screen.findByLabelText('Status'), { target: { value: 'pending' } });
    await screen.findByTestId('pairs-table');
    fireEvent.click(screen.getByLabelText('Select WEB-100 and SUP-0'));
    fireEvent.click(screen.getByLabelText('Select WEB-102 and SUP-2'));
    expect(within(screen.getByTestId('bulk-bar')).getByText('2 selected')).toBeTruthy();
    fireEvent.click(screen.getByTestId('bulk-link'));
    expect(screen.getByText('Link 2 selected pairs as duplicates in Jira?')).toBeTruthy();
    fireEvent.click(screen.getByTestId('bulk-confirm'));
    await waitFor(() => expect(host.flags.map((f) => f.title)).toEqual(['2 pairs marked as duplicates']));
    expect(host.calls.find((c) => c.path === '/api/pairs/bulk')!.body).toEqual({
      action: 'link',
      pairs: [
        { issue: 'WEB-100', candidate: 'SUP-0' },
        { issue: 'WEB-102', candidate: 'SUP-2' },
      ],
    });
    await waitFor(() => expect(screen.getByTestId('page-info').textContent).toBe('Showing 1–1 of 1'));
    expect(screen.queryByTestId('bulk-bar')).toBeNull();
  });

  it('select-all picks every pair on the page', async () => {
    setup();
    await screen.findByTestId('pairs-table');
    fireEvent.click(screen.getByLabelText('Select all pairs on this page'));
    expect(within(screen.getByTestId('bulk-bar')).getByText(`${PAGE_SIZE} selected`)).toBeTruthy();
  });

  it('exports the filtered pairs as CSV through the authenticated host', async () => {
    const { host, downloads } = setup();
    await screen.findByTestId('pairs-table');
    fireEvent.click(screen.getByTestId('export-csv'));
    await waitFor(() => expect(downloads).toHaveLength(1));
    expect(downloads[0].name).toMatch(/^doppel-pairs-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = await downloads[0].blob.text();
    expect(text.split('\n')[0]).toBe('issue,candidate,score,status');
    expect(text.trim().split('\n')).toHaveLength(31);
    expect(host.calls.find((c) => c.path.startsWith('/api/pairs.csv'))!.path).toBe('/api/pairs.csv?status=pending');
  });

  it('shows errors from the queue', async () => {
    const state = defaultState();
    state.failures['/api/pairs'] = { status: 500, error: 'internal', message: 'Database unavailable.' };
    render(<Dashboard host={new FakeHost(state)} debounceMs={0} />);
    expect((await screen.findByText('Database unavailable.')).textContent).toBe('Database unavailable.');
  });
});

describe('chart configs', () => {
  it('maps series and projects to datasets with token colours', () => {
    const colors = { found: '#111', confirmed: '#222', text: '#333', grid: '#444' };
    const s = seriesConfig([{ date: '2026-11-08', found: 3, confirmed: 1 }], colors);
    expect(s.data.labels).toEqual(['Nov 8']);
    expect(s.data.datasets.map((d) => [d.label, d.data, d.borderColor])).toEqual([
      ['Found', [3], '#111'],
      ['Confirmed', [1], '#222'],
    ]);
    const p = projectConfig([{ project: 'WEB', found: 5, confirmed: 2 }], colors);
    expect(p.data.labels).toEqual(['WEB']);
    expect(p.data.datasets[1].data).toEqual([2]);
    expect(shortDate('not a date')).toBe('not a date');
  });
});

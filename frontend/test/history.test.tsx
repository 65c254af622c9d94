// The dashboard's History card: who did what to which pair and when, erased accounts, older pages, errors.
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { Dashboard } from '../src/dashboard/Dashboard';
import { actionText, actorText } from '../src/dashboard/HistorySection';
import type { HistoryItem } from '../src/api';
import { FakeHost, defaultState } from './fake-host';

const ACCOUNT = '5b10ac8d82e05b22cc7d4e01';
const ref = (key: string) => ({ key, summary: `Summary of ${key}`, project: key.split('-')[0], status: 'To Do' });
const item = (id: number, action: HistoryItem['action'], by: string | null, bulk = false): HistoryItem => ({
  id,
  action,
  bulk,
  by,
  at: `2026-11-${String(10 + (id % 20)).padStart(2, '0')}T10:00:00.000Z`,
  issue: ref(`WEB-${id}`),
  candidate: ref(`SUP-${id}`),
});

function setup(history: HistoryItem[], failures: Record<string, { status: number; error: string; message: string }> = {}) {
  const state = defaultState();
  state.history = history;
  state.failures = failures;
  const host = new FakeHost(state, { siteUrl: 'https://acme.atlassian.net' });
  render(<Dashboard host={host} debounceMs={0} download={() => undefined} />);
  return host;
}

// The card loads nothing until the reader opens it.
async function open(host: FakeHost) {
  const toggle = await screen.findByTestId('history-toggle');
  expect(toggle.getAttribute('aria-expanded')).toBe('false');
  expect(host.calls.some((c) => c.path.startsWith('/api/history'))).toBe(false);
  fireEvent.click(toggle);
  expect(toggle.getAttribute('aria-expanded')).toBe('true');
}

describe('History', () => {
  it('lists who did what to which pair, newest first, with links to both issues', { timeout: 20_000 }, async () => {
    const host = setup([item(3, 'link', ACCOUNT), item(2, 'dismiss', ACCOUNT, true), item(1, 'restore', null)]);
    await open(host);
    const table = await screen.findByTestId('history-table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(within(rows[0]).getByText('Linked as duplicate')).toBeTruthy();
    expect(within(rows[1]).getByText('Dismissed (bulk)')).toBeTruthy();
    expect(within(rows[0]).getByText(ACCOUNT).getAttribute('data-account-id')).toBe(ACCOUNT);
    // An account Atlassian reported closed is shown as erased, never as an id.
    expect(within(rows[2]).getByText('Erased account')).toBeTruthy();
    expect(rows[2].textContent).not.toContain(ACCOUNT);
    expect(within(rows[0]).getByRole('link', { name: 'WEB-3' }).getAttribute('href')).toBe('https://acme.atlassian.net/browse/WEB-3');
    expect(within(rows[0]).getByRole('link', { name: 'SUP-3' })).toBeTruthy();
    expect(rows[0].querySelector('time')?.getAttribute('datetime')).toBe('2026-11-13T10:00:00.000Z');
    expect(host.calls.some((c) => c.path === '/api/history?limit=20')).toBe(true);
    expect(screen.queryByTestId('history-more')).toBeNull();
  });

  it('pages to older actions with the cursor the server gave', { timeout: 20_000 }, async () => {
    const history = Array.from({ length: 25 }, (_, i) => item(25 - i, 'dismiss', ACCOUNT));
    const host = setup(history);
    await open(host);
    const table = await screen.findByTestId('history-table');
    expect(within(table).getAllByRole('row')).toHaveLength(21);
    fireEvent.click(screen.getByTestId('history-more'));
    await waitFor(() => expect(within(screen.getByTestId('history-table')).getAllByRole('row')).toHaveLength(26));
    expect(host.calls.some((c) => c.path === '/api/history?limit=20&before=6')).toBe(true);
    expect(screen.queryByTestId('history-more')).toBeNull();
  });

  it('says so when there is nothing yet, and closes again', async () => {
    await open(setup([]));
    expect(await screen.findByTestId('history-empty')).toBeTruthy();
    fireEvent.click(screen.getByTestId('history-toggle'));
    expect(screen.queryByTestId('history-empty')).toBeNull();
  });

  it('shows the error message of a failed load', async () => {
    await open(
      setup([item(1, 'link', ACCOUNT)], {
        '/api/history': { status: 503, error: 'permission_check_failed', message: 'Jira could not check your permissions.' },
      }),
    );
    expect(await screen.findByText('Jira could not check your permissions.')).toBeTruthy();
    expect(screen.queryByTestId('history-table')).toBeNull();
  });

  it('names actions and actors', () => {
    expect(actionText(item(1, 'restore', ACCOUNT))).toBe('Restored');
    expect(actionText(item(1, 'link', ACCOUNT, true))).toBe('Linked as duplicate (bulk)');
    expect(actorText(null)).toBe('Erased account');
    expect(actorText(ACCOUNT)).toBe(ACCOUNT);
  });
});

// Admin page: load and save settings, validation, not-admin message, backfill progress polling, data deletion.
import { describe, expect, it } from 'vitest';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { Admin, humanizeKey, parseList, validateConfig } from '../src/admin/Admin';
import { FakeHost, defaultState } from './fake-host';

describe('parseList / validateConfig', () => {
  it('splits, trims, de-duplicates and upper-cases project keys', () => {
    expect(parseList(' web, SUP,,web ,ops ', true)).toEqual(['WEB', 'SUP', 'OPS']);
    expect(parseList('Bug, Story ,Bug', false)).toEqual(['Bug', 'Story']);
  });
  it('labels statistics readably', () => {
    expect(humanizeKey('pendingPairs')).toBe('Pending pairs');
    expect(humanizeKey('inbox_pending')).toBe('Inbox pending');
    expect(humanizeKey('backfillSeen')).toBe('Backfill seen');
  });
  it('rejects bad thresholds, weights and project keys', () => {
    const c = defaultState().config;
    expect(validateConfig(c)).toEqual({});
    expect(validateConfig({ ...c, threshold: 1.5 }).threshold).toBeTruthy();
    expect(validateConfig({ ...c, fieldWeights: { ...c.fieldWeights, labels: -1 } })['weight-labels']).toBeTruthy();
    expect(validateConfig({ ...c, projects: ['WEB', '1X'] }).projects).toMatch(/1X/);
    const zero = { summary: 0, description: 0, environment: 0, components: 0, labels: 0 };
    expect(validateConfig({ ...c, fieldWeights: zero })['weight-summary']).toMatch(/At least one/);
  });
});

describe('Admin page', () => {
  it('loads settings into labelled controls and saves changes', async () => {
    const state = defaultState();
    state.config.projects = ['WEB'];
    const host = new FakeHost(state);
    render(<Admin host={host} />);
    await screen.findByTestId('settings-form');
    expect((screen.getByLabelText(/Similarity threshold/) as HTMLInputElement).value).toBe('0.35');
    expect((screen.getByLabelText('Projects') as HTMLInputElement).value).toBe('WEB');
    fireEvent.input(screen.getByLabelText(/Similarity threshold/), { target: { value: '0.6' } });
    expect(screen.getByText('Similarity threshold: 60%')).toBeTruthy();
    fireEvent.input(screen.getByLabelText('Description'), { target: { value: '2.5' } });
    fireEvent.input(screen.getByLabelText('Projects'), { target: { value: 'web, ops' } });
    fireEvent.input(screen.getByLabelText('Issue types'), { target: { value: 'Bug' } });
    fireEvent.click(screen.getByLabelText('Suggest duplicates across projects'));
    fireEvent.click(screen.getByLabelText('Comment on new issues that look like duplicates'));
    fireEvent.change(screen.getByLabelText('Rescan schedule'), { target: { value: 'weekly' } });
    fireEvent.click(screen.getByTestId('save'));
    await waitFor(() => expect(host.flags).toEqual([{ type: 'success', title: 'Settings saved', body: undefined }]));
    const put = host.calls.find((c) => c.method === 'PUT');
    expect(put?.path).toBe('/api/admin/config');
    expect(put?.body).toEqual({
      threshold: 0.6,
      fieldWeights: { summary: 3, description: 2.5, environment: 0.5, components: 1, labels: 1 },
      projects: ['WEB', 'OPS'],
      issueTypes: ['Bug'],
      crossProject: false,
      commentOnCreate: true,
      rescanSchedule: 'weekly',
    });
  });

  it('shows field errors and does not save invalid settings', async () => {
    const host = new FakeHost();
    render(<Admin host={host} />);
    await screen.findByTestId('settings-form');
    fireEvent.input(screen.getByLabelText('Projects'), { target: { value: 'WEB, 9-bad' } });
    fireEvent.click(screen.getByTestId('save'));
    expect((await screen.findByRole('alert')).textContent).toMatch(/9-BAD/);
    expect(host.calls.some((c) => c.method === 'PUT')).toBe(false);
  });

  it('tells a non-admin clearly and hides the controls', async () => {
    const state = defaultState();
    state.admin = false;
    render(<Admin host={new FakeHost(state)} />);
    const msg = await screen.findByTestId('not-admin');
    expect(msg.textContent).toMatch(/Only Jira administrators can change Doppel settings/);
    expect(screen.queryByTestId('backfill-start')).toBeNull();
    expect(screen.queryByTestId('delete-data')).toBeNull();
  });

  it('shows index statistics', async () => {
    render(<Admin host={new FakeHost()} />);
    await waitFor(() => expect(screen.getByTestId('stat-issues').textContent).toBe('10'));
    expect(screen.getByTestId('stat-terms').textContent).toBe('120');
    expect(screen.getByTestId('stat-last-event').textContent).toMatch(/2026/);
    expect(screen.getByText('Pairs')).toBeTruthy();
  });

  it('starts a backfill and polls live progress until it is done', async () => {
    const pending: { fn: () => void; ms: number }[] = [];
    const schedule = (fn: () => void, ms: number) => {
      const job = { fn, ms };
      pending.push(job);
      return () => pending.splice(pending.indexOf(job) >>> 0, 1);
    };
    const tick = async () => {
      const job = pending.shift();
      expect(job?.ms).toBe(1000);
      await act(async () => job!.fn());
    };
    const state = defaultState();
    state.status.backfill = { state: 'idle', seen: 0, indexed: 0, total: null, rate: null, etaSeconds: null };
    const host = new FakeHost(state);
    render(<Admin host={host} pollMs={1000} schedule={schedule} />);
    fireEvent.click(await screen.findByTestId('backfill-start'));
    await screen.findByTestId('backfill-stop');
    expect(host.calls.some((c) => c.method === 'POST' && c.path === '/api/admin/backfill')).toBe(true);
    expect(pending).toHaveLength(1);
    state.status.backfill = { state: 'running', seen: 300, indexed: 250, total: 1000, rate: 50, etaSeconds: 15 };
    await tick();
    await waitFor(() => expect(screen.getByTestId('backfill-progress-text').textContent).toMatch(/250 of 1,000 issues \(25 %\)/));
    expect(screen.getByRole('progressbar', { name: 'Backfill progress' }).getAttribute('aria-valuenow')).toBe('25');
    expect(screen.getByText('ETA 15 s')).toBeTruthy();
    expect(screen.queryByTestId('backfill-waiting')).toBeNull();
    const message = 'Waiting for Jira: the app system token Forge last sent has expired.';
    state.status.backfill = { state: 'running', seen: 300, indexed: 250, total: 1000, rate: 50, etaSeconds: 15, waiting: { reason: 'forge_token_expired', message } };
    await waitFor(() => expect(pending).toHaveLength(1));
    await tick();
    await waitFor(() => expect(screen.getByTestId('backfill-waiting').textContent).toBe(message));
    state.status.backfill = { state: 'done', seen: 1000, indexed: 1000, total: 1000, rate: null, etaSeconds: 0 };
    await waitFor(() => expect(pending).toHaveLength(1));
    await tick();
    await screen.findByTestId('backfill-start');
    expect(screen.getByTestId('backfill-state').textContent).toBe('done');
    expect(pending).toHaveLength(0);
  });

  it('deletes data only after typing DELETE', async () => {
    const host = new FakeHost();
    render(<Admin host={host} />);
    const btn = (await screen.findByTestId('delete-data')) as HTMLButtonElement;
    expect(btn.disabled).toBe(true);
    fireEvent.input(screen.getByLabelText('Type DELETE to confirm'), { target: { value: 'delete' } });
    expect(btn.disabled).toBe(true);
    fireEvent.input(screen.getByLabelText('Type DELETE to confirm'), { target: { value: 'DELETE' } });
    expect(btn.disabled).toBe(false);
    fireEvent.click(btn);
    await waitFor(() => expect(host.flags.map((f) => f.title)).toEqual(['Indexed data deleted']));
    expect(host.calls.some((c) => c.method === 'POST' && c.path === '/api/admin/delete-data')).toBe(true);
  });
});

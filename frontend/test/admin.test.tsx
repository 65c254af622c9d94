// Admin page: settings (the threshold's meaning from the curve), validation, not-admin, backfill in words and polling, deletion.
import { describe, expect, it } from 'vitest';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { Admin, humanizeKey, parseList, validateConfig } from '../src/admin/Admin';
import { describeBackfill } from '../src/admin/backfillText';
import { cleanCurve, curveAt, fromPosition, thresholdBounds, thresholdMeaning, toPosition } from '../src/admin/threshold';
import type { BackfillStatus, StatusResponse } from '../src/api';
import { FakeHost, defaultState } from './fake-host';

const plain = (text: string | null | undefined) => (text ?? '').replace(/\u00a0/g, ' ');

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

describe('threshold curve', () => {
  const curve = defaultState().curve;
  it('interpolates linearly between the points around a threshold', () => {
    expect(curveAt(curve, 0.016)).toEqual({ duplicatesFound: 0.433, falseFlagsPerCleanIssue: 0.449 });
    const mid = curveAt(curve, 0.013)!; // 0.01 → 0.016, half way
    expect(mid.duplicatesFound).toBeCloseTo((0.49 + 0.433) / 2, 10);
    expect(mid.falseFlagsPerCleanIssue).toBeCloseTo((0.726 + 0.449) / 2, 10);
    expect(curveAt(curve, 0.005)).toEqual({ duplicatesFound: 0.587, falseFlagsPerCleanIssue: 1.401 });
    expect(curveAt(curve, 0.5)).toEqual({ duplicatesFound: 0.018, falseFlagsPerCleanIssue: 0.002 });
    expect(curveAt(curve, 0.6)).toBeNull();
    expect(curveAt([], 0.016)).toBeNull();
  });
  it('words what a threshold means, and says when it is outside the measured range', () => {
    expect(plain(thresholdMeaning(curve, 0.013))).toBe(
      'At 1.3 %: on Apache Jira reference data, Doppel flags 46 % of filed duplicates as likely and shows 0.59 false flags per issue that has none.',
    );
    expect(plain(thresholdMeaning(curve, 0.7))).toBe('At 70 %: outside the range Doppel was measured on (0.5 % to 50 %).');
    expect(thresholdMeaning([], 0.016)).toBe('');
  });
  it('sorts the curve and drops malformed points', () => {
    const raw = [{ threshold: 0.1, duplicatesFound: 0.2, falseFlagsPerCleanIssue: 0.06 }, { threshold: 'x' }, null, curve[0]];
    expect(cleanCurve(raw).map((p) => p.threshold)).toEqual([0.005, 0.1]);
    expect(cleanCurve(undefined)).toEqual([]);
  });
  it('maps slider positions on a log scale between the curve ends, every step moving the threshold', () => {
    const b = thresholdBounds(curve);
    expect(b).toEqual({ min: 0.005, max: 0.5 });
    expect(fromPosition(0, b)).toBe(0.005);
    expect(fromPosition(100, b)).toBe(0.5);
    expect(fromPosition(50, b)).toBe(0.05);
    expect(toPosition(0.05, b)).toBeCloseTo(50, 10);
    for (let p = 0; p < 100; p++) {
      const t = fromPosition(p, b);
      expect(fromPosition(p + 1, b)).toBeGreaterThan(t);
      expect(Math.round(toPosition(t, b))).toBe(p); // a stored value shows at its own position
    }
    expect(thresholdBounds([])).toEqual({ min: 0.001, max: 1 });
  });
});

describe('backfill in words', () => {
  const status = (b: Partial<BackfillStatus>, issues = 6): StatusResponse => ({
    backfill: { state: 'idle', seen: 0, indexed: 0, total: null, rate: null, etaSeconds: null, waiting: null, ...b },
    index: { issues, terms: 50, lastEventAt: null },
  });
  const words = (s: StatusResponse) => {
    const v = describeBackfill(s);
    return { phase: v.phase, title: plain(v.title), detail: plain(v.detail), percent: v.percent };
  };
  it('idle: never ran', () => {
    expect(words(status({}))).toEqual({
      phase: 'idle',
      title: 'No backfill has run yet; 6 issues indexed from Jira events.',
      detail: 'Start a backfill to index the site’s existing issues.',
      percent: 0,
    });
    expect(words(status({}, 0)).title).toBe('No backfill has run yet, and no issues are indexed.');
  });
  it('running: progress against Jira’s estimate with the time left, or the count read so far', () => {
    expect(words(status({ state: 'running', seen: 1200, indexed: 1200, total: 5000, rate: 20, etaSeconds: 190 }))).toEqual({
      phase: 'running',
      title: 'Backfilling: 1,200 of about 5,000 issues (24 %), about 3 min left.',
      detail: '',
      percent: 24,
    });
    expect(words(status({ state: 'running', seen: 300, indexed: 300 })).title).toBe('Backfilling: 300 issues read so far.');
    expect(words(status({ state: 'running', seen: 300, indexed: 300 })).percent).toBeNull();
    expect(words(status({ state: 'running', seen: 6100, indexed: 6100, total: 5000 })).title).toBe('Backfilling: 6,100 issues read so far.');
    expect(words(status({ state: 'running' })).title).toBe('Backfill starting: waiting for the first issues from Jira.');
  });
  it('waiting: why, in the server’s words', () => {
    const message = 'Waiting for Jira: Forge has not sent Doppel an app system token yet.';
    expect(words(status({ state: 'running', seen: 200, total: 1000, waiting: { reason: 'forge_token_missing', message } }))).toEqual({
      phase: 'waiting',
      title: 'Backfill paused after reading 200 of about 1,000 issues (20 %).',
      detail: message,
      percent: 20,
    });
    expect(words(status({ state: 'running', waiting: { reason: 'forge_token_missing', message } })).title).toBe(
      'Backfill paused before reading any issues.',
    );
  });
  it('done: what was read and what is indexed, also when everything was already indexed from events', () => {
    expect(words(status({ state: 'done', seen: 6, indexed: 0 }))).toEqual({
      phase: 'done',
      title: 'Backfill finished: 6 issues read from Jira; 6 issues indexed.',
      detail: 'All of them were already up to date in the index.',
      percent: 100,
    });
    expect(words(status({ state: 'done', seen: 1, indexed: 1 }, 1))).toMatchObject({ title: 'Backfill finished: 1 issue read from Jira; 1 issue indexed.', detail: '' });
    expect(words(status({ state: 'done', seen: 10, indexed: 4 }, 12)).detail).toBe('4 of them were new or changed; the others were already up to date.');
    expect(words(status({ state: 'done' }))).toMatchObject({ title: 'Backfill finished: Jira returned no issues to read.', detail: '6 issues indexed from Jira events.' });
  });
  it('stopped and failed: how far it got and what to do', () => {
    expect(words(status({ state: 'stopped', seen: 300, indexed: 300, total: 1000 }, 306))).toEqual({
      phase: 'stopped',
      title: 'Backfill stopped after reading 300 of about 1,000 issues (30 %).',
      detail: '306 issues indexed. Starting the backfill again reads the site’s issues from the beginning.',
      percent: 30,
    });
    expect(words(status({ state: 'stopped' })).title).toBe('Backfill stopped before reading any issues.');
    expect(words(status({ state: 'failed', seen: 40, indexed: 40 }))).toEqual({
      phase: 'failed',
      title: 'Backfill failed after reading 40 issues.',
      detail: '6 issues indexed. Start the backfill again to retry.',
      percent: 0,
    });
  });
});

describe('Admin page', () => {
  it('loads settings into labelled controls and saves changes, never sending the curve back', async () => {
    const state = defaultState();
    state.config.projects = ['WEB'];
    const host = new FakeHost(state);
    render(<Admin host={host} />);
    await screen.findByTestId('settings-form');
    const slider = screen.getByLabelText(/Likely-duplicate threshold/) as HTMLInputElement;
    expect(plain(slider.getAttribute('aria-valuetext'))).toBe('1.6 %');
    expect(plain(screen.getByTestId('threshold-meaning').textContent)).toBe(
      'At 1.6 %: on Apache Jira reference data, Doppel flags 43 % of filed duplicates as likely and shows 0.45 false flags per issue that has none.',
    );
    expect((screen.getByLabelText('Projects') as HTMLInputElement).value).toBe('WEB');
    // The slider is logarithmic between the curve's ends (0.5 % and 50 %): half way is 5 %.
    fireEvent.input(slider, { target: { value: '50' } });
    expect(plain(screen.getByText(/^Likely-duplicate threshold:/).textContent)).toBe('Likely-duplicate threshold: 5 %');
    expect(plain(screen.getByTestId('threshold-meaning').textContent)).toMatch(/^At 5 %: .* flags 34 % of filed duplicates as likely and shows 0.29 false flags/);
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
      threshold: 0.05,
      fieldWeights: { summary: 3, description: 2.5, environment: 0.5, components: 1, labels: 1 },
      projects: ['WEB', 'OPS'],
      issueTypes: ['Bug'],
      crossProject: false,
      commentOnCreate: true,
      rescanSchedule: 'weekly',
    });
    // Saving again sends the settings only (the answer's curve stays read-only).
    fireEvent.click(screen.getByTestId('save'));
    await waitFor(() => expect(host.flags).toHaveLength(2));
    expect(host.flags[1].title).toBe('Settings saved');
    expect(host.calls.filter((c) => c.method === 'PUT').at(-1)!.body).not.toHaveProperty('thresholdCurve');
    expect(screen.getByTestId('threshold-meaning').textContent).toMatch(/^At 5/);
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
    await waitFor(() =>
      expect(plain(screen.getByTestId('backfill-summary').textContent)).toBe('Backfilling: 300 of about 1,000 issues (30 %), about 15 s left.'),
    );
    expect(screen.getByRole('progressbar', { name: 'Backfill progress' }).getAttribute('aria-valuenow')).toBe('30');
    expect(screen.getByTestId('backfill-detail').textContent).toBe('250 of them were new or changed; the others were already up to date.');
    expect(screen.queryByTestId('backfill-waiting')).toBeNull();
    const message = 'Waiting for Jira: the app system token Forge last sent has expired.';
    state.status.backfill = { state: 'running', seen: 300, indexed: 250, total: 1000, rate: 50, etaSeconds: 15, waiting: { reason: 'forge_token_expired', message } };
    await waitFor(() => expect(pending).toHaveLength(1));
    await tick();
    await waitFor(() => expect(screen.getByTestId('backfill-waiting').textContent).toBe(message));
    expect(plain(screen.getByTestId('backfill-summary').textContent)).toBe('Backfill paused after reading 300 of about 1,000 issues (30 %).');
    state.status.backfill = { state: 'done', seen: 1000, indexed: 1000, total: 1000, rate: null, etaSeconds: 0 };
    state.status.index.issues = 1000;
    await waitFor(() => expect(pending).toHaveLength(1));
    await tick();
    await screen.findByTestId('backfill-start');
    expect(screen.getByTestId('backfill-summary').textContent).toBe('Backfill finished: 1,000 issues read from Jira; 1,000 issues indexed.');
    expect(screen.getByTestId('backfill').getAttribute('data-state')).toBe('done');
    expect(pending).toHaveLength(0);
  });

  it('leaves the backfill numbers out of the index statistics (the backfill card words them)', async () => {
    const state = defaultState();
    state.stats = { issues: 6, terms: 40, pendingPairs: 2, backfillState: 'done', backfillSeen: 6, backfillIndexed: 0 };
    render(<Admin host={new FakeHost(state)} />);
    await screen.findByText('Pending pairs');
    expect(screen.queryByText(/Backfill indexed/)).toBeNull();
    expect(screen.queryByText(/Backfill seen/)).toBeNull();
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

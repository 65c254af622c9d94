// axe-core accessibility audit of each page in its main states (jsdom: structure, names, roles, ARIA).
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/preact';
import axe from 'axe-core';
import { Panel } from '../src/panel/Panel';
import { Admin } from '../src/admin/Admin';
import { Dashboard } from '../src/dashboard/Dashboard';
import { FakeHost, candidate, defaultState, pair } from './fake-host';

async function audit(container: Element) {
  const result = await axe.run(container, {
    // jsdom cannot lay out or paint: contrast is checked from the tokens (contrast.test.ts) and in Chromium (e2e).
    rules: { 'color-contrast': { enabled: false } },
    resultTypes: ['violations'],
  });
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

describe('accessibility (axe-core)', () => {
  it('discriminates: an unlabelled control and an empty button are reported', async () => {
    const { container } = render(
      <main>
        <input type="text" />
        <button type="button" />
      </main>,
    );
    const found = await audit(container);
    expect(found.some((v) => v.startsWith('label:'))).toBe(true);
    expect(found.some((v) => v.startsWith('button-name:'))).toBe(true);
  });

  it('panel with candidates, terms open and a confirmation', async () => {
    const state = defaultState();
    state.candidates = [candidate('SUP-9', 0.3), candidate('OPS-4', 0.008), candidate('WEB-2', 0.041, { pairStatus: 'dismissed' })];
    state.status.backfill = { state: 'running', seen: 5, indexed: 5, total: 10, rate: 1, etaSeconds: 5 };
    const { container } = render(<Panel host={new FakeHost(state)} />);
    await screen.findByTestId('panel-ready');
    fireEvent.click(screen.getByTestId('terms-SUP-9'));
    fireEvent.click(screen.getByTestId('link-SUP-9'));
    fireEvent.click(screen.getByTestId('toggle-dismissed'));
    expect(await audit(container)).toEqual([]);
  });

  it('panel with related issues only', async () => {
    const state = defaultState();
    state.candidates = [candidate('OPS-4', 0.008), candidate('OPS-5', 0.002)];
    const { container } = render(<Panel host={new FakeHost(state)} />);
    await screen.findByTestId('no-likely');
    expect(await audit(container)).toEqual([]);
  });

  it('panel error state', async () => {
    const state = defaultState();
    state.failures['/api/issues/'] = { status: 500, error: 'internal_error', message: 'Boom.' };
    const { container } = render(<Panel host={new FakeHost(state)} />);
    await screen.findByTestId('error');
    expect(await audit(container)).toEqual([]);
  });

  it('admin page', async () => {
    const state = defaultState();
    state.status.backfill = { state: 'running', seen: 5, indexed: 5, total: 10, rate: 1, etaSeconds: 5 };
    const { container } = render(<Admin host={new FakeHost(state)} schedule={() => () => undefined} />);
    await screen.findByTestId('settings-form');
    await screen.findByTestId('backfill');
    expect(await audit(container)).toEqual([]);
  });

  it('dashboard with a selection', async () => {
    const state = defaultState();
    state.pairs = [pair('WEB-1', 'SUP-2', 0.2), pair('WEB-3', 'SUP-4', 0.03, 'dismissed')];
    state.summary = { headline: { pending: 1, confirmed: 0, dismissed: 1, issues: 4 }, series: [], byProject: [] };
    const { container } = render(<Dashboard host={new FakeHost(state, { siteUrl: 'https://acme.atlassian.net' })} debounceMs={0} />);
    await screen.findByTestId('pairs-table');
    fireEvent.click(screen.getByLabelText('Select WEB-1 and SUP-2'));
    fireEvent.click(screen.getByTestId('bulk-link'));
    expect(await audit(container)).toEqual([]);
  });
});

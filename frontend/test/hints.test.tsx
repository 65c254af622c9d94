// The admin page says whether the create-dialog hints are active (GET /api/admin/stats → createDialogHints).
import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/preact';
import { Admin } from '../src/admin/Admin';
import { describeHints } from '../src/admin/hintsText';
import { FakeHost, defaultState } from './fake-host';

const hints = (state: string, more: Partial<{ scope: 'all' | 'projects' | null; projects: number; contexts: number; reason: string | null }> = {}) =>
  ({ state, scope: null, projects: 0, contexts: 0, reason: null, ...more });

describe('describeHints', () => {
  it('says where hints are active', () => {
    expect(describeHints(hints('active', { scope: 'all', contexts: 7 }))).toBe('Create-dialog hints: active for all projects');
    expect(describeHints(hints('active', { scope: 'projects', projects: 3, contexts: 3 }))).toBe('Create-dialog hints: active for 3 projects');
    expect(describeHints(hints('active', { scope: 'projects', projects: 1, contexts: 1 }))).toBe('Create-dialog hints: active for 1 project');
  });
  it('says why they are not active', () => {
    expect(describeHints(hints('unsupported', { reason: 'connect_no_hook' }))).toBe(
      "Create-dialog hints: not active: Connect apps have no hook in Jira's create dialog; install Doppel as a Forge app to get them");
    expect(describeHints(hints('inactive', { scope: 'projects', reason: 'no_known_project' }))).toBe(
      'Create-dialog hints: not active: none of the projects in the project scope exists in Jira');
    expect(describeHints(hints('waiting', { reason: 'forge_token_missing' }))).toMatch(/^Create-dialog hints: not active: waiting for Forge/);
    expect(describeHints(hints('failed', { reason: 'jira_forbidden' }))).toBe('Create-dialog hints: not active: Jira refused to register them (403)');
    expect(describeHints(hints('failed', { reason: 'something_new' }))).toBe('Create-dialog hints: not active: something_new');
    expect(describeHints(hints('removed'))).toBe('Create-dialog hints: not active: removed when the app was uninstalled');
    expect(describeHints(hints('pending', { reason: 'not_synced' }))).toBe('Create-dialog hints: being registered with Jira');
  });
  it('says nothing without the field (an older server)', () => {
    expect(describeHints(undefined)).toBe('');
    expect(describeHints(null)).toBe('');
  });
});

describe('admin page', () => {
  it('shows the hints state from the stats', async () => {
    const state = defaultState();
    state.stats = { issues: 6, terms: 40, createDialogHints: hints('active', { scope: 'projects', projects: 2, contexts: 2 }) };
    render(<Admin host={new FakeHost(state)} />);
    expect((await screen.findByTestId('create-dialog-hints')).textContent).toBe('Create-dialog hints: active for 2 projects');
    expect(screen.queryByText(/Create dialog hints/)).toBeNull(); // not listed again as a raw statistic
  });
  it('tells a Connect site there is no create-dialog hook', async () => {
    const state = defaultState();
    state.stats = { issues: 6, terms: 40, createDialogHints: hints('unsupported', { reason: 'connect_no_hook' }) };
    render(<Admin host={new FakeHost(state)} />);
    expect((await screen.findByTestId('create-dialog-hints')).textContent).toMatch(/not active: Connect apps have no hook/);
  });
  it('shows no hints line when the server does not report them', async () => {
    render(<Admin host={new FakeHost(defaultState())} />);
    await screen.findByText('Pairs');
    expect(screen.queryByTestId('create-dialog-hints')).toBeNull();
  });
});

// Formatting helpers.
import { describe, expect, it } from 'vitest';
import { backfillPercent, formatEta, isBackfillRunning, percent } from '../src/ui/format';
import { statusAppearance } from '../src/ui/components';

describe('format', () => {
  it('formats scores as whole percentages, clamped', () => {
    expect(percent(0.354)).toBe('35%');
    expect(percent(0.999)).toBe('100%');
    expect(percent(-1)).toBe('0%');
    expect(percent(Number.NaN)).toBe('0%');
  });
  it('formats ETAs', () => {
    expect(formatEta(null)).toBe('unknown');
    expect(formatEta(0.2)).toBe('1 s');
    expect(formatEta(125)).toBe('2 min');
    expect(formatEta(3 * 3600 + 5 * 60)).toBe('3 h 5 min');
  });
  it('computes backfill progress', () => {
    expect(backfillPercent({ state: 'running', indexed: 5, total: null })).toBeNull();
    expect(backfillPercent({ state: 'running', indexed: 333, total: 1000 })).toBe(33);
    expect(backfillPercent({ state: 'done', indexed: 0, total: 0 })).toBe(100);
    expect(isBackfillRunning('running')).toBe(true);
    expect(isBackfillRunning('queued')).toBe(true);
    expect(isBackfillRunning('stopped')).toBe(false);
    expect(isBackfillRunning('done')).toBe(false);
    expect(isBackfillRunning(undefined)).toBe(false);
  });
  it('colours Jira statuses like Jira', () => {
    expect(statusAppearance('Done')).toBe('success');
    expect(statusAppearance('In Progress')).toBe('inprogress');
    expect(statusAppearance('To Do')).toBe('default');
  });
});

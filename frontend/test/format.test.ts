// Formatting helpers.
import { describe, expect, it } from 'vitest';
import { backfillPercent, formatEta, formatLikelihood, isBackfillRunning } from '../src/ui/format';
import { statusAppearance } from '../src/ui/components';

describe('format', () => {
  it('formats likelihoods with two significant digits below 10 %, whole numbers above, clamped', () => {
    const f = (p: number) => formatLikelihood(p).replace(/\u00a0/g, ' ');
    expect(f(0.016)).toBe('1.6 %');
    expect(f(0.0052)).toBe('0.52 %');
    expect(f(0.02)).toBe('2 %');
    expect(f(0.0996)).toBe('10 %');
    expect(f(0.354)).toBe('35 %');
    expect(f(0.0004)).toBe('< 0.1 %');
    expect(f(1.5)).toBe('100 %');
    expect(f(-1)).toBe('< 0.1 %');
    expect(f(Number.NaN)).toBe('< 0.1 %');
    expect(formatLikelihood(0.25)).toBe('25\u00a0%');
  });
  it('formats ETAs', () => {
    expect(formatEta(null)).toBe('unknown');
    expect(formatEta(0.2)).toBe('1 s');
    expect(formatEta(125)).toBe('2 min');
    expect(formatEta(3 * 3600 + 5 * 60)).toBe('3 h 5 min');
  });
  it('computes backfill progress from the issues read', () => {
    expect(backfillPercent({ state: 'running', seen: 5, total: null })).toBeNull();
    expect(backfillPercent({ state: 'running', seen: 333, total: 1000 })).toBe(33);
    expect(backfillPercent({ state: 'running', seen: 1200, total: 1000 })).toBe(100);
    expect(backfillPercent({ state: 'done', seen: 0, total: 0 })).toBe(100);
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

// The admin page's backfill status in words: what happened (never ran, running, waiting, finished, stopped, failed).
import type { StatusResponse } from '../api';
import { backfillPercent, formatCount, formatEta, isBackfillRunning } from '../ui/format';

export type BackfillPhase = 'idle' | 'running' | 'waiting' | 'done' | 'stopped' | 'failed';

export interface BackfillView {
  phase: BackfillPhase;
  /** The headline sentence. */
  title: string;
  /** A second sentence (what the numbers mean, what to do), or ''. */
  detail: string;
  /** The progress bar: 0..100, or null while running with no total from Jira (indeterminate). */
  percent: number | null;
}

const issues = (n: number) => `${formatCount(n)} ${n === 1 ? 'issue' : 'issues'}`;

function phaseOf(state: string, waiting: boolean): BackfillPhase {
  const s = state.toLowerCase();
  if (isBackfillRunning(s)) return waiting ? 'waiting' : 'running';
  if (['done', 'completed', 'complete', 'finished'].includes(s)) return 'done';
  if (['failed', 'error'].includes(s)) return 'failed';
  if (['stopped', 'cancelled', 'canceled'].includes(s)) return 'stopped';
  return 'idle';
}

/** "300 of about 1,000 issues (30 %)" when Jira's estimate is known (and not passed), else "300 issues". */
function readSoFar(seen: number, total: number | null, pct: number | null): string {
  if (total && total > 0 && seen <= total && pct !== null) return `${formatCount(seen)} of about ${issues(total)} (${pct}\u00a0%)`;
  return issues(seen);
}

/** Only worth saying when some issues read were already up to date (e.g. indexed from Jira events). */
function upToDate(seen: number, indexed: number): string {
  if (seen <= 0 || indexed >= seen) return '';
  if (indexed <= 0) return seen === 1 ? 'It was already up to date in the index.' : 'All of them were already up to date in the index.';
  return `${formatCount(indexed)} of them were new or changed; the others were already up to date.`;
}

export function describeBackfill(status: StatusResponse): BackfillView {
  const b = status.backfill;
  const indexedNow = status.index?.issues ?? 0;
  const seen = Math.max(0, b.seen ?? 0);
  const indexed = Math.max(0, b.indexed ?? 0);
  const phase = phaseOf(b.state ?? '', !!b.waiting);
  const pct = backfillPercent({ seen, total: b.total, state: b.state });
  switch (phase) {
    case 'idle':
      return {
        phase,
        title:
          indexedNow > 0
            ? `No backfill has run yet; ${issues(indexedNow)} indexed from Jira events.`
            : 'No backfill has run yet, and no issues are indexed.',
        detail: 'Start a backfill to index the site’s existing issues.',
        percent: 0,
      };
    case 'waiting':
      return {
        phase,
        title: seen > 0 ? `Backfill paused after reading ${readSoFar(seen, b.total, pct)}.` : 'Backfill paused before reading any issues.',
        detail: b.waiting?.message ?? 'Waiting for Jira; the backfill resumes where it stopped.',
        percent: pct,
      };
    case 'running': {
      if (seen === 0) return { phase, title: 'Backfill starting: waiting for the first issues from Jira.', detail: '', percent: pct };
      const eta = typeof b.etaSeconds === 'number' && b.etaSeconds > 0 && pct !== null ? `, about ${formatEta(b.etaSeconds)} left` : '';
      const progress = pct !== null && b.total && seen <= b.total ? readSoFar(seen, b.total, pct) : `${issues(seen)} read so far`;
      return { phase, title: `Backfilling: ${progress}${eta}.`, detail: upToDate(seen, indexed), percent: pct };
    }
    case 'done':
      if (seen === 0)
        return {
          phase,
          title: 'Backfill finished: Jira returned no issues to read.',
          detail: indexedNow > 0 ? `${issues(indexedNow)} indexed from Jira events.` : 'Check the projects setting: no issues are indexed.',
          percent: 100,
        };
      return {
        phase,
        title: `Backfill finished: ${issues(seen)} read from Jira; ${issues(indexedNow)} indexed.`,
        detail: upToDate(seen, indexed),
        percent: 100,
      };
    case 'stopped':
      return {
        phase,
        title: seen > 0 ? `Backfill stopped after reading ${readSoFar(seen, b.total, pct)}.` : 'Backfill stopped before reading any issues.',
        detail: `${issues(indexedNow)} indexed. Starting the backfill again reads the site’s issues from the beginning.`,
        percent: pct ?? 0,
      };
    case 'failed':
      return {
        phase,
        title: seen > 0 ? `Backfill failed after reading ${readSoFar(seen, b.total, pct)}.` : 'Backfill failed before reading any issues.',
        detail: `${issues(indexedNow)} indexed. Start the backfill again to retry.`,
        percent: pct ?? 0,
      };
  }
}

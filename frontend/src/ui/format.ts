// Number, time and percentage formatting shared by the pages.

const NBSP = '\u00a0';

/**
 * A likelihood (0..1) as a percentage a reader can take in: "< 0.1 %", two significant digits below 10 % ("0.52 %",
 * "1.6 %", "2 %"), whole numbers above ("12 %"). Likelihoods of filed duplicates are small, so the low end needs digits.
 */
export function formatLikelihood(p: number): string {
  const clamped = Math.max(0, Math.min(1, Number.isFinite(p) ? p : 0));
  const pct = clamped * 100;
  if (pct < 0.1) return `<${NBSP}0.1${NBSP}%`;
  const text = pct < 9.95 ? String(Number(pct.toPrecision(2))) : String(Math.round(pct));
  return `${text}${NBSP}%`;
}

export function formatCount(n: number | null | undefined): string {
  return typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('en-US') : '—';
}

export function formatEta(seconds: number | null | undefined): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return 'unknown';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const m = Math.round(seconds / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return 'never';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString('en-US', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function formatDay(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric' });
}

/**
 * Backfill progress 0..100 from the issues read from Jira (`seen`; `indexed` only counts new or changed ones), or
 * null when Jira's estimate of the total is not known.
 */
export function backfillPercent(b: { seen: number; total: number | null; state: string }): number | null {
  if (['done', 'completed', 'complete', 'finished'].includes(b.state)) return 100;
  if (!b.total || b.total <= 0) return null;
  return Math.max(0, Math.min(100, Math.floor((b.seen / b.total) * 100)));
}

/** States in which a backfill will not move on its own; anything else (queued, running, …) is in progress. */
const BACKFILL_AT_REST = new Set(['idle', 'none', 'never', 'done', 'completed', 'complete', 'finished', 'stopped', 'cancelled', 'canceled', 'failed', 'error']);

export function isBackfillRunning(state: string | undefined): boolean {
  return typeof state === 'string' && state !== '' && !BACKFILL_AT_REST.has(state.toLowerCase());
}

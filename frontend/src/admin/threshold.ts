// The likely threshold on the admin page: what it means on the reference curve, and the slider's logarithmic scale.
import type { ThresholdPoint } from '../api';
import { formatLikelihood } from '../ui/format';

export interface CurveFigures {
  duplicatesFound: number;
  falseFlagsPerCleanIssue: number;
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** The server's curve with malformed points left out, sorted by threshold. */
export function cleanCurve(raw: unknown): ThresholdPoint[] {
  if (!Array.isArray(raw)) return [];
  return (raw as Partial<ThresholdPoint>[])
    .filter((p) => p && finite(p.threshold) && p.threshold > 0 && finite(p.duplicatesFound) && finite(p.falseFlagsPerCleanIssue))
    .map((p) => ({ threshold: p.threshold!, duplicatesFound: p.duplicatesFound!, falseFlagsPerCleanIssue: p.falseFlagsPerCleanIssue! }))
    .sort((a, b) => a.threshold - b.threshold);
}

/** The curve's figures at `t`, interpolated linearly between the two points around it; null outside the curve. */
export function curveAt(curve: ThresholdPoint[], t: number): CurveFigures | null {
  if (!curve.length || !finite(t) || t < curve[0].threshold || t > curve[curve.length - 1].threshold) return null;
  const hi = curve.findIndex((p) => p.threshold >= t);
  const b = curve[hi];
  if (b.threshold === t || hi === 0) return { duplicatesFound: b.duplicatesFound, falseFlagsPerCleanIssue: b.falseFlagsPerCleanIssue };
  const a = curve[hi - 1];
  const w = (t - a.threshold) / (b.threshold - a.threshold);
  const mix = (x: number, y: number) => x + (y - x) * w;
  return {
    duplicatesFound: mix(a.duplicatesFound, b.duplicatesFound),
    falseFlagsPerCleanIssue: mix(a.falseFlagsPerCleanIssue, b.falseFlagsPerCleanIssue),
  };
}

/** One sentence an admin can act on: what the threshold finds and costs on the reference data; '' without a curve. */
export function thresholdMeaning(curve: ThresholdPoint[], t: number): string {
  if (!curve.length) return '';
  const f = curveAt(curve, t);
  const at = formatLikelihood(t);
  if (!f) {
    const [lo, hi] = [curve[0].threshold, curve[curve.length - 1].threshold];
    return `At ${at}: outside the range Doppel was measured on (${formatLikelihood(lo)} to ${formatLikelihood(hi)}).`;
  }
  const found = Math.round(f.duplicatesFound * 100);
  return (
    `At ${at}: on Apache Jira reference data, Doppel flags ${found}\u00a0% of filed duplicates as likely and shows ` +
    `${f.falseFlagsPerCleanIssue.toFixed(2)} false flags per issue that has none.`
  );
}

export interface Bounds {
  min: number;
  max: number;
}

/** The slider's range: the curve's (where the figures are known), or 0.1 % to 100 % without one. */
export function thresholdBounds(curve: ThresholdPoint[]): Bounds {
  if (curve.length >= 2) return { min: curve[0].threshold, max: curve[curve.length - 1].threshold };
  return { min: 0.001, max: 1 };
}

/** Slider positions 0..SLIDER_STEPS, evenly spaced on a log scale (each step about the same relative change). */
export const SLIDER_STEPS = 100;

export function toPosition(t: number, b: Bounds): number {
  const clamped = Math.max(b.min, Math.min(b.max, finite(t) ? t : b.min));
  return (SLIDER_STEPS * Math.log(clamped / b.min)) / Math.log(b.max / b.min);
}

/** The threshold at a slider position, to three significant digits (fine enough that every step moves it). */
export function fromPosition(pos: number, b: Bounds): number {
  const p = Math.max(0, Math.min(SLIDER_STEPS, finite(pos) ? pos : 0));
  const t = b.min * Math.pow(b.max / b.min, p / SLIDER_STEPS);
  return Math.max(b.min, Math.min(b.max, Number(t.toPrecision(3))));
}

// Admin settings helpers: field labels, list parsing, statistics key names and the settings form's validation.
import { FIELD_NAMES, type TenantConfig } from '../api';

export const FIELD_LABELS: Record<string, string> = {
  summary: 'Summary',
  description: 'Description',
  environment: 'Environment',
  components: 'Components',
  labels: 'Labels',
};

/** "ABC, def ,,X" → ["ABC","DEF","X"] for project keys; issue types keep their case. */
export function parseList(text: string, upper: boolean): string[] {
  const seen = new Set<string>();
  for (const raw of text.split(',')) {
    const v = upper ? raw.trim().toUpperCase() : raw.trim();
    if (v) seen.add(v);
  }
  return [...seen];
}

/** "pendingPairs" / "inbox_pending" → "Pending pairs" / "Inbox pending" for the statistics list. */
export function humanizeKey(key: string): string {
  const words = key.replace(/[_-]+/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function validateConfig(c: TenantConfig): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!(c.threshold >= 0 && c.threshold <= 1)) errors.threshold = 'Choose a threshold between 0 % and 100 %.';
  for (const f of FIELD_NAMES) {
    const w = c.fieldWeights[f];
    if (!(typeof w === 'number' && Number.isFinite(w) && w >= 0 && w <= 10)) errors[`weight-${f}`] = 'Use a number from 0 to 10.';
  }
  if (FIELD_NAMES.every((f) => !c.fieldWeights[f])) errors['weight-summary'] = 'At least one field needs a weight above 0.';
  for (const p of c.projects) if (!/^[A-Z][A-Z0-9_]*$/.test(p)) errors.projects = `“${p}” is not a Jira project key.`;
  return errors;
}

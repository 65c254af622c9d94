// WCAG 2.x AA contrast of every token pairing the pages use, in the light and the dark theme.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const css = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../src/styles/tokens.generated.css'), 'utf8');

function themeTokens(name: string): Map<string, string> {
  const start = css.indexOf(`/* ${name} */`);
  expect(start).toBeGreaterThanOrEqual(0);
  const next = css.indexOf('/* atlassian-', start + 5);
  const block = css.slice(start, next < 0 ? undefined : next);
  const out = new Map<string, string>();
  for (const m of block.matchAll(/(--ds-[a-z0-9-]+):\s*([^;]+);/g)) if (!out.has(m[1])) out.set(m[1], m[2].trim());
  return out;
}

type Rgba = [number, number, number, number];

function parse(hex: string): Rgba {
  const m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(hex);
  if (!m) throw new Error(`not a hex colour: ${hex}`);
  const n = parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255, m[2] ? parseInt(m[2], 16) / 255 : 1];
}

/** Composites layers (bottom first) into an opaque colour. */
function flatten(layers: Rgba[]): [number, number, number] {
  let [r, g, b] = [255, 255, 255];
  for (const [lr, lg, lb, a] of layers) [r, g, b] = [lr * a + r * (1 - a), lg * a + g * (1 - a), lb * a + b * (1 - a)];
  return [r, g, b];
}

function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function ratio(a: [number, number, number], b: [number, number, number]): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

// [foreground, background stack on top of the page surface, minimum ratio, where it is used]
const TEXT = 4.5;
const UI = 3;
const PAIRS: [string, string[], number, string][] = [
  ['--ds-text', ['--ds-surface'], TEXT, 'body text'],
  ['--ds-text-subtle', ['--ds-surface'], TEXT, 'secondary text, field labels'],
  ['--ds-text-subtlest', ['--ds-surface'], TEXT, 'help text, matched-terms label'],
  ['--ds-link', ['--ds-surface'], TEXT, 'issue keys'],
  ['--ds-text-danger', ['--ds-surface'], TEXT, 'field errors'],
  ['--ds-text', ['--ds-surface-raised'], TEXT, 'cards'],
  ['--ds-text-subtle', ['--ds-surface-raised'], TEXT, 'card secondary text'],
  ['--ds-text-subtlest', ['--ds-surface-raised'], TEXT, 'card help text'],
  ['--ds-link', ['--ds-surface-raised'], TEXT, 'keys in the dashboard table'],
  ['--ds-text-subtle', ['--ds-surface', '--ds-background-neutral'], TEXT, 'default button, default lozenge'],
  ['--ds-text-subtle', ['--ds-surface', '--ds-background-neutral-hovered'], TEXT, 'default button hovered'],
  ['--ds-text', ['--ds-surface', '--ds-background-neutral'], TEXT, 'tags'],
  ['--ds-text-inverse', ['--ds-background-brand-bold'], TEXT, 'primary button'],
  ['--ds-text-inverse', ['--ds-background-brand-bold-hovered'], TEXT, 'primary button hovered'],
  ['--ds-text-inverse', ['--ds-background-danger-bold'], TEXT, 'danger button'],
  ['--ds-text-information', ['--ds-surface', '--ds-background-information'], TEXT, 'in-progress lozenge'],
  ['--ds-text-success', ['--ds-surface', '--ds-background-success'], TEXT, 'done / linked lozenge'],
  ['--ds-text-discovery', ['--ds-surface', '--ds-background-discovery'], TEXT, 'pending lozenge'],
  ['--ds-text-danger', ['--ds-surface', '--ds-background-danger'], TEXT, 'removed lozenge'],
  ['--ds-text-warning', ['--ds-surface', '--ds-background-warning'], TEXT, 'likely duplicate lozenge'],
  ['--ds-text', ['--ds-surface', '--ds-background-information'], TEXT, 'information message'],
  ['--ds-text', ['--ds-surface', '--ds-background-warning'], TEXT, 'warning message'],
  ['--ds-text', ['--ds-surface', '--ds-background-danger'], TEXT, 'error message'],
  ['--ds-text', ['--ds-surface', '--ds-background-selected'], TEXT, 'confirm bar, bulk bar, selected row'],
  ['--ds-link', ['--ds-surface-raised', '--ds-background-selected'], TEXT, 'keys in a selected row'],
  ['--ds-text', ['--ds-background-input'], TEXT, 'inputs'],
  ['--ds-border-input', ['--ds-surface-raised'], UI, 'input borders'],
  ['--ds-border-focused', ['--ds-surface'], UI, 'focus ring'],
  ['--ds-background-brand-bold', ['--ds-surface-raised', '--ds-background-neutral'], UI, 'progress bar on its track'],
  ['--ds-background-neutral-bold', ['--ds-surface-raised'], UI, 'toggle off'],
  ['--ds-background-success-bold', ['--ds-surface-raised'], UI, 'toggle on'],
  ['--ds-chart-brand', ['--ds-surface-raised'], UI, 'chart series "found"'],
  ['--ds-chart-success-bold', ['--ds-surface-raised'], UI, 'chart series "confirmed"'],
];

for (const theme of ['atlassian-light', 'atlassian-dark']) {
  describe(`WCAG AA contrast, ${theme}`, () => {
    const tokens = themeTokens(theme);
    const color = (name: string) => {
      const v = tokens.get(name);
      if (!v) throw new Error(`${theme} has no ${name}`);
      return parse(v);
    };
    it('discriminates: disabled text (exempt from WCAG) is below 4.5:1', () => {
      const bg = flatten([color('--ds-surface')]);
      expect(ratio(flatten([color('--ds-surface'), color('--ds-text-disabled')]), bg)).toBeLessThan(TEXT);
    });
    for (const [fg, stack, min, where] of PAIRS) {
      it(`${where}: ${fg} on ${stack.join(' + ')} ≥ ${min}:1`, () => {
        const bg = flatten(stack.map(color));
        const text = flatten([...stack.map(color), color(fg)]);
        expect(ratio(text, bg)).toBeGreaterThanOrEqual(min);
      });
    }
  });
}

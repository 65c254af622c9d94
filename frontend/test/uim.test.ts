// Create-dialog hints (src/uim): when to ask, the hint text, likely-only selection, sequencing, the controller's writes.
import { describe, expect, it } from 'vitest';
import { answerBody, createSequence, draftBody, hintText, likelyHints, plainText, shouldAsk } from '../src/uim/hints';
import { createHintController, type HintApi } from '../src/uim/controller';

const cand = (key: string, likelihood: number, tier = 'likely', summary = `Summary of ${key}`) =>
  ({ key, summary, likelihood, tier, url: `https://x/browse/${key}`, score: 0.5 });

describe('shouldAsk', () => {
  it('asks from three words or twelve characters on', () => {
    expect(shouldAsk('')).toBe(false);
    expect(shouldAsk('   ')).toBe(false);
    expect(shouldAsk('Crash on')).toBe(false);
    expect(shouldAsk('Login broke')).toBe(false); // 2 words, 11 characters
    expect(shouldAsk('Login broken')).toBe(true); // 12 characters
    expect(shouldAsk('a b c')).toBe(true); // 3 words
  });
  it('counts after collapsing whitespace, and counts characters not UTF-16 units', () => {
    expect(shouldAsk('  Crash   on   ')).toBe(false);
    expect(shouldAsk('  Crash   on   save ')).toBe(true);
    expect(shouldAsk('Internationalisation')).toBe(true);
    expect(shouldAsk('ログインできない問題が発生')).toBe(true);
    expect(shouldAsk('😀😀😀😀😀😀')).toBe(false); // 6 characters, 12 UTF-16 units
  });
});

describe('plainText and draftBody', () => {
  it('reads strings as they are and ADF documents as their text', () => {
    expect(plainText('wiki *text*')).toBe('wiki *text*');
    expect(plainText(undefined)).toBe('');
    expect(plainText(null)).toBe('');
    const adf = { version: 1, type: 'doc', content: [
      { type: 'paragraph', content: [{ type: 'text', text: 'Checkout ' }, { type: 'text', text: 'freezes', marks: [{ type: 'strong' }] }] },
      { type: 'paragraph', content: [{ type: 'text', text: 'line' }, { type: 'hardBreak' }, { type: 'text', text: 'two' }] },
    ] };
    expect(plainText(adf)).toBe('Checkout freezes\nline\ntwo');
  });
  it('normalises the summary, cuts the description and fills missing context with empty strings', () => {
    expect(draftBody('  Checkout   freezes ', 'd'.repeat(9000), 'WEB', 'Bug')).toEqual({ summary: 'Checkout freezes', description: 'd'.repeat(8000), projectKey: 'WEB', issueType: 'Bug' });
    expect(draftBody('s', '', undefined, undefined)).toEqual({ summary: 's', description: '', projectKey: '', issueType: '' });
  });
});

describe('likelyHints', () => {
  it('keeps only likely-tier candidates, best first, at most three', () => {
    const body = { issue: null, candidates: [cand('WEB-1', 0.61), cand('WEB-2', 0.9), cand('WEB-3', 0.95, 'related'), cand('WEB-4', 0.7), cand('WEB-5', 0.65), cand('WEB-6', 0.5)] };
    expect(likelyHints(body)!.map((h) => h.key)).toEqual(['WEB-2', 'WEB-4', 'WEB-5']);
  });
  it('answers [] for no likely candidate and null for a body that is not an answer', () => {
    expect(likelyHints({ candidates: [cand('WEB-3', 0.95, 'related')] })).toEqual([]);
    expect(likelyHints({ candidates: [] })).toEqual([]);
    expect(likelyHints({ error: 'x' })).toBeNull();
    expect(likelyHints(null)).toBeNull();
    expect(likelyHints('oops')).toBeNull();
  });
  it('drops malformed candidates', () => {
    const body = { candidates: [{ key: 'not a key', likelihood: 0.9, tier: 'likely' }, { key: 'WEB-9', likelihood: 'high', tier: 'likely' }, { key: 'WEB-8', likelihood: Number.NaN, tier: 'likely' }, null, cand('WEB-7', 0.8)] };
    expect(likelyHints(body)!.map((h) => h.key)).toEqual(['WEB-7']);
  });
});

describe('hintText', () => {
  it('lists key, summary and likelihood as plain text', () => {
    expect(hintText([])).toBe('');
    expect(hintText([{ key: 'WEB-2', summary: 'Checkout freezes', likelihood: 0.904 }])).toBe('Possible duplicate: WEB-2 "Checkout freezes" (90% likely)');
    expect(hintText([{ key: 'WEB-2', summary: 'A', likelihood: 0.9 }, { key: 'OPS-1', summary: 'B\n  c', likelihood: 0.61 }]))
      .toBe('Possible duplicates: WEB-2 "A" (90% likely); OPS-1 "B c" (61% likely)');
  });
  it('cuts long summaries and clamps likelihoods', () => {
    const text = hintText([{ key: 'WEB-2', summary: 'word '.repeat(40), likelihood: 1.7 }]);
    expect(text).toMatch(/^Possible duplicate: WEB-2 "(word ){15}word…" \(100% likely\)$/);
    expect([...text.split('"')[1]].length).toBeLessThanOrEqual(80);
  });
});

describe('createSequence', () => {
  it('lets only the newest ticket write', () => {
    const seq = createSequence();
    const first = seq.next();
    expect(seq.isCurrent(first)).toBe(true);
    const second = seq.next();
    expect(seq.isCurrent(first)).toBe(false);
    expect(seq.isCurrent(second)).toBe(true);
  });
});

describe('answerBody', () => {
  it('passes 2xx bodies (objects or JSON text) and rejects everything else', () => {
    expect(answerBody({ status: 200, body: { candidates: [] } })).toEqual({ candidates: [] });
    expect(answerBody({ status: 200, body: '{"candidates":[]}' })).toEqual({ candidates: [] });
    expect(() => answerBody({ status: 403, body: { error: 'forbidden' } })).toThrow('status 403');
    expect(() => answerBody({ body: {} })).toThrow();
    expect(() => answerBody(undefined)).toThrow();
  });
});

// A form like the one @forge/jira-bridge builds per callback: values in, setDescription calls recorded.
function form(values: Record<string, unknown>, descriptions: Record<string, string> = {}) {
  const writes: [string, string][] = [];
  const api: HintApi = {
    getFieldById: (id) => (id in values ? {
      getId: () => id,
      getValue: () => values[id],
      getDescription: () => descriptions[id] ?? '',
      setDescription: (text: string) => { writes.push([id, text]); descriptions[id] = text; },
    } : undefined),
  };
  return { api, writes, descriptions };
}
const change = (id: string) => ({ current: { getId: () => id } });

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

describe('createHintController', () => {
  const ctx = async () => ({ projectKey: 'WEB', issueType: 'Bug' });

  it('asks on init with the draft and writes the likely hints under Summary only', async () => {
    const bodies: unknown[] = [];
    const c = createHintController({ timeoutMs: 1000, context: ctx, similar: async (b) => { bodies.push(b); return { candidates: [cand('WEB-2', 0.9)] }; } });
    const f = form({ summary: 'Checkout page freezes', description: 'Spinner forever' });
    await c.onInit(f.api);
    expect(bodies).toEqual([{ summary: 'Checkout page freezes', description: 'Spinner forever', projectKey: 'WEB', issueType: 'Bug' }]);
    expect(f.writes).toEqual([['summary', 'Possible duplicate: WEB-2 "Summary of WEB-2" (90% likely)']]);
  });

  it('does not ask for a short summary, and ignores other fields', async () => {
    let asks = 0;
    const c = createHintController({ timeoutMs: 1000, context: ctx, similar: async () => { asks++; return { candidates: [] }; } });
    const f = form({ summary: 'Crash', description: '', priority: 'High' });
    await c.onInit(f.api);
    await c.onChange(f.api, change('priority'));
    expect(c.fieldsFor(change('priority'))).toEqual([]);
    expect(c.fieldsFor(change('summary'))).toEqual(['summary']);
    expect(c.fieldsFor(change('description'))).toEqual(['summary']);
    expect(asks).toBe(0);
    expect(f.writes).toEqual([]);
  });

  it('restores Jira\'s own description when the hints go away, and never writes when there was nothing to clear', async () => {
    let answer: unknown = { candidates: [] };
    const c = createHintController({ timeoutMs: 1000, context: ctx, similar: async () => answer });
    const f = form({ summary: 'Checkout page freezes', description: '' }, { summary: 'Keep it short' });
    await c.onInit(f.api);
    expect(f.writes).toEqual([]);
    answer = { candidates: [cand('WEB-2', 0.9)] };
    await c.onChange(f.api, change('description'));
    answer = { candidates: [cand('WEB-2', 0.9, 'related')] };
    await c.onChange(f.api, change('summary'));
    expect(f.writes.map((w) => w[1])).toEqual(['Possible duplicate: WEB-2 "Summary of WEB-2" (90% likely)', 'Keep it short']);
  });

  it('writes nothing when the ask fails, times out or answers junk', async () => {
    for (const similar of [
      async () => { throw new Error('boom'); },
      () => new Promise<unknown>(() => undefined),
      async () => ({ nope: true }),
    ]) {
      const c = createHintController({ timeoutMs: 30, context: ctx, similar });
      const f = form({ summary: 'Checkout page freezes', description: '' });
      await c.onInit(f.api);
      expect(f.writes).toEqual([]);
    }
  });

  it('never lets a stale answer overwrite a newer one', async () => {
    const answers = [deferred<unknown>(), deferred<unknown>()];
    let n = 0;
    const c = createHintController({ timeoutMs: 1000, context: ctx, similar: () => answers[n++].promise });
    const first = form({ summary: 'Checkout page freezes', description: '' });
    const second = form({ summary: 'Login button does nothing', description: '' });
    const p1 = c.onChange(first.api, change('summary'));
    const p2 = c.onChange(second.api, change('summary'));
    await Promise.resolve();
    answers[1].resolve({ candidates: [cand('WEB-20', 0.8)] });
    await p2;
    answers[0].resolve({ candidates: [cand('WEB-10', 0.99)] });
    await p1;
    expect(second.writes).toEqual([['summary', 'Possible duplicate: WEB-20 "Summary of WEB-20" (80% likely)']]);
    expect(first.writes).toEqual([]);
  });
});

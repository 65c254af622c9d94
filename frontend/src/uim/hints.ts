// Pure parts of the create-dialog hints: when to ask, the draft sent, which candidates to show, the hint text, sequencing.

/** Ask once the summary has at least this many words... */
export const MIN_WORDS = 3;
/** ...or at least this many characters (long single words, languages written without spaces). */
export const MIN_CHARS = 12;
/** At most this many hints under the Summary field. */
export const MAX_HINTS = 3;
/** Summaries in the hint are cut to this many characters. */
export const MAX_SUMMARY_CHARS = 80;
/** The description sent with the draft is cut to this many characters (the server takes 64 KiB bodies). */
export const MAX_DESCRIPTION_CHARS = 8000;

/** One candidate of POST /api/similar as the page uses it. */
export interface Hint {
  key: string;
  summary: string;
  likelihood: number;
}

/** Whitespace collapsed and trimmed. */
export function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** True when the summary is long enough to look for duplicates (≥ MIN_WORDS words or ≥ MIN_CHARS characters). */
export function shouldAsk(summary: string): boolean {
  const s = normalize(summary);
  if (s.length === 0) return false;
  return s.split(' ').length >= MIN_WORDS || [...s].length >= MIN_CHARS;
}

/** Plain text of a field value: a string as is, an Atlassian Document Format doc as its text nodes. */
export function plainText(value: unknown): string {
  if (typeof value === 'string') return value;
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: unknown; text?: unknown; content?: unknown };
    if (typeof n.text === 'string') out.push(n.text);
    if (n.type === 'hardBreak') out.push('\n');
    if (Array.isArray(n.content)) {
      n.content.forEach(walk);
      if (n.type === 'paragraph' || n.type === 'heading' || n.type === 'listItem' || n.type === 'codeBlock') out.push('\n');
    }
  };
  walk(value);
  return out.join('').trim();
}

/** The draft body for POST /api/similar. */
export function draftBody(summary: string, description: string, projectKey: string | undefined, issueType: string | undefined) {
  return {
    summary: normalize(summary),
    description: description.slice(0, MAX_DESCRIPTION_CHARS),
    projectKey: projectKey ?? '',
    issueType: issueType ?? '',
  };
}

/** The answer body of a 2xx invokeRemote response ({status, headers, body}); throws on anything else. */
export function answerBody(response: { status?: number; body?: unknown } | undefined): unknown {
  const status = response?.status;
  if (typeof status !== 'number' || status < 200 || status > 299) throw new Error(`status ${String(status)}`);
  const body = response?.body;
  return typeof body === 'string' ? (JSON.parse(body) as unknown) : body;
}

const ISSUE_KEY = /^[A-Z][A-Z0-9_]*-[1-9][0-9]*$/;

/**
 * The best "likely"-tier candidates of an /api/similar answer body, highest likelihood first, at most MAX_HINTS.
 * Returns null when the body is not an answer (no candidates array): the caller then changes nothing.
 */
export function likelyHints(body: unknown): Hint[] | null {
  const candidates = (body as { candidates?: unknown } | null)?.candidates;
  if (!Array.isArray(candidates)) return null;
  const hints: Hint[] = [];
  for (const c of candidates) {
    const x = c as { key?: unknown; summary?: unknown; likelihood?: unknown; tier?: unknown } | null;
    if (!x || x.tier !== 'likely') continue;
    if (typeof x.key !== 'string' || !ISSUE_KEY.test(x.key)) continue;
    if (typeof x.likelihood !== 'number' || !Number.isFinite(x.likelihood)) continue;
    hints.push({ key: x.key, summary: typeof x.summary === 'string' ? x.summary : '', likelihood: x.likelihood });
  }
  hints.sort((a, b) => b.likelihood - a.likelihood);
  return hints.slice(0, MAX_HINTS);
}

function clip(text: string, max: number): string {
  const chars = [...normalize(text)];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

function percentLikely(likelihood: number): string {
  return `${Math.round(Math.max(0, Math.min(1, likelihood)) * 100)}%`;
}

/** The plain text written under the Summary field; '' for no hints. */
export function hintText(hints: Hint[]): string {
  if (hints.length === 0) return '';
  const items = hints.map((h) => `${h.key} "${clip(h.summary, MAX_SUMMARY_CHARS)}" (${percentLikely(h.likelihood)} likely)`);
  return `Possible duplicate${hints.length > 1 ? 's' : ''}: ${items.join('; ')}`;
}

/** Sequence numbers: every new ask takes a ticket; only the newest ticket may write. */
export function createSequence() {
  let latest = 0;
  return {
    next: (): number => ++latest,
    isCurrent: (ticket: number): boolean => ticket === latest,
  };
}

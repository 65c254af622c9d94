// The create-dialog hint logic over the UI modifications API: reads the draft, asks Doppel, writes under Summary.
import { createSequence, draftBody, hintText, likelyHints, plainText, shouldAsk } from './hints';

/** The parts of @forge/jira-bridge's field API the page uses (structural, so tests can drive it). */
export interface HintField {
  getId(): string;
  getValue(): unknown;
  getDescription?(): string | undefined;
  setDescription(text: string): unknown;
}
export interface HintApi {
  getFieldById(id: string): HintField | undefined;
}
export interface HintChange {
  current?: { getId(): string };
}
/** Where the draft is being created (the module's extension context). */
export interface DraftContext {
  projectKey?: string;
  issueType?: string;
}
export interface HintDeps {
  /** POST /api/similar with the draft; resolves with the answer body, rejects on any failure. */
  similar(body: ReturnType<typeof draftBody>): Promise<unknown>;
  context(): Promise<DraftContext>;
  /** Give up on an answer after this long (the callback must end; Jira shows Summary as loading meanwhile). */
  timeoutMs: number;
}

/** The fields whose change is worth a new ask. */
export const WATCHED_FIELDS = ['summary', 'description'];
/** The only field the page ever changes (registered with onInit / onChange). */
export const CHANGED_FIELDS = ['summary'];

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error: unknown) => { clearTimeout(timer); reject(error); },
    );
  });
}

export function createHintController(deps: HintDeps) {
  const sequence = createSequence();
  /** The Summary description Jira showed before our first hint, restored when the hints go away. */
  let original = '';
  /** The hint text we last wrote, or '' while none is shown. */
  let shown = '';

  async function update(api: HintApi): Promise<void> {
    const summaryField = api.getFieldById('summary');
    if (!summaryField) return;
    const ticket = sequence.next();
    const summary = plainText(summaryField.getValue());
    if (!shouldAsk(summary)) {
      if (shown) {
        summaryField.setDescription(original);
        shown = '';
      }
      return;
    }
    const description = plainText(api.getFieldById('description')?.getValue());
    let body: unknown;
    try {
      const ctx = await deps.context();
      body = await withTimeout(deps.similar(draftBody(summary, description, ctx.projectKey, ctx.issueType)), deps.timeoutMs);
    } catch {
      return; // a failed or slow ask changes nothing
    }
    if (!sequence.isCurrent(ticket)) return; // a newer ask owns the field
    const hints = likelyHints(body);
    if (hints === null) return; // not an answer: change nothing
    const text = hintText(hints);
    if (text) {
      summaryField.setDescription(text);
      shown = text;
    } else if (shown) {
      summaryField.setDescription(original);
      shown = '';
    }
  }

  return {
    /** onInit callback: returns its Promise so the bridge applies the change when the answer is in. */
    onInit(api: HintApi): Promise<void> {
      const current = api.getFieldById('summary')?.getDescription?.() ?? '';
      // A new form (dialog opened, project or issue type changed): remember Jira's own description,
      // unless Jira kept the hint we wrote before.
      if (!(shown && current === shown)) {
        original = current;
        shown = '';
      }
      return update(api);
    },
    /** onChange callback: only Summary and Description changes ask again. */
    onChange(api: HintApi, change: HintChange): Promise<void> {
      const id = change.current?.getId();
      if (!id || !WATCHED_FIELDS.includes(id)) return Promise.resolve();
      return update(api);
    },
    /** registerFields callback of onChange: Summary while the change is one we act on, else nothing. */
    fieldsFor(change: HintChange): string[] {
      const id = change.current?.getId();
      return id && WATCHED_FIELDS.includes(id) ? [...CHANGED_FIELDS] : [];
    },
  };
}

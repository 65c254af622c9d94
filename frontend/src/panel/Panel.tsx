// Issue panel: likely duplicates of the current issue with link / dismiss / restore / open actions.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { Host } from '../host/host';
import { Api, describeError, type Candidate, type StatusResponse } from '../api';
import { Button, EmptyState, Lozenge, SectionMessage, Spinner, Tag, statusAppearance } from '../ui/components';
import { backfillPercent, isBackfillRunning, percent } from '../ui/format';
import { defaultScheduler, type Scheduler } from '../ui/schedule';

type Load =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; candidates: Candidate[]; status: StatusResponse | null };

export const PANEL_LIMIT = 10;
/** While the site is still being indexed, refresh suggestions and progress this often. */
export const INDEXING_REFRESH_MS = 10000;

export function Score(props: { score: number }) {
  const p = percent(props.score);
  return (
    <span class="doppel-score" title={`Similarity ${p}`}>
      <span class="doppel-score__meter" aria-hidden="true">
        <span class="doppel-score__fill" style={{ width: p, display: 'block' }} />
      </span>
      <span class="doppel-score__value">
        <span class="ds-visually-hidden">Similarity </span>
        {p}
      </span>
    </span>
  );
}

function IndexingMessage(props: { status: StatusResponse }) {
  const pct = backfillPercent(props.status.backfill);
  return (
    <SectionMessage appearance="information" testId="indexing" title="Still indexing">
      {pct === null
        ? 'Doppel is still indexing this site’s issues (backfill starting). Suggestions may be incomplete.'
        : `Doppel is still indexing this site’s issues (backfill ${pct} %). Suggestions may be incomplete.`}
    </SectionMessage>
  );
}

function CandidateRow(props: {
  issueKey: string;
  candidate: Candidate;
  busy: string | null;
  confirming: boolean;
  termsOpen: boolean;
  justDismissed: boolean;
  onAsk: () => void;
  onCancel: () => void;
  onLink: () => void;
  onDismiss: () => void;
  onRestore: () => void;
  onOpen: () => void;
  onTerms: () => void;
}) {
  const c = props.candidate;
  const termsId = `terms-${c.key}`;
  // Keep keyboard focus on the row when its actions are swapped out (confirm step, undo line).
  const rowRef = useRef<HTMLLIElement>(null);
  const focusTarget = props.confirming ? `confirm-link-${c.key}` : props.justDismissed ? `undo-${c.key}` : null;
  useEffect(() => {
    if (focusTarget) rowRef.current?.querySelector<HTMLElement>(`[data-testid="${focusTarget}"]`)?.focus();
  }, [focusTarget]);
  if (props.justDismissed) {
    return (
      <li class="doppel-candidate is-dismissed" data-testid={`candidate-${c.key}`} ref={rowRef}>
        <span class="ds-subtle">
          {c.key} marked as not a duplicate.
        </span>{' '}
        <Button appearance="link" onClick={props.onRestore} loading={props.busy === 'restore'} testId={`undo-${c.key}`}>
          Undo
        </Button>
      </li>
    );
  }
  return (
    <li class="doppel-candidate" data-testid={`candidate-${c.key}`} ref={rowRef}>
      <div class="doppel-candidate__head">
        <a
          class="doppel-candidate__key"
          href={c.url}
          target="_blank"
          rel="noopener noreferrer"
          onClick={(e) => {
            if (e.button === 0 && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
              e.preventDefault();
              props.onOpen();
            }
          }}
        >
          {c.key}
        </a>
        <span class="doppel-candidate__summary" title={c.summary}>
          {c.summary}
        </span>
        <Score score={c.score} />
      </div>
      <div class="doppel-candidate__meta">
        <span class="ds-subtle">{c.project}</span>
        <Lozenge appearance={statusAppearance(c.status)}>{c.status}</Lozenge>
        {c.pairStatus === 'confirmed' && <Lozenge appearance="success">Linked as duplicate</Lozenge>}
      </div>
      {props.confirming ? (
        <div
          class="doppel-confirm"
          role="group"
          aria-label={`Confirm linking ${c.key}`}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && props.busy !== 'link') props.onCancel();
          }}
        >
          <span>
            Link {props.issueKey} as a duplicate of {c.key}?
          </span>
          <span class="ds-button-group">
            <Button appearance="primary" onClick={props.onLink} loading={props.busy === 'link'} testId={`confirm-link-${c.key}`}>
              Link
            </Button>
            <Button appearance="subtle" onClick={props.onCancel} disabled={props.busy === 'link'}>
              Cancel
            </Button>
          </span>
        </div>
      ) : (
        <div class="doppel-candidate__actions ds-button-group">
          {c.pairStatus !== 'confirmed' && (
            <Button class="ds-button--compact" onClick={props.onAsk} disabled={props.busy !== null} testId={`link-${c.key}`}>
              Link as duplicate
            </Button>
          )}
          {c.pairStatus !== 'confirmed' && (
            <Button
              class="ds-button--compact"
              appearance="subtle"
              onClick={props.onDismiss}
              loading={props.busy === 'dismiss'}
              disabled={props.busy !== null}
              testId={`dismiss-${c.key}`}
            >
              Not a duplicate
            </Button>
          )}
          <Button class="ds-button--compact" appearance="subtle" onClick={props.onOpen} label={`Open ${c.key}`}>
            Open
          </Button>
          {c.terms.length > 0 && (
            <Button
              class="ds-button--compact"
              appearance="subtle"
              onClick={props.onTerms}
              ariaExpanded={props.termsOpen}
              ariaControls={termsId}
              testId={`terms-${c.key}`}
            >
              {props.termsOpen ? 'Hide why' : 'Why?'}
            </Button>
          )}
        </div>
      )}
      {props.termsOpen && (
        <div class="doppel-terms" id={termsId}>
          <span class="ds-subtlest">Matched terms:</span>
          {c.terms.map((t) => (
            <Tag key={t}>{t}</Tag>
          ))}
        </div>
      )}
    </li>
  );
}

/** The panel's landmark and (visually hidden) page heading, around every state. */
function Shell(props: { children: ComponentChildren; busy?: boolean; testId?: string; issueKey?: string }) {
  return (
    <main class="doppel-panel" aria-busy={props.busy ? 'true' : undefined} data-testid={props.testId}>
      <h1 class="ds-visually-hidden">{props.issueKey ? `Likely duplicates of ${props.issueKey}` : 'Likely duplicates'}</h1>
      {props.children}
    </main>
  );
}

export function Panel(props: { host: Host | null; hostError?: string; schedule?: Scheduler; refreshMs?: number }) {
  const { host } = props;
  const [issueKey, setIssueKey] = useState<string | undefined>(undefined);
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [busy, setBusy] = useState<Record<string, string>>({});
  const [confirming, setConfirming] = useState<string | null>(null);
  const [termsOpen, setTermsOpen] = useState<Set<string>>(new Set());
  const [recentlyDismissed, setRecentlyDismissed] = useState<Set<string>>(new Set());
  const [showDismissed, setShowDismissed] = useState(false);
  const [reloadTick, setReloadTick] = useState(0);

  const reload = useCallback(() => setReloadTick((n) => n + 1), []);

  useEffect(() => {
    if (!host) return;
    host.onIssueChanged(reload);
  }, [host, reload]);

  useEffect(() => {
    if (!host) return;
    let cancelled = false;
    const api = new Api(host);
    (async () => {
      const ctx = await host.context();
      if (cancelled) return;
      setIssueKey(ctx.issueKey);
      if (!ctx.issueKey) {
        setLoad({ kind: 'error', message: 'Open this panel from a Jira issue: no issue key was given.' });
        return;
      }
      const statusP = api.status().catch(() => null);
      try {
        const similar = await api.similar(ctx.issueKey, PANEL_LIMIT);
        const status = await statusP;
        if (cancelled) return;
        const candidates = (Array.isArray(similar.candidates) ? similar.candidates : [])
          .map((c) => ({
            ...c,
            terms: Array.isArray(c.terms) ? c.terms.filter((t) => typeof t === 'string') : [],
            pairStatus: c.pairStatus ?? 'pending',
            score: typeof c.score === 'number' ? c.score : 0,
          }))
          .sort((a, b) => b.score - a.score);
        setLoad({ kind: 'ready', candidates, status });
      } catch (e) {
        if (!cancelled) setLoad({ kind: 'error', message: describeError(e) });
      }
    })().catch((e) => !cancelled && setLoad({ kind: 'error', message: describeError(e) }));
    return () => {
      cancelled = true;
    };
  }, [host, reloadTick]);

  const schedule = props.schedule ?? defaultScheduler;
  const refreshMs = props.refreshMs ?? INDEXING_REFRESH_MS;
  const indexingNow = load.kind === 'ready' && !!load.status && isBackfillRunning(load.status.backfill.state);
  useEffect(() => {
    if (!indexingNow) return;
    return schedule(reload, refreshMs);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [indexingNow, load, refreshMs]);

  useLayoutEffect(() => {
    host?.resize();
  });

  if (props.hostError) {
    return (
      <Shell>
        <SectionMessage appearance="error" title="Doppel could not start">
          {props.hostError}
        </SectionMessage>
      </Shell>
    );
  }

  const setCandidate = (key: string, patch: Partial<Candidate>) =>
    setLoad((l) =>
      l.kind === 'ready' ? { ...l, candidates: l.candidates.map((c) => (c.key === key ? { ...c, ...patch } : c)) } : l,
    );
  const setBusyFor = (key: string, action: string | null) =>
    setBusy((b) => {
      const n = { ...b };
      if (action) n[key] = action;
      else delete n[key];
      return n;
    });

  const act = async (c: Candidate, action: 'link' | 'dismiss' | 'restore') => {
    if (!host || !issueKey) return;
    setBusyFor(c.key, action);
    try {
      await new Api(host).pairAction(issueKey, c.key, action);
      if (action === 'link') {
        setCandidate(c.key, { pairStatus: 'confirmed' });
        setConfirming(null);
        host.flag('success', 'Linked as duplicate', `${issueKey} is now linked as a duplicate of ${c.key}.`);
      } else if (action === 'dismiss') {
        setCandidate(c.key, { pairStatus: 'dismissed' });
        setRecentlyDismissed((s) => new Set(s).add(c.key));
      } else {
        setCandidate(c.key, { pairStatus: 'pending' });
        setRecentlyDismissed((s) => {
          const n = new Set(s);
          n.delete(c.key);
          return n;
        });
      }
    } catch (e) {
      const what = action === 'link' ? 'link the issues' : action === 'dismiss' ? 'dismiss the suggestion' : 'restore the suggestion';
      host.flag('error', `Could not ${what}`, describeError(e));
    } finally {
      setBusyFor(c.key, null);
    }
  };

  const toggleTerms = (key: string) =>
    setTermsOpen((s) => {
      const n = new Set(s);
      if (n.has(key)) n.delete(key);
      else n.add(key);
      return n;
    });

  if (!host || load.kind === 'loading') {
    return (
      <Shell busy issueKey={issueKey}>
        <div class="doppel-loading" data-testid="loading">
          <Spinner size="small" label="Loading likely duplicates" />
          <span class="ds-subtle">Looking for likely duplicates…</span>
        </div>
      </Shell>
    );
  }

  if (load.kind === 'error') {
    return (
      <Shell issueKey={issueKey}>
        <SectionMessage
          appearance="error"
          title="Could not load likely duplicates"
          testId="error"
          actions={<Button onClick={reload}>Try again</Button>}
        >
          {load.message}
        </SectionMessage>
      </Shell>
    );
  }

  const indexing = load.status && isBackfillRunning(load.status.backfill.state);
  const visible = load.candidates.filter((c) => c.pairStatus !== 'dismissed' || recentlyDismissed.has(c.key));
  const dismissed = load.candidates.filter((c) => c.pairStatus === 'dismissed' && !recentlyDismissed.has(c.key));

  const row = (c: Candidate) => (
    <CandidateRow
      key={c.key}
      issueKey={issueKey ?? ''}
      candidate={c}
      busy={busy[c.key] ?? null}
      confirming={confirming === c.key}
      termsOpen={termsOpen.has(c.key)}
      justDismissed={recentlyDismissed.has(c.key) && c.pairStatus === 'dismissed'}
      onAsk={() => setConfirming(c.key)}
      onCancel={() => setConfirming(null)}
      onLink={() => act(c, 'link')}
      onDismiss={() => act(c, 'dismiss')}
      onRestore={() => act(c, 'restore')}
      onOpen={() => host.openIssue(c.key, c.url)}
      onTerms={() => toggleTerms(c.key)}
    />
  );

  return (
    <Shell testId="panel-ready" issueKey={issueKey}>
      {indexing && load.status && <IndexingMessage status={load.status} />}
      {visible.length === 0 ? (
        indexing ? null : (
          <EmptyState title="No likely duplicates" testId="empty">
            Doppel found no open issue similar enough to this one.
          </EmptyState>
        )
      ) : (
        <ul class="doppel-candidates" aria-label={`Likely duplicates of ${issueKey}`}>
          {visible.map(row)}
        </ul>
      )}
      {dismissed.length > 0 && (
        <div class="doppel-dismissed">
          <Button
            appearance="subtle"
            class="ds-button--compact"
            onClick={() => setShowDismissed((v) => !v)}
            ariaExpanded={showDismissed}
            ariaControls="doppel-dismissed-list"
            testId="toggle-dismissed"
          >
            {showDismissed ? 'Hide' : 'Show'} dismissed ({dismissed.length})
          </Button>
          {showDismissed && (
            <ul class="doppel-dismissed__list" id="doppel-dismissed-list" aria-label="Dismissed suggestions">
              {dismissed.map((c) => (
                <li key={c.key} class="doppel-dismissed__item" data-testid={`dismissed-${c.key}`}>
                  <span class="doppel-dismissed__text">
                    <strong>{c.key}</strong> {c.summary}
                  </span>
                  <Button
                    appearance="link"
                    onClick={() => act(c, 'restore')}
                    loading={busy[c.key] === 'restore'}
                    testId={`restore-${c.key}`}
                  >
                    Restore
                  </Button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Shell>
  );
}

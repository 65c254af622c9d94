// Issue panel: likely duplicates of the current issue, then related issues (muted), with link / dismiss / restore / open actions.
import { useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { Host } from '../host/host';
import type { Candidate } from '../api';
import { Button, EmptyState, SectionMessage, Spinner } from '../ui/components';
import { isBackfillRunning } from '../ui/format';
import { LIKELIHOOD_MEANING } from '../ui/Likelihood';
import { HostError, PageShell, usePageResize } from '../ui/PageShell';
import { defaultScheduler, type Scheduler } from '../ui/schedule';
import { CandidateRow } from './CandidateRow';
import { DismissedList } from './DismissedList';
import { IndexingMessage } from './IndexingMessage';
import { useCandidateActions } from './useCandidateActions';
import { useCandidates } from './useCandidates';

export { PANEL_LIMIT } from './useCandidates';
/** While the site is still being indexed, refresh suggestions and progress this often. */
export const INDEXING_REFRESH_MS = 10000;

/** The panel's landmark and (visually hidden) page heading, around every state. */
function Shell(props: { children: ComponentChildren; busy?: boolean; testId?: string; issueKey?: string }) {
  return (
    <PageShell
      class="doppel-panel"
      title={props.issueKey ? `Possible duplicates of ${props.issueKey}` : 'Possible duplicates'}
      titleHidden
      busy={props.busy}
      testId={props.testId}
    >
      {props.children}
    </PageShell>
  );
}

// One tier of candidates: "likely" (plain) or "related" (muted by the --related modifier), under its heading.
function TierGroup(props: { tier: 'likely' | 'related'; title: string; children: ComponentChildren }) {
  const { tier } = props;
  const heading = `doppel-${tier}-h`;
  return (
    <section class={tier === 'related' ? 'doppel-group doppel-group--related' : 'doppel-group'} aria-labelledby={heading} data-testid={tier}>
      <h2 class="doppel-group__title" id={heading}>
        {props.title}
      </h2>
      <ul class="doppel-candidates">{props.children}</ul>
    </section>
  );
}

export function Panel(props: { host: Host | null; hostError?: string; schedule?: Scheduler; refreshMs?: number }) {
  const { host } = props;
  const { issueKey, load, reload, setCandidate } = useCandidates(host, props.schedule ?? defaultScheduler, props.refreshMs ?? INDEXING_REFRESH_MS);
  const { busy, confirming, setConfirming, recentlyDismissed, act } = useCandidateActions(host, issueKey, setCandidate);
  const [termsOpen, setTermsOpen] = useState<Set<string>>(new Set());
  const [showDismissed, setShowDismissed] = useState(false);
  usePageResize(host);

  if (props.hostError) {
    return (
      <Shell>
        <HostError message={props.hostError} />
      </Shell>
    );
  }

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
  const likely = visible.filter((c) => c.tier === 'likely');
  const related = visible.filter((c) => c.tier === 'related');

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
      {visible.length === 0 && !indexing && (
        <EmptyState title="No likely duplicates" testId="empty">
          Doppel found no open issue similar enough to this one.
        </EmptyState>
      )}
      {likely.length > 0 && (
        <TierGroup tier="likely" title="Likely duplicates">
          {likely.map(row)}
        </TierGroup>
      )}
      {likely.length === 0 && related.length > 0 && (
        <p class="doppel-no-likely" data-testid="no-likely">
          No likely duplicates; {related.length === 1 ? '1 related issue' : `${related.length} related issues`}.
        </p>
      )}
      {related.length > 0 && (
        <TierGroup tier="related" title="Related issues">
          {related.map(row)}
        </TierGroup>
      )}
      {visible.length > 0 && (
        <p class="doppel-footnote ds-subtlest" data-testid="likelihood-meaning">
          “% likely”: {LIKELIHOOD_MEANING}
        </p>
      )}
      {dismissed.length > 0 && (
        <DismissedList
          items={dismissed}
          open={showDismissed}
          onToggle={() => setShowDismissed((v) => !v)}
          busy={busy}
          onRestore={(c) => act(c, 'restore')}
        />
      )}
    </Shell>
  );
}

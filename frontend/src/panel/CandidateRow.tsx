// One suggestion in the issue panel: its details and actions, the link confirmation step, or the undo line after a dismissal.
import { useEffect, useRef } from 'preact/hooks';
import type { Candidate } from '../api';
import { Button, Lozenge, Tag, statusAppearance } from '../ui/components';
import { Score } from '../ui/Score';
import { CandidateActions } from './CandidateActions';
import { LinkConfirm } from './LinkConfirm';

export function CandidateRow(props: {
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
        <LinkConfirm issueKey={props.issueKey} candidateKey={c.key} busy={props.busy} onLink={props.onLink} onCancel={props.onCancel} />
      ) : (
        <CandidateActions
          candidate={c}
          busy={props.busy}
          termsOpen={props.termsOpen}
          termsId={termsId}
          onAsk={props.onAsk}
          onDismiss={props.onDismiss}
          onOpen={props.onOpen}
          onTerms={props.onTerms}
        />
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

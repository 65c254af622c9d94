// One suggestion in the issue panel: its details and actions, the link confirmation step, or the undo line after a dismissal.
import { useEffect, useRef } from 'preact/hooks';
import type { Candidate } from '../api';
import { Button, Lozenge, Tag, statusAppearance } from '../ui/components';
import { Score } from '../ui/Score';

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

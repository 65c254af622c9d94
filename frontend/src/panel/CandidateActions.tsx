// A suggestion's action buttons in the panel: link, not a duplicate, open, and why (the matched terms).
import type { Candidate } from '../api';
import { Button } from '../ui/components';

export function CandidateActions(props: {
  candidate: Candidate;
  busy: string | null;
  termsOpen: boolean;
  termsId: string;
  onAsk: () => void;
  onDismiss: () => void;
  onOpen: () => void;
  onTerms: () => void;
}) {
  const c = props.candidate;
  return (
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
          ariaControls={props.termsId}
          testId={`terms-${c.key}`}
        >
          {props.termsOpen ? 'Hide why' : 'Why?'}
        </Button>
      )}
    </div>
  );
}

// The panel's confirmation step before linking an issue as a duplicate (Escape cancels unless the link is running).
import { Button } from '../ui/components';

export function LinkConfirm(props: { issueKey: string; candidateKey: string; busy: string | null; onLink: () => void; onCancel: () => void }) {
  return (
    <div
      class="doppel-confirm"
      role="group"
      aria-label={`Confirm linking ${props.candidateKey}`}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && props.busy !== 'link') props.onCancel();
      }}
    >
      <span>
        Link {props.issueKey} as a duplicate of {props.candidateKey}?
      </span>
      <span class="ds-button-group">
        <Button appearance="primary" onClick={props.onLink} loading={props.busy === 'link'} testId={`confirm-link-${props.candidateKey}`}>
          Link
        </Button>
        <Button appearance="subtle" onClick={props.onCancel} disabled={props.busy === 'link'}>
          Cancel
        </Button>
      </span>
    </div>
  );
}

// The bar above the queue while pairs are selected: bulk link / dismiss, then a confirmation step.
import { Button } from '../ui/components';
import type { BulkAction } from './useBulk';

export function BulkBar(props: {
  count: number;
  ask: BulkAction | null;
  busy: boolean;
  onAsk: (action: BulkAction | null) => void;
  onConfirm: (action: BulkAction) => void;
}) {
  const { count, ask, busy } = props;
  return (
    <div class="doppel-bulk" role="region" aria-label="Bulk actions" data-testid="bulk-bar">
      {ask ? (
        <>
          <span>{ask === 'link' ? `Link ${count} selected pairs as duplicates in Jira?` : `Dismiss ${count} selected pairs?`}</span>
          <span class="ds-button-group">
            <Button appearance="primary" loading={busy} onClick={() => props.onConfirm(ask)} testId="bulk-confirm">
              {ask === 'link' ? 'Link all' : 'Dismiss all'}
            </Button>
            <Button appearance="subtle" disabled={busy} onClick={() => props.onAsk(null)}>
              Cancel
            </Button>
          </span>
        </>
      ) : (
        <>
          <span>{count} selected</span>
          <span class="ds-button-group">
            <Button onClick={() => props.onAsk('link')} testId="bulk-link">
              Mark as duplicates
            </Button>
            <Button appearance="subtle" onClick={() => props.onAsk('dismiss')} testId="bulk-dismiss">
              Dismiss
            </Button>
          </span>
        </>
      )}
    </div>
  );
}

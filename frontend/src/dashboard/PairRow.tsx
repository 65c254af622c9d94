// One row of the review queue: selection box, both issues, similarity, status, found date and the row's actions.
import type { PairItem } from '../api';
import { Button, Lozenge } from '../ui/components';
import { formatDate, formatDay } from '../ui/format';
import { Score } from '../ui/Score';
import { IssueCell } from './IssueCell';
import type { PairAction } from './usePairActions';
import { pairId } from './useSelection';

export function PairRow(props: {
  item: PairItem;
  selected: boolean;
  busy?: PairAction;
  siteUrl?: string;
  onToggle: () => void;
  onAction: (action: PairAction) => void;
  onOpen: (key: string, url: string) => void;
}) {
  const it = props.item;
  const id = pairId(it);
  const b = props.busy;
  return (
    <tr class={props.selected ? 'is-selected' : undefined} data-testid={`pair-${it.issue.key}-${it.candidate.key}`}>
      <td class="doppel-col-check">
        <input
          type="checkbox"
          class="ds-checkbox"
          aria-label={`Select ${it.issue.key} and ${it.candidate.key}`}
          checked={props.selected}
          onChange={props.onToggle}
        />
      </td>
      <td>
        <IssueCell issue={it.issue} siteUrl={props.siteUrl} onOpen={props.onOpen} />
      </td>
      <td>
        <IssueCell issue={it.candidate} siteUrl={props.siteUrl} onOpen={props.onOpen} />
      </td>
      <td>
        <Score score={it.score} />
      </td>
      <td>
        <Lozenge appearance={it.status === 'confirmed' ? 'success' : it.status === 'dismissed' ? 'default' : 'new'}>{it.status}</Lozenge>
      </td>
      <td class="ds-subtle doppel-nowrap" title={formatDate(it.createdAt)}>
        {formatDay(it.createdAt)}
      </td>
      <td class="doppel-nowrap">
        {it.status === 'pending' && (
          <span class="ds-button-group">
            <Button
              class="ds-button--compact"
              loading={b === 'link'}
              disabled={!!b}
              onClick={() => props.onAction('link')}
              label={`Mark ${it.issue.key} as duplicate of ${it.candidate.key}`}
              testId={`row-link-${id}`}
            >
              Duplicate
            </Button>
            <Button
              class="ds-button--compact"
              appearance="subtle"
              loading={b === 'dismiss'}
              disabled={!!b}
              onClick={() => props.onAction('dismiss')}
              label={`Dismiss ${it.issue.key} and ${it.candidate.key}`}
              testId={`row-dismiss-${id}`}
            >
              Dismiss
            </Button>
          </span>
        )}
        {it.status === 'dismissed' && (
          <Button class="ds-button--compact" appearance="subtle" loading={b === 'restore'} onClick={() => props.onAction('restore')}>
            Restore
          </Button>
        )}
      </td>
    </tr>
  );
}

// The review queue table: a select-all header and one PairRow per pair of the current page.
import type { PairItem } from '../api';
import { PairRow } from './PairRow';
import type { PairAction } from './usePairActions';
import { pairId } from './useSelection';

export function PairsTable(props: {
  items: PairItem[];
  selected: Set<string>;
  allSelected: boolean;
  busy: Record<string, PairAction>;
  loading: boolean;
  siteUrl?: string;
  onToggle: (id: string) => void;
  onToggleAll: () => void;
  onAction: (item: PairItem, action: PairAction) => void;
  onOpen: (key: string, url: string) => void;
}) {
  return (
    <div class="doppel-table-wrap" aria-busy={props.loading ? 'true' : undefined}>
      <table class="ds-table" data-testid="pairs-table">
        <caption class="ds-visually-hidden">Suggested duplicate pairs</caption>
        <thead>
          <tr>
            <th scope="col" class="doppel-col-check">
              <input
                type="checkbox"
                class="ds-checkbox"
                aria-label="Select all pairs on this page"
                checked={props.allSelected}
                onChange={props.onToggleAll}
              />
            </th>
            <th scope="col">Issue</th>
            <th scope="col">Likely duplicate of</th>
            <th scope="col">Similarity</th>
            <th scope="col">Status</th>
            <th scope="col">Found</th>
            <th scope="col">
              <span class="ds-visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.items.map((it) => {
            const id = pairId(it);
            return (
              <PairRow
                key={id}
                item={it}
                selected={props.selected.has(id)}
                busy={props.busy[id]}
                siteUrl={props.siteUrl}
                onToggle={() => props.onToggle(id)}
                onAction={(action) => props.onAction(it, action)}
                onOpen={props.onOpen}
              />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

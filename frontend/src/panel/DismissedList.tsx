// The panel's "Show dismissed (n)" toggle and the list of dismissed suggestions, each with Restore.
import type { Candidate } from '../api';
import { Button } from '../ui/components';

export function DismissedList(props: {
  items: Candidate[];
  open: boolean;
  onToggle: () => void;
  busy: Record<string, string>;
  onRestore: (c: Candidate) => void;
}) {
  const { items, open } = props;
  return (
    <div class="doppel-dismissed">
      <Button
        appearance="subtle"
        class="ds-button--compact"
        onClick={props.onToggle}
        ariaExpanded={open}
        ariaControls="doppel-dismissed-list"
        testId="toggle-dismissed"
      >
        {open ? 'Hide' : 'Show'} dismissed ({items.length})
      </Button>
      {open && (
        <ul class="doppel-dismissed__list" id="doppel-dismissed-list" aria-label="Dismissed suggestions">
          {items.map((c) => (
            <li key={c.key} class="doppel-dismissed__item" data-testid={`dismissed-${c.key}`}>
              <span class="doppel-dismissed__text">
                <strong>{c.key}</strong> {c.summary}
              </span>
              <Button appearance="link" onClick={() => props.onRestore(c)} loading={props.busy[c.key] === 'restore'} testId={`restore-${c.key}`}>
                Restore
              </Button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

// The dashboard's "History" card: who linked, dismissed or restored which pair and when (pairs the viewer may see),
// loaded when the reader opens it (each load asks Jira about the viewer's permissions).
import { useState } from 'preact/hooks';
import type { Host } from '../host/host';
import type { HistoryItem } from '../api';
import { Button, EmptyState, SectionMessage, Spinner } from '../ui/components';
import { IssueCell } from './IssueCell';
import { useHistory } from './useHistory';

const ACTION_TEXT: Record<HistoryItem['action'], string> = { link: 'Linked as duplicate', dismiss: 'Dismissed', restore: 'Restored' };

/** How a history row names its Jira user: the account id (Jira's own user reference), or a note once erased. */
export function actorText(by: string | null): string {
  return by ?? 'Erased account';
}

export function actionText(item: HistoryItem): string {
  return ACTION_TEXT[item.action] + (item.bulk ? ' (bulk)' : '');
}

export function whenText(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function HistorySection(props: {
  host: Host | null;
  tick: number;
  siteUrl?: string;
  onOpen: (key: string, url: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const h = useHistory(props.host, props.tick, open);
  return (
    <section class="ds-card" aria-labelledby="history-h" data-testid="history">
      <div class="doppel-queue-head">
        <h2 id="history-h">History</h2>
        <Button
          onClick={() => setOpen(!open)}
          ariaExpanded={open}
          ariaControls="history-body"
          testId="history-toggle"
        >
          {open ? 'Hide history' : 'Show history'}
        </Button>
      </div>
      {open && <div id="history-body">{body(h, props)}</div>}
    </section>
  );
}

function body(
  h: ReturnType<typeof useHistory>,
  props: { siteUrl?: string; onOpen: (key: string, url: string) => void },
) {
  return (
    <>
      {h.error ? (
        <SectionMessage appearance="error" title="Could not load the history">
          {h.error}
        </SectionMessage>
      ) : !h.items ? (
        <Spinner label="Loading history" />
      ) : h.items.length === 0 ? (
        <EmptyState title="No actions yet" testId="history-empty">
          Links, dismissals and restores of pairs you can see appear here.
        </EmptyState>
      ) : (
        <div class="doppel-table-wrap">
        <table class="ds-table" data-testid="history-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Issue</th>
              <th scope="col">Duplicate of</th>
            </tr>
          </thead>
          <tbody>
            {h.items.map((item) => (
              <tr key={item.id} data-testid={`history-${item.id}`}>
                <td>
                  <time dateTime={item.at}>{whenText(item.at)}</time>
                </td>
                <td>
                  {item.by ? (
                    <span class="doppel-user" title={`Jira user (account id ${item.by})`} data-account-id={item.by}>
                      {actorText(item.by)}
                    </span>
                  ) : (
                    <em title="Removed when Atlassian reported the account closed">{actorText(null)}</em>
                  )}
                </td>
                <td>{actionText(item)}</td>
                <td>
                  <IssueCell issue={item.issue} siteUrl={props.siteUrl} onOpen={props.onOpen} />
                </td>
                <td>
                  <IssueCell issue={item.candidate} siteUrl={props.siteUrl} onOpen={props.onOpen} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      {h.next !== null && (
        <Button onClick={h.loadMore} loading={h.loading} testId="history-more">
          Show older actions
        </Button>
      )}
    </>
  );
}

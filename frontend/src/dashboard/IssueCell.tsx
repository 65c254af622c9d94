// One issue of a pair in the queue table: key (a Jira link opened through the host), summary, status lozenge.
import type { PairItem } from '../api';
import { Lozenge, statusAppearance } from '../ui/components';

export function IssueCell(props: { issue: PairItem['issue']; siteUrl?: string; onOpen: (key: string, url: string) => void }) {
  const i = props.issue;
  const url = i.url ?? (props.siteUrl ? `${props.siteUrl}/browse/${encodeURIComponent(i.key)}` : undefined);
  return (
    <div class="doppel-issue-cell">
      {url ? (
        <a
          href={url}
          target="_blank"
          rel="noopener noreferrer"
          class="doppel-issue-cell__key"
          onClick={(e) => {
            if (e.button === 0 && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
              e.preventDefault();
              props.onOpen(i.key, url);
            }
          }}
        >
          {i.key}
        </a>
      ) : (
        <span class="doppel-issue-cell__key">{i.key}</span>
      )}
      <span class="doppel-issue-cell__summary" title={i.summary}>
        {i.summary}
      </span>
      {i.status && (
        <span>
          <Lozenge appearance={statusAppearance(i.status)}>{i.status}</Lozenge>
        </span>
      )}
    </div>
  );
}

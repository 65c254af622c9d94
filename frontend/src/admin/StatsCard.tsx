// The admin page's index card: issues, terms, last event, whether the create-dialog hints are active, and further
// numbers /api/admin/stats reports (the backfill's are in its card).
import type { StatusResponse } from '../api';
import { formatCount, formatDate } from '../ui/format';
import { humanizeKey } from './config';
import { describeHints, type CreateDialogHints } from './hintsText';

function Stat(props: { label: string; value: string; testId?: string }) {
  return (
    <div class="doppel-stat">
      <div class="doppel-stat__value" data-testid={props.testId}>
        {props.value}
      </div>
      <div class="doppel-stat__label">{props.label}</div>
    </div>
  );
}

export function StatsCard(props: { status: StatusResponse | null; stats: Record<string, unknown> | null }) {
  const idx = props.status?.index;
  const extra = Object.entries(props.stats ?? {}).filter(
    ([k, v]) =>
      (typeof v === 'number' || typeof v === 'string') && !['issues', 'terms', 'lastEventAt'].includes(k) && !k.startsWith('backfill'),
  );
  const hints = describeHints(props.stats?.createDialogHints as CreateDialogHints | undefined);
  return (
    <section class="ds-card" aria-labelledby="stats-h">
      <h2 id="stats-h">Index</h2>
      <div class="doppel-stats">
        <Stat label="Issues indexed" value={formatCount(idx?.issues)} testId="stat-issues" />
        <Stat label="Distinct terms" value={formatCount(idx?.terms)} testId="stat-terms" />
        <Stat label="Last event" value={idx ? formatDate(idx.lastEventAt) : '—'} testId="stat-last-event" />
      </div>
      {hints && <p data-testid="create-dialog-hints">{hints}</p>}
      {extra.length > 0 && (
        <dl class="doppel-extra-stats">
          {extra.map(([k, v]) => (
            <div key={k}>
              <dt>{humanizeKey(k)}</dt>
              <dd>{typeof v === 'number' ? formatCount(v) : String(v)}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

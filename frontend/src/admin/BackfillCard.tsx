// The admin page's backfill card: state, progress, rate and ETA, and the start / stop / rescan buttons.
import type { StatusResponse } from '../api';
import { Button, ProgressBar, Spinner } from '../ui/components';
import { backfillPercent, formatCount, formatEta, isBackfillRunning } from '../ui/format';

export function BackfillCard(props: { status: StatusResponse | null; onStart: () => void; onStop: () => void; onRescan: () => void; busy: string | null }) {
  const b = props.status?.backfill;
  const running = isBackfillRunning(b?.state);
  const pct = b ? backfillPercent(b) : null;
  return (
    <section class="ds-card" aria-labelledby="backfill-h">
      <h2 id="backfill-h">Backfill</h2>
      <p class="ds-subtle">Indexes the site’s existing issues so Doppel can compare new issues with them.</p>
      {b ? (
        <div class="doppel-backfill" data-testid="backfill">
          <div class="doppel-backfill__line">
            <span>
              State: <strong data-testid="backfill-state">{b.state}</strong>
            </span>
            <span data-testid="backfill-progress-text">
              {formatCount(b.indexed)} of {b.total === null || b.total === undefined ? 'unknown' : formatCount(b.total)} issues
              {pct !== null ? ` (${pct} %)` : ''}
            </span>
          </div>
          <ProgressBar value={running || pct !== null ? pct : 0} label="Backfill progress" />
          <div class="doppel-backfill__line ds-subtlest">
            <span>Seen {formatCount(b.seen)}</span>
            <span>{b.rate ? `${b.rate.toFixed(1)} issues/s` : ''}</span>
            <span>{running ? `ETA ${formatEta(b.etaSeconds)}` : ''}</span>
          </div>
          {running && b.waiting ? (
            <p class="doppel-backfill__line" role="status" data-testid="backfill-waiting">
              {b.waiting.message}
            </p>
          ) : null}
        </div>
      ) : (
        <Spinner size="small" label="Loading backfill status" />
      )}
      <div class="ds-button-group doppel-actions">
        {running ? (
          <Button onClick={props.onStop} loading={props.busy === 'stop'} testId="backfill-stop">
            Stop backfill
          </Button>
        ) : (
          <Button appearance="primary" onClick={props.onStart} loading={props.busy === 'start'} testId="backfill-start">
            Start backfill
          </Button>
        )}
        <Button onClick={props.onRescan} loading={props.busy === 'rescan'} testId="rescan">
          Rescan now
        </Button>
      </div>
    </section>
  );
}

// The admin page's backfill card: what the backfill did or is doing, in words, its progress, and start / stop / rescan.
import type { StatusResponse } from '../api';
import { Button, ProgressBar, Spinner } from '../ui/components';
import { describeBackfill } from './backfillText';

export function BackfillCard(props: { status: StatusResponse | null; onStart: () => void; onStop: () => void; onRescan: () => void; busy: string | null }) {
  const s = props.status;
  const view = s ? describeBackfill(s) : null;
  const running = view?.phase === 'running' || view?.phase === 'waiting';
  return (
    <section class="ds-card" aria-labelledby="backfill-h">
      <h2 id="backfill-h">Backfill</h2>
      <p class="ds-subtle">Indexes the site’s existing issues so Doppel can compare new issues with them.</p>
      {s && view ? (
        <div class="doppel-backfill" data-testid="backfill" data-state={s.backfill.state} data-phase={view.phase}>
          <p class="doppel-backfill__title" data-testid="backfill-summary">
            {view.title}
          </p>
          {view.detail &&
            (view.phase === 'waiting' ? (
              <p class="doppel-backfill__detail" role="status" data-testid="backfill-waiting">
                {view.detail}
              </p>
            ) : (
              <p class="doppel-backfill__detail ds-subtle" data-testid="backfill-detail">
                {view.detail}
              </p>
            ))}
          <ProgressBar value={view.percent} label="Backfill progress" />
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

// The panel's "Still indexing" notice while the site's backfill runs, with its progress when known.
import type { StatusResponse } from '../api';
import { SectionMessage } from '../ui/components';
import { backfillPercent } from '../ui/format';

export function IndexingMessage(props: { status: StatusResponse }) {
  const pct = backfillPercent(props.status.backfill);
  return (
    <SectionMessage appearance="information" testId="indexing" title="Still indexing">
      {pct === null
        ? 'Doppel is still indexing this site’s issues (backfill starting). Suggestions may be incomplete.'
        : `Doppel is still indexing this site’s issues (backfill ${pct} %). Suggestions may be incomplete.`}
    </SectionMessage>
  );
}

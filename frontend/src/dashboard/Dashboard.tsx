// Duplicate review dashboard: headline numbers, charts, the filterable queue with single and bulk actions, CSV export.
import type { Host } from '../host/host';
import { Button, EmptyState, SectionMessage, Spinner } from '../ui/components';
import { HostError, PageShell, usePageResize } from '../ui/PageShell';
import { useReload } from '../ui/useReload';
import { BulkBar } from './BulkBar';
import { ChartsSection } from './ChartsSection';
import { Headline } from './Headline';
import { HistorySection } from './HistorySection';
import { Pagination } from './Pagination';
import { PairsTable } from './PairsTable';
import { QueueFilters } from './QueueFilters';
import { useBulk } from './useBulk';
import { useColorModeTick } from './useColorModeTick';
import { triggerDownload, useCsvExport } from './useCsvExport';
import { usePairActions } from './usePairActions';
import { PAGE_SIZE, usePairs } from './usePairs';
import { useSelection } from './useSelection';
import { useSiteUrl } from './useSiteUrl';
import { useSummary } from './useSummary';

export { PAGE_SIZE } from './usePairs';
export { pairId } from './useSelection';
export const SEARCH_DEBOUNCE_MS = 300;

export function Dashboard(props: {
  host: Host | null;
  hostError?: string;
  download?: (blob: Blob, name: string) => void;
  debounceMs?: number;
}) {
  const { host } = props;
  const [tick, refresh] = useReload();
  const themeTick = useColorModeTick();
  const siteUrl = useSiteUrl(host);
  const { summary, summaryError } = useSummary(host, tick);
  const selection = useSelection();
  const pairs = usePairs(host, tick, props.debounceMs ?? SEARCH_DEBOUNCE_MS, selection.keepOnly);
  const rows = usePairActions(host, refresh);
  const bulk = useBulk(host, () => {
    selection.clear();
    refresh();
  });
  const csv = useCsvExport(host, props.download ?? triggerDownload);
  usePageResize(host);

  if (props.hostError) {
    return (
      <PageShell class="doppel-page">
        <HostError message={props.hostError} />
      </PageShell>
    );
  }

  const { page, filter } = pairs;
  const items = page?.items ?? [];
  const projects = [...new Set((summary?.byProject ?? []).map((p) => p.project))].sort();
  const openIssue = (key: string, url: string) => host?.openIssue(key, url);

  return (
    <PageShell class="doppel-page doppel-dashboard" title="Duplicate review">
      {summaryError && (
        <SectionMessage appearance="error" title="Could not load the summary">
          {summaryError}
        </SectionMessage>
      )}
      <Headline summary={summary} />
      <ChartsSection summary={summary} themeTick={themeTick} />

      <section class="ds-card" aria-labelledby="queue-h">
        <div class="doppel-queue-head">
          <h2 id="queue-h">Review queue</h2>
          <Button onClick={() => csv.exportCsv(filter)} loading={csv.exporting} testId="export-csv">
            Export CSV
          </Button>
        </div>
        <QueueFilters search={pairs.search} onSearch={pairs.setSearch} filter={filter} projects={projects} onChange={pairs.update} />
        {selection.selected.size > 0 && (
          <BulkBar
            count={selection.selected.size}
            ask={bulk.ask}
            busy={bulk.busy}
            onAsk={bulk.setAsk}
            onConfirm={(action) => bulk.run(action, selection.picked(items))}
          />
        )}
        {pairs.pageError ? (
          <SectionMessage appearance="error" title="Could not load pairs" actions={<Button onClick={refresh}>Try again</Button>}>
            {pairs.pageError}
          </SectionMessage>
        ) : !page ? (
          <Spinner label="Loading pairs" />
        ) : items.length === 0 ? (
          <EmptyState title="Nothing to review" testId="queue-empty">
            No pairs match these filters.
          </EmptyState>
        ) : (
          <PairsTable
            items={items}
            selected={selection.selected}
            allSelected={selection.allOf(items)}
            busy={rows.busy}
            loading={pairs.loading}
            siteUrl={siteUrl}
            onToggle={selection.toggle}
            onToggleAll={() => selection.toggleAll(items)}
            onAction={rows.act}
            onOpen={openIssue}
          />
        )}
        <Pagination
          total={page?.total ?? 0}
          page={page?.page ?? filter.page ?? 1}
          pageSize={page?.pageSize ?? PAGE_SIZE}
          loading={pairs.loading}
          onPage={(n) => pairs.update({ page: n })}
        />
      </section>

      <HistorySection host={host} tick={tick} siteUrl={siteUrl} onOpen={openIssue} />
    </PageShell>
  );
}

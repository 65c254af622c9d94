// Duplicate review dashboard: headline numbers, charts, the filterable queue with single and bulk actions, CSV export.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { JSX } from 'preact';
import type { Host } from '../host/host';
import { Api, describeError, type DashboardSummary, type PairFilter, type PairItem, type PairsPage, type PairStatus } from '../api';
import { Button, EmptyState, Field, Lozenge, SectionMessage, Spinner, statusAppearance } from '../ui/components';
import { formatCount, formatDate, formatDay } from '../ui/format';
import { Score } from '../panel/Panel';
import { drawChart, projectConfig, seriesConfig, tokenColors } from './charts';

export const PAGE_SIZE = 25;
export const SEARCH_DEBOUNCE_MS = 300;

export const pairId = (p: PairItem) => `${p.issue.key}|${p.candidate.key}`;

function useColorModeTick(): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const obs = new MutationObserver(() => setTick((n) => n + 1));
    obs.observe(document.documentElement, { attributes: true, attributeFilter: ['data-color-mode', 'data-theme'] });
    return () => obs.disconnect();
  }, []);
  return tick;
}

function ChartCanvas(props: { build: () => Parameters<typeof drawChart>[1]; label: string; deps: unknown[] }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    return drawChart(ref.current, props.build());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, props.deps);
  return (
    <div class="doppel-chart">
      <canvas ref={ref} role="img" aria-label={props.label} />
    </div>
  );
}

function Headline(props: { summary: DashboardSummary | null }) {
  const h = props.summary?.headline;
  const items: [string, number | undefined, string][] = [
    ['Pending review', h?.pending, 'pending'],
    ['Confirmed duplicates', h?.confirmed, 'confirmed'],
    ['Dismissed', h?.dismissed, 'dismissed'],
    ['Issues indexed', h?.issues, 'issues'],
  ];
  return (
    <section class="doppel-headline" aria-label="Headline numbers">
      {items.map(([label, value, id]) => (
        <div class="ds-card doppel-headline__item" key={id}>
          <div class="doppel-headline__value" data-testid={`headline-${id}`}>
            {formatCount(value)}
          </div>
          <div class="doppel-headline__label">{label}</div>
        </div>
      ))}
    </section>
  );
}

function triggerDownload(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function Dashboard(props: {
  host: Host | null;
  hostError?: string;
  download?: (blob: Blob, name: string) => void;
  debounceMs?: number;
}) {
  const { host } = props;
  const download = props.download ?? triggerDownload;
  const debounceMs = props.debounceMs ?? SEARCH_DEBOUNCE_MS;
  const [summary, setSummary] = useState<DashboardSummary | null>(null);
  const [summaryError, setSummaryError] = useState<string | null>(null);
  const [filter, setFilter] = useState<PairFilter>({ status: 'pending', project: '', q: '', minScore: 0, page: 1, pageSize: PAGE_SIZE });
  const [search, setSearch] = useState('');
  const [page, setPage] = useState<PairsPage | null>(null);
  const [pageError, setPageError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState<Record<string, string>>({});
  const [bulkAsk, setBulkAsk] = useState<'link' | 'dismiss' | null>(null);
  const [bulkBusy, setBulkBusy] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [tick, setTick] = useState(0);
  const [siteUrl, setSiteUrl] = useState<string | undefined>(undefined);
  const themeTick = useColorModeTick();

  const refresh = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    if (!host) return;
    host.context().then((c) => setSiteUrl(c.siteUrl), () => undefined);
  }, [host]);

  useEffect(() => {
    if (!host) return;
    new Api(host).summary().then(
      (s) => {
        setSummary(s);
        setSummaryError(null);
      },
      (e) => setSummaryError(describeError(e)),
    );
  }, [host, tick]);

  useEffect(() => {
    if (!host) return;
    let cancelled = false;
    setLoading(true);
    new Api(host).pairs(filter).then(
      (p) => {
        if (cancelled) return;
        setPage(p);
        setPageError(null);
        setLoading(false);
        setSelected((s) => new Set([...s].filter((id) => p.items.some((it) => pairId(it) === id))));
      },
      (e) => {
        if (cancelled) return;
        setPageError(describeError(e));
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [host, filter, tick]);

  useEffect(() => {
    const id = setTimeout(() => setFilter((f) => (f.q === search ? f : { ...f, q: search, page: 1 })), debounceMs);
    return () => clearTimeout(id);
  }, [search, debounceMs]);

  useLayoutEffect(() => {
    host?.resize();
  });

  if (props.hostError) {
    return (
      <main class="doppel-page">
        <SectionMessage appearance="error" title="Doppel could not start">
          {props.hostError}
        </SectionMessage>
      </main>
    );
  }

  const api = host ? new Api(host) : null;
  const items = page?.items ?? [];
  const total = page?.total ?? 0;
  const pageNo = page?.page ?? filter.page ?? 1;
  const pageSize = page?.pageSize ?? PAGE_SIZE;
  const lastPage = Math.max(1, Math.ceil(total / pageSize));
  const from = total === 0 ? 0 : (pageNo - 1) * pageSize + 1;
  const to = Math.min(total, pageNo * pageSize);
  const allOnPage = items.length > 0 && items.every((it) => selected.has(pairId(it)));
  const projects = [...new Set((summary?.byProject ?? []).map((p) => p.project))].sort();

  const update = (patch: Partial<PairFilter>) => setFilter((f) => ({ ...f, ...patch, page: patch.page ?? 1 }));

  const single = async (it: PairItem, action: 'link' | 'dismiss' | 'restore') => {
    if (!api || !host) return;
    const id = pairId(it);
    setBusy((b) => ({ ...b, [id]: action }));
    try {
      await api.pairAction(it.issue.key, it.candidate.key, action);
      const label = action === 'link' ? 'Marked as duplicate' : action === 'dismiss' ? 'Dismissed' : 'Restored';
      host.flag('success', label, `${it.issue.key} and ${it.candidate.key}`);
      refresh();
    } catch (e) {
      host.flag('error', 'Action failed', describeError(e));
    } finally {
      setBusy((b) => {
        const n = { ...b };
        delete n[id];
        return n;
      });
    }
  };

  const runBulk = async (action: 'link' | 'dismiss') => {
    if (!api || !host) return;
    const pairs = items.filter((it) => selected.has(pairId(it))).map((it) => ({ issue: it.issue.key, candidate: it.candidate.key }));
    setBulkBusy(true);
    try {
      const r = await api.bulk(action, pairs);
      const failed = Array.isArray(r.failed) ? r.failed.length : 0;
      const verb = action === 'link' ? 'marked as duplicates' : 'dismissed';
      host.flag(failed ? 'warning' : 'success', `${r.done ?? 0} pairs ${verb}`, failed ? `${failed} could not be processed.` : undefined);
      setSelected(new Set());
      setBulkAsk(null);
      refresh();
    } catch (e) {
      host.flag('error', 'Bulk action failed', describeError(e));
    } finally {
      setBulkBusy(false);
    }
  };

  const exportCsv = async () => {
    if (!api || !host) return;
    setExporting(true);
    try {
      const blob = await api.pairsCsv(filter);
      download(blob, `doppel-pairs-${new Date().toISOString().slice(0, 10)}.csv`);
    } catch (e) {
      host.flag('error', 'Export failed', describeError(e));
    } finally {
      setExporting(false);
    }
  };

  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  return (
    <main class="doppel-page doppel-dashboard">
      <h1>Duplicate review</h1>
      {summaryError && (
        <SectionMessage appearance="error" title="Could not load the summary">
          {summaryError}
        </SectionMessage>
      )}
      <Headline summary={summary} />
      <section class="doppel-charts">
        <div class="ds-card">
          <h2 id="chart-time-h">Found and confirmed over time</h2>
          {summary && summary.series.length > 0 ? (
            <ChartCanvas
              label={`Line chart of duplicates found and confirmed per day over ${summary.series.length} days`}
              build={() => seriesConfig(summary.series, tokenColors())}
              deps={[summary, themeTick]}
            />
          ) : (
            <EmptyState title={summary ? 'No activity yet' : 'Loading…'} />
          )}
        </div>
        <div class="ds-card">
          <h2 id="chart-project-h">By project</h2>
          {summary && summary.byProject.length > 0 ? (
            <ChartCanvas
              label={`Bar chart of duplicates found and confirmed in ${summary.byProject.length} projects`}
              build={() => projectConfig(summary.byProject, tokenColors())}
              deps={[summary, themeTick]}
            />
          ) : (
            <EmptyState title={summary ? 'No projects yet' : 'Loading…'} />
          )}
        </div>
      </section>

      <section class="ds-card" aria-labelledby="queue-h">
        <div class="doppel-queue-head">
          <h2 id="queue-h">Review queue</h2>
          <Button onClick={exportCsv} loading={exporting} testId="export-csv">
            Export CSV
          </Button>
        </div>
        <div class="doppel-filters" role="search">
          <Field id="q" label="Search">
            <input
              id="q"
              class="ds-input"
              type="search"
              placeholder="Key or summary"
              value={search}
              onInput={(e: JSX.TargetedEvent<HTMLInputElement>) => setSearch(e.currentTarget.value)}
            />
          </Field>
          <Field id="f-project" label="Project">
            <select
              id="f-project"
              class="ds-select"
              value={filter.project}
              onChange={(e: JSX.TargetedEvent<HTMLSelectElement>) => update({ project: e.currentTarget.value })}
            >
              <option value="">All projects</option>
              {projects.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </Field>
          <Field id="f-status" label="Status">
            <select
              id="f-status"
              class="ds-select"
              value={filter.status}
              onChange={(e: JSX.TargetedEvent<HTMLSelectElement>) => update({ status: e.currentTarget.value as PairStatus | '' })}
            >
              <option value="pending">Pending</option>
              <option value="confirmed">Confirmed</option>
              <option value="dismissed">Dismissed</option>
              <option value="">All</option>
            </select>
          </Field>
          <Field id="f-score" label="Minimum similarity">
            <select
              id="f-score"
              class="ds-select"
              value={String(filter.minScore ?? 0)}
              onChange={(e: JSX.TargetedEvent<HTMLSelectElement>) => update({ minScore: Number(e.currentTarget.value) })}
            >
              <option value="0">Any</option>
              <option value="0.5">50 % or more</option>
              <option value="0.7">70 % or more</option>
              <option value="0.9">90 % or more</option>
            </select>
          </Field>
        </div>

        {selected.size > 0 && (
          <div class="doppel-bulk" role="region" aria-label="Bulk actions" data-testid="bulk-bar">
            {bulkAsk ? (
              <>
                <span>
                  {bulkAsk === 'link'
                    ? `Link ${selected.size} selected pairs as duplicates in Jira?`
                    : `Dismiss ${selected.size} selected pairs?`}
                </span>
                <span class="ds-button-group">
                  <Button appearance="primary" loading={bulkBusy} onClick={() => runBulk(bulkAsk)} testId="bulk-confirm">
                    {bulkAsk === 'link' ? 'Link all' : 'Dismiss all'}
                  </Button>
                  <Button appearance="subtle" disabled={bulkBusy} onClick={() => setBulkAsk(null)}>
                    Cancel
                  </Button>
                </span>
              </>
            ) : (
              <>
                <span>{selected.size} selected</span>
                <span class="ds-button-group">
                  <Button onClick={() => setBulkAsk('link')} testId="bulk-link">
                    Mark as duplicates
                  </Button>
                  <Button appearance="subtle" onClick={() => setBulkAsk('dismiss')} testId="bulk-dismiss">
                    Dismiss
                  </Button>
                </span>
              </>
            )}
          </div>
        )}

        {pageError ? (
          <SectionMessage appearance="error" title="Could not load pairs" actions={<Button onClick={refresh}>Try again</Button>}>
            {pageError}
          </SectionMessage>
        ) : !page ? (
          <Spinner label="Loading pairs" />
        ) : items.length === 0 ? (
          <EmptyState title="Nothing to review" testId="queue-empty">
            No pairs match these filters.
          </EmptyState>
        ) : (
          <div class="doppel-table-wrap" aria-busy={loading ? 'true' : undefined}>
            <table class="ds-table" data-testid="pairs-table">
              <caption class="ds-visually-hidden">Suggested duplicate pairs</caption>
              <thead>
                <tr>
                  <th scope="col" class="doppel-col-check">
                    <input
                      type="checkbox"
                      class="ds-checkbox"
                      aria-label="Select all pairs on this page"
                      checked={allOnPage}
                      onChange={() =>
                        setSelected(allOnPage ? new Set() : new Set(items.map(pairId)))
                      }
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
                {items.map((it) => {
                  const id = pairId(it);
                  const b = busy[id];
                  return (
                    <tr key={id} class={selected.has(id) ? 'is-selected' : undefined} data-testid={`pair-${it.issue.key}-${it.candidate.key}`}>
                      <td class="doppel-col-check">
                        <input
                          type="checkbox"
                          class="ds-checkbox"
                          aria-label={`Select ${it.issue.key} and ${it.candidate.key}`}
                          checked={selected.has(id)}
                          onChange={() => toggle(id)}
                        />
                      </td>
                      <td>
                        <IssueCell issue={it.issue} siteUrl={siteUrl} onOpen={(k, u) => host?.openIssue(k, u)} />
                      </td>
                      <td>
                        <IssueCell issue={it.candidate} siteUrl={siteUrl} onOpen={(k, u) => host?.openIssue(k, u)} />
                      </td>
                      <td>
                        <Score score={it.score} />
                      </td>
                      <td>
                        <Lozenge appearance={it.status === 'confirmed' ? 'success' : it.status === 'dismissed' ? 'default' : 'new'}>
                          {it.status}
                        </Lozenge>
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
                              onClick={() => single(it, 'link')}
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
                              onClick={() => single(it, 'dismiss')}
                              label={`Dismiss ${it.issue.key} and ${it.candidate.key}`}
                              testId={`row-dismiss-${id}`}
                            >
                              Dismiss
                            </Button>
                          </span>
                        )}
                        {it.status === 'dismissed' && (
                          <Button class="ds-button--compact" appearance="subtle" loading={b === 'restore'} onClick={() => single(it, 'restore')}>
                            Restore
                          </Button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <nav class="doppel-pagination" aria-label="Pagination">
          <span class="ds-subtle" data-testid="page-info">
            {total === 0 ? 'No pairs' : `Showing ${from}–${to} of ${formatCount(total)}`}
          </span>
          <span class="ds-button-group">
            <Button appearance="subtle" disabled={pageNo <= 1 || loading} onClick={() => update({ page: pageNo - 1 })} testId="prev-page">
              Previous
            </Button>
            <span class="doppel-page-no" aria-current="page">
              Page {pageNo} of {lastPage}
            </span>
            <Button appearance="subtle" disabled={pageNo >= lastPage || loading} onClick={() => update({ page: pageNo + 1 })} testId="next-page">
              Next
            </Button>
          </span>
        </nav>
      </section>
    </main>
  );
}

function IssueCell(props: { issue: PairItem['issue']; siteUrl?: string; onOpen: (key: string, url: string) => void }) {
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

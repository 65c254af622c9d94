// The review queue's filter (search debounced into it) and the page of pairs it selects, fetched again on `tick`.
import { useEffect, useState } from 'preact/hooks';
import type { Host } from '../host/host';
import { Api, describeError, type PairFilter, type PairItem, type PairsPage } from '../api';

export const PAGE_SIZE = 25;

/** `onPage` hears every page that arrives (the selection keeps only pairs still shown). */
export function usePairs(host: Host | null, tick: number, debounceMs: number, onPage: (items: PairItem[]) => void) {
  const [filter, setFilter] = useState<PairFilter>({ status: 'pending', project: '', q: '', minScore: 0, page: 1, pageSize: PAGE_SIZE });
  const [search, setSearch] = useState('');
  const [page, setPage] = useState<PairsPage | null>(null);
  const [pageError, setPageError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

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
        onPage(p.items);
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
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [host, filter, tick]);

  useEffect(() => {
    const id = setTimeout(() => setFilter((f) => (f.q === search ? f : { ...f, q: search, page: 1 })), debounceMs);
    return () => clearTimeout(id);
  }, [search, debounceMs]);

  /** Changes the filter; any change other than the page number goes back to page 1. */
  const update = (patch: Partial<PairFilter>) => setFilter((f) => ({ ...f, ...patch, page: patch.page ?? 1 }));

  return { filter, update, search, setSearch, page, pageError, loading };
}

// The pair action history, newest first, once `enabled`: the first page again whenever `tick` changes, older pages on
// request.
import { useEffect, useState } from 'preact/hooks';
import type { Host } from '../host/host';
import { Api, describeError, type HistoryItem } from '../api';

export const HISTORY_PAGE = 20;

export function useHistory(host: Host | null, tick: number, enabled: boolean) {
  const [items, setItems] = useState<HistoryItem[] | null>(null);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    if (!host || !enabled) return;
    new Api(host).history(undefined, HISTORY_PAGE).then(
      (page) => {
        setItems(page.items);
        setNext(page.next);
        setError(null);
      },
      (e) => setError(describeError(e)),
    );
  }, [host, tick, enabled]);
  const loadMore = () => {
    if (!host || next === null || loading) return;
    setLoading(true);
    new Api(host).history(next, HISTORY_PAGE).then(
      (page) => {
        setItems((old) => [...(old ?? []), ...page.items]);
        setNext(page.next);
        setLoading(false);
      },
      (e) => {
        setError(describeError(e));
        setLoading(false);
      },
    );
  };
  return { items, next, error, loading, loadMore };
}

// The dashboard summary (headline numbers, series, per-project counts), fetched again whenever `tick` changes.
import { useEffect, useState } from 'preact/hooks';
import type { Host } from '../host/host';
import { Api, describeError, type DashboardSummary } from '../api';

export function useSummary(host: Host | null, tick: number) {
  const [summary, setSummary] = useState<DashboardSummary | null>(null);
  const [summaryError, setSummaryError] = useState<string | null>(null);
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
  return { summary, summaryError };
}

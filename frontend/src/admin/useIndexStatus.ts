// Backfill status and index statistics for the admin page, polled every pollMs while a backfill runs.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Host } from '../host/host';
import { Api, type StatusResponse } from '../api';
import { isBackfillRunning } from '../ui/format';
import type { Scheduler } from '../ui/schedule';

export function useIndexStatus(host: Host | null, pollMs: number, schedule: Scheduler) {
  const cancelPoll = useRef<(() => void) | null>(null);
  const [status, setStatus] = useState<StatusResponse | null>(null);
  const [stats, setStats] = useState<Record<string, unknown> | null>(null);

  // Fetches /api/status and /api/admin/stats; each answer decides whether to poll again.
  const refreshStatus = useCallback(async () => {
    if (!host) return;
    const a = new Api(host);
    const [s, st] = await Promise.all([a.status().catch(() => null), a.stats().catch(() => null)]);
    if (s) setStatus(s);
    if (st) setStats(st);
    cancelPoll.current?.();
    cancelPoll.current = s && isBackfillRunning(s.backfill.state) ? schedule(() => void refreshStatus(), pollMs) : null;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [host, pollMs]);

  useEffect(() => () => cancelPoll.current?.(), []);

  useEffect(() => {
    if (!host) return;
    void refreshStatus();
  }, [host, refreshStatus]);

  return { status, stats, refreshStatus };
}

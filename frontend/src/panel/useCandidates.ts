// The panel's suggestions for the current issue and the site status: loaded at start, on ISSUE_CHANGED, reload(), while indexing.
import { useEffect, useState } from 'preact/hooks';
import type { Host } from '../host/host';
import { Api, describeError, type Candidate, type StatusResponse } from '../api';
import { isBackfillRunning } from '../ui/format';
import type { Scheduler } from '../ui/schedule';
import { useReload } from '../ui/useReload';

export const PANEL_LIMIT = 10;

export type Load =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; candidates: Candidate[]; status: StatusResponse | null };

export function useCandidates(host: Host | null, schedule: Scheduler, refreshMs: number) {
  const [issueKey, setIssueKey] = useState<string | undefined>(undefined);
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [reloadTick, reload] = useReload();

  useEffect(() => {
    if (!host) return;
    host.onIssueChanged(reload);
  }, [host, reload]);

  useEffect(() => {
    if (!host) return;
    let cancelled = false;
    const api = new Api(host);
    (async () => {
      const ctx = await host.context();
      if (cancelled) return;
      setIssueKey(ctx.issueKey);
      if (!ctx.issueKey) {
        setLoad({ kind: 'error', message: 'Open this panel from a Jira issue: no issue key was given.' });
        return;
      }
      const statusP = api.status().catch(() => null);
      try {
        const similar = await api.similar(ctx.issueKey, PANEL_LIMIT);
        const status = await statusP;
        if (cancelled) return;
        const candidates = (Array.isArray(similar.candidates) ? similar.candidates : [])
          .map((c) => ({
            ...c,
            terms: Array.isArray(c.terms) ? c.terms.filter((t) => typeof t === 'string') : [],
            pairStatus: c.pairStatus ?? 'pending',
            score: typeof c.score === 'number' ? c.score : 0,
          }))
          .sort((a, b) => b.score - a.score);
        setLoad({ kind: 'ready', candidates, status });
      } catch (e) {
        if (!cancelled) setLoad({ kind: 'error', message: describeError(e) });
      }
    })().catch((e) => !cancelled && setLoad({ kind: 'error', message: describeError(e) }));
    return () => {
      cancelled = true;
    };
  }, [host, reloadTick]);

  const indexingNow = load.kind === 'ready' && !!load.status && isBackfillRunning(load.status.backfill.state);
  useEffect(() => {
    if (!indexingNow) return;
    return schedule(reload, refreshMs);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [indexingNow, load, refreshMs]);

  /** Changes one loaded suggestion in place (after an action the server accepted). */
  const setCandidate = (key: string, patch: Partial<Candidate>) =>
    setLoad((l) =>
      l.kind === 'ready' ? { ...l, candidates: l.candidates.map((c) => (c.key === key ? { ...c, ...patch } : c)) } : l,
    );

  return { issueKey, load, reload, setCandidate };
}

// Link / dismiss / restore of one suggestion: per-key busy state, the link confirmation, the undo line, error flags.
import { useState } from 'preact/hooks';
import type { Host } from '../host/host';
import { Api, describeError, type Candidate } from '../api';

export type CandidateAction = 'link' | 'dismiss' | 'restore';

export function useCandidateActions(host: Host | null, issueKey: string | undefined, setCandidate: (key: string, patch: Partial<Candidate>) => void) {
  const [busy, setBusy] = useState<Record<string, string>>({});
  const [confirming, setConfirming] = useState<string | null>(null);
  const [recentlyDismissed, setRecentlyDismissed] = useState<Set<string>>(new Set());

  const setBusyFor = (key: string, action: string | null) =>
    setBusy((b) => {
      const n = { ...b };
      if (action) n[key] = action;
      else delete n[key];
      return n;
    });

  const act = async (c: Candidate, action: CandidateAction) => {
    if (!host || !issueKey) return;
    setBusyFor(c.key, action);
    try {
      await new Api(host).pairAction(issueKey, c.key, action);
      if (action === 'link') {
        setCandidate(c.key, { pairStatus: 'confirmed' });
        setConfirming(null);
        host.flag('success', 'Linked as duplicate', `${issueKey} is now linked as a duplicate of ${c.key}.`);
      } else if (action === 'dismiss') {
        setCandidate(c.key, { pairStatus: 'dismissed' });
        setRecentlyDismissed((s) => new Set(s).add(c.key));
      } else {
        setCandidate(c.key, { pairStatus: 'pending' });
        setRecentlyDismissed((s) => {
          const n = new Set(s);
          n.delete(c.key);
          return n;
        });
      }
    } catch (e) {
      const what = action === 'link' ? 'link the issues' : action === 'dismiss' ? 'dismiss the suggestion' : 'restore the suggestion';
      host.flag('error', `Could not ${what}`, describeError(e));
    } finally {
      setBusyFor(c.key, null);
    }
  };

  return { busy, confirming, setConfirming, recentlyDismissed, act };
}

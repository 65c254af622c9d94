// Link / dismiss / restore of one pair from its table row, with the row's busy state and the result flag.
import { useState } from 'preact/hooks';
import type { Host } from '../host/host';
import { Api, describeError, type PairItem } from '../api';
import { pairId } from './useSelection';

export type PairAction = 'link' | 'dismiss' | 'restore';

/** `onDone` runs after an action the server accepted (reload). */
export function usePairActions(host: Host | null, onDone: () => void) {
  const [busy, setBusy] = useState<Record<string, PairAction>>({});

  const act = async (it: PairItem, action: PairAction) => {
    if (!host) return;
    const id = pairId(it);
    setBusy((b) => ({ ...b, [id]: action }));
    try {
      await new Api(host).pairAction(it.issue.key, it.candidate.key, action);
      const label = action === 'link' ? 'Marked as duplicate' : action === 'dismiss' ? 'Dismissed' : 'Restored';
      host.flag('success', label, `${it.issue.key} and ${it.candidate.key}`);
      onDone();
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

  return { busy, act };
}

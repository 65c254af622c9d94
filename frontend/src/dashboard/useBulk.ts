// Bulk link / dismiss of the selected pairs: the confirmation step, the request and its flag.
import { useState } from 'preact/hooks';
import type { Host } from '../host/host';
import { Api, describeError, type PairItem } from '../api';

export type BulkAction = 'link' | 'dismiss';

/** `onDone` runs after a bulk action the server accepted (clear the selection, reload). */
export function useBulk(host: Host | null, onDone: () => void) {
  const [ask, setAsk] = useState<BulkAction | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (action: BulkAction, items: PairItem[]) => {
    if (!host) return;
    const pairs = items.map((it) => ({ issue: it.issue.key, candidate: it.candidate.key }));
    setBusy(true);
    try {
      const r = await new Api(host).bulk(action, pairs);
      const failed = Array.isArray(r.failed) ? r.failed.length : 0;
      const verb = action === 'link' ? 'marked as duplicates' : 'dismissed';
      host.flag(failed ? 'warning' : 'success', `${r.done ?? 0} pairs ${verb}`, failed ? `${failed} could not be processed.` : undefined);
      setAsk(null);
      onDone();
    } catch (e) {
      host.flag('error', 'Bulk action failed', describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return { ask, setAsk, busy, run };
}

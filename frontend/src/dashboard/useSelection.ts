// The set of selected pairs (by pairId) for bulk actions.
import { useCallback, useState } from 'preact/hooks';
import type { PairItem } from '../api';

export const pairId = (p: PairItem) => `${p.issue.key}|${p.candidate.key}`;

export function useSelection() {
  const [selected, setSelected] = useState<Set<string>>(new Set());

  /** Drops selected pairs that are not among `items` (after a new page arrived). */
  const keepOnly = useCallback(
    (items: PairItem[]) => setSelected((s) => new Set([...s].filter((id) => items.some((it) => pairId(it) === id)))),
    [],
  );
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const allOf = (items: PairItem[]) => items.length > 0 && items.every((it) => selected.has(pairId(it)));
  /** Selects every pair of `items`, or none when all of them are selected already. */
  const toggleAll = (items: PairItem[]) => setSelected(allOf(items) ? new Set() : new Set(items.map(pairId)));
  const clear = () => setSelected(new Set());
  const picked = (items: PairItem[]) => items.filter((it) => selected.has(pairId(it)));

  return { selected, keepOnly, toggle, allOf, toggleAll, clear, picked };
}

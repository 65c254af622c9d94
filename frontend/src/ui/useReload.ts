// A reload counter for effects: list `tick` in an effect's dependencies and call `reload` to run it again.
import { useCallback, useState } from 'preact/hooks';

export function useReload(): [tick: number, reload: () => void] {
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return [tick, reload];
}

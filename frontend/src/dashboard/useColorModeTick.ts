// A counter that changes whenever the host switches the colour theme, so charts redraw with the new token colours.
import { useEffect, useState } from 'preact/hooks';

export function useColorModeTick(): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const obs = new MutationObserver(() => setTick((n) => n + 1));
    obs.observe(document.documentElement, { attributes: true, attributeFilter: ['data-color-mode', 'data-theme'] });
    return () => obs.disconnect();
  }, []);
  return tick;
}

// A Chart.js canvas (role img with a text label) that redraws when its deps change.
import { useEffect, useRef } from 'preact/hooks';
import { drawChart } from './charts';

export function ChartCanvas(props: { build: () => Parameters<typeof drawChart>[1]; label: string; deps: unknown[] }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    return drawChart(ref.current, props.build());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, props.deps);
  return (
    <div class="doppel-chart">
      <canvas ref={ref} role="img" aria-label={props.label} />
    </div>
  );
}

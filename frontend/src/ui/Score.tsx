// The similarity meter and percentage shown next to a suggested pair (panel and dashboard).
import { percent } from './format';

export function Score(props: { score: number }) {
  const p = percent(props.score);
  return (
    <span class="doppel-score" title={`Similarity ${p}`}>
      <span class="doppel-score__meter" aria-hidden="true">
        <span class="doppel-score__fill" style={{ width: p, display: 'block' }} />
      </span>
      <span class="doppel-score__value">
        <span class="ds-visually-hidden">Similarity </span>
        {p}
      </span>
    </span>
  );
}

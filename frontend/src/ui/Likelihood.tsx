// A pair's likelihood (panel and dashboard): the estimated chance that it is a filed duplicate, as a short percentage.
import { formatLikelihood } from './format';

/** What the number means, for the tooltip and the panel's footnote. */
export const LIKELIHOOD_MEANING =
  'Doppel’s estimate of the chance that the two issues get filed as duplicates. Filed duplicates are rare, so a few percent is already a strong hint.';

/** `suffix` adds "likely" after the number (the panel); the dashboard's column header names it instead. */
export function Likelihood(props: { value: number; suffix?: boolean }) {
  const text = formatLikelihood(props.value);
  return (
    <span class="doppel-likelihood" title={`${text} likely: ${LIKELIHOOD_MEANING}`}>
      <span class="doppel-likelihood__value">{text}</span>
      {props.suffix ? <span class="doppel-likelihood__unit"> likely</span> : <span class="ds-visually-hidden"> likely</span>}
    </span>
  );
}

// The dashboard's four headline numbers (pending, confirmed, dismissed, issues indexed).
import type { DashboardSummary } from '../api';
import { formatCount } from '../ui/format';

export function Headline(props: { summary: DashboardSummary | null }) {
  const h = props.summary?.headline;
  const items: [string, number | undefined, string][] = [
    ['Pending review', h?.pending, 'pending'],
    ['Confirmed duplicates', h?.confirmed, 'confirmed'],
    ['Dismissed', h?.dismissed, 'dismissed'],
    ['Issues indexed', h?.issues, 'issues'],
  ];
  return (
    <section class="doppel-headline" aria-label="Headline numbers">
      {items.map(([label, value, id]) => (
        <div class="ds-card doppel-headline__item" key={id}>
          <div class="doppel-headline__value" data-testid={`headline-${id}`}>
            {formatCount(value)}
          </div>
          <div class="doppel-headline__label">{label}</div>
        </div>
      ))}
    </section>
  );
}

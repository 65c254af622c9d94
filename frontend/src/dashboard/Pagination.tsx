// The queue's footer: "Showing a–b of n" and previous / next page buttons.
import { Button } from '../ui/components';
import { formatCount } from '../ui/format';

export function Pagination(props: { total: number; page: number; pageSize: number; loading: boolean; onPage: (page: number) => void }) {
  const { total, page, pageSize, loading } = props;
  const lastPage = Math.max(1, Math.ceil(total / pageSize));
  const from = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const to = Math.min(total, page * pageSize);
  return (
    <nav class="doppel-pagination" aria-label="Pagination">
      <span class="ds-subtle" data-testid="page-info">
        {total === 0 ? 'No pairs' : `Showing ${from}–${to} of ${formatCount(total)}`}
      </span>
      <span class="ds-button-group">
        <Button appearance="subtle" disabled={page <= 1 || loading} onClick={() => props.onPage(page - 1)} testId="prev-page">
          Previous
        </Button>
        <span class="doppel-page-no" aria-current="page">
          Page {page} of {lastPage}
        </span>
        <Button appearance="subtle" disabled={page >= lastPage || loading} onClick={() => props.onPage(page + 1)} testId="next-page">
          Next
        </Button>
      </span>
    </nav>
  );
}

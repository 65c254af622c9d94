// The review queue's filter row: search text, project, status and minimum similarity.
import type { JSX } from 'preact';
import type { PairFilter, PairStatus } from '../api';
import { Field } from '../ui/components';

export function QueueFilters(props: {
  search: string;
  onSearch: (text: string) => void;
  filter: PairFilter;
  projects: string[];
  onChange: (patch: Partial<PairFilter>) => void;
}) {
  const { filter } = props;
  return (
    <div class="doppel-filters" role="search">
      <Field id="q" label="Search">
        <input
          id="q"
          class="ds-input"
          type="search"
          placeholder="Key or summary"
          value={props.search}
          onInput={(e: JSX.TargetedEvent<HTMLInputElement>) => props.onSearch(e.currentTarget.value)}
        />
      </Field>
      <Field id="f-project" label="Project">
        <select
          id="f-project"
          class="ds-select"
          value={filter.project}
          onChange={(e: JSX.TargetedEvent<HTMLSelectElement>) => props.onChange({ project: e.currentTarget.value })}
        >
          <option value="">All projects</option>
          {props.projects.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </Field>
      <Field id="f-status" label="Status">
        <select
          id="f-status"
          class="ds-select"
          value={filter.status}
          onChange={(e: JSX.TargetedEvent<HTMLSelectElement>) => props.onChange({ status: e.currentTarget.value as PairStatus | '' })}
        >
          <option value="pending">Pending</option>
          <option value="confirmed">Confirmed</option>
          <option value="dismissed">Dismissed</option>
          <option value="">All</option>
        </select>
      </Field>
      <Field id="f-score" label="Minimum similarity">
        <select
          id="f-score"
          class="ds-select"
          value={String(filter.minScore ?? 0)}
          onChange={(e: JSX.TargetedEvent<HTMLSelectElement>) => props.onChange({ minScore: Number(e.currentTarget.value) })}
        >
          <option value="0">Any</option>
          <option value="0.5">50 % or more</option>
          <option value="0.7">70 % or more</option>
          <option value="0.9">90 % or more</option>
        </select>
      </Field>
    </div>
  );
}

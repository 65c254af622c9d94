// The dashboard's two charts: found/confirmed per day and per project, or an empty state while there is no data.
import type { DashboardSummary } from '../api';
import { EmptyState } from '../ui/components';
import { ChartCanvas } from './ChartCanvas';
import { projectConfig, seriesConfig, tokenColors } from './charts';

/** `themeTick` changes when the colour theme does, so the charts redraw in the new colours. */
export function ChartsSection(props: { summary: DashboardSummary | null; themeTick: number }) {
  const { summary, themeTick } = props;
  return (
    <section class="doppel-charts">
      <div class="ds-card">
        <h2 id="chart-time-h">Found and confirmed over time</h2>
        {summary && summary.series.length > 0 ? (
          <ChartCanvas
            label={`Line chart of duplicates found and confirmed per day over ${summary.series.length} days`}
            build={() => seriesConfig(summary.series, tokenColors())}
            deps={[summary, themeTick]}
          />
        ) : (
          <EmptyState title={summary ? 'No activity yet' : 'Loading…'} />
        )}
      </div>
      <div class="ds-card">
        <h2 id="chart-project-h">By project</h2>
        {summary && summary.byProject.length > 0 ? (
          <ChartCanvas
            label={`Bar chart of duplicates found and confirmed in ${summary.byProject.length} projects`}
            build={() => projectConfig(summary.byProject, tokenColors())}
            deps={[summary, themeTick]}
          />
        ) : (
          <EmptyState title={summary ? 'No projects yet' : 'Loading…'} />
        )}
      </div>
    </section>
  );
}

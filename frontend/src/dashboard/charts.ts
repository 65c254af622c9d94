// Chart.js charts for the dashboard, coloured from the active design-token theme.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import type { DashboardSummary } from '../api';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface ChartColors {
  found: string;
  confirmed: string;
  text: string;
  grid: string;
}

export function tokenColors(el: Element = document.documentElement): ChartColors {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    found: v('--ds-chart-brand', '#357DE8'),
    confirmed: v('--ds-chart-success-bold', '#5B7F24'),
    text: v('--ds-text-subtle', '#505258'),
    grid: v('--ds-border', 'rgba(11,18,14,0.14)'),
  };
}

const scales = (c: ChartColors) => ({
  x: { ticks: { color: c.text }, grid: { color: c.grid } },
  y: { beginAtZero: true, ticks: { color: c.text, precision: 0 }, grid: { color: c.grid } },
});

/** "2026-11-08" → "Nov 8" (UTC, so the label is the server's day). */
export function shortDate(iso: string): string {
  const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleDateString('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

export function seriesConfig(s: DashboardSummary['series'], c: ChartColors): ChartConfiguration<'line'> {
  return {
    type: 'line',
    data: {
      labels: s.map((p) => shortDate(p.date)),
      datasets: [
        { label: 'Found', data: s.map((p) => p.found), borderColor: c.found, backgroundColor: c.found, tension: 0.25 },
        { label: 'Confirmed', data: s.map((p) => p.confirmed), borderColor: c.confirmed, backgroundColor: c.confirmed, tension: 0.25 },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { labels: { color: c.text } } },
      scales: scales(c),
    },
  };
}

export function projectConfig(p: DashboardSummary['byProject'], c: ChartColors): ChartConfiguration<'bar'> {
  return {
    type: 'bar',
    data: {
      labels: p.map((r) => r.project),
      datasets: [
        { label: 'Found', data: p.map((r) => r.found), backgroundColor: c.found, maxBarThickness: 48 },
        { label: 'Confirmed', data: p.map((r) => r.confirmed), backgroundColor: c.confirmed, maxBarThickness: 48 },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { labels: { color: c.text } } },
      scales: scales(c),
    },
  };
}

/** Draws (or redraws) a chart on a canvas; returns a destroy function. */
export function drawChart(canvas: HTMLCanvasElement, config: ChartConfiguration<'line'> | ChartConfiguration<'bar'>): () => void {
  if (!canvas.getContext || !canvas.getContext('2d')) return () => undefined; // jsdom: no canvas
  const chart = new Chart(canvas, config as ChartConfiguration);
  return () => chart.destroy();
}

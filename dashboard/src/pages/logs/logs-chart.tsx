/**
 * The requests-per-hour chart over `pb.logs.getStats` (docs/dashboard.md, "Logs"): one SVG
 * bar per hour with entries, scaled to the busiest hour; each bar's <title> gives its count.
 * Without a range it spans at least the last day, up to the current hour, so one busy hour is a
 * bar, not a block; with a date range it spans the range's hours (an open end: as without one).
 */
import type { HourlyStats } from 'pocketbase';

const WIDTH = 1000;
const HEIGHT = 120;
const HOUR = 3_600_000;
/** The least span shown, in hours. */
const MIN_HOURS = 24;

export interface LogsChartProps {
  stats: HourlyStats[];
  /** The range's start and end (ms, UTC), when the page has one. */
  from?: number;
  to?: number;
}

export function LogsChart({ stats, from, to }: LogsChartProps) {
  const total = stats.reduce((sum, s) => sum + s.total, 0);
  if (stats.length === 0) return <p class="muted logs-chart-empty">No entries to chart.</p>;
  const last = to !== undefined ? floorHour(to) : Math.max(hourOf(stats[stats.length - 1]!.date), floorHour(Date.now()));
  const first = from !== undefined ? floorHour(from) : Math.min(hourOf(stats[0]!.date), last - (MIN_HOURS - 1) * HOUR);
  const hours = Math.round((last - first) / HOUR) + 1;
  const max = Math.max(...stats.map((s) => s.total));
  const slot = WIDTH / hours;
  const label = `${total} entries between ${formatHour(first)} and ${formatHour(last + HOUR)}, at most ${max} in one hour`;
  return (
    <figure class="logs-chart">
      <svg data-first={new Date(first).toISOString()} data-last={new Date(last).toISOString()} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={label}>
        {stats.map((s) => {
          const height = Math.max(2, (s.total / max) * (HEIGHT - 4));
          const x = ((hourOf(s.date) - first) / HOUR) * slot;
          return (
            <rect key={s.date} class="logs-chart-bar" x={x + slot * 0.1} y={HEIGHT - height} width={Math.max(1, slot * 0.8)} height={height}>
              <title>{`${formatHour(hourOf(s.date))}: ${s.total}`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption class="muted">Entries per hour (UTC) · {formatHour(first)} – {formatHour(last + HOUR)} · peak {max}</figcaption>
    </figure>
  );
}

function floorHour(ms: number): number {
  return Math.floor(ms / HOUR) * HOUR;
}

/** The hour's start in ms from `2026-12-06 20:00:00.000Z`. */
function hourOf(date: string): number {
  return Date.parse(date.replace(' ', 'T'));
}

function formatHour(ms: number): string {
  // UTC, as the date range and the entries' `created` are.
  return new Date(ms).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
}

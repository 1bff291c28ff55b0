/**
 * The logs page's query (docs/dashboard.md, "Logs"): the typed filter, the level, the superuser
 * switch and the UTC date range, as the filter sent to the API and as the hash query of the URL.
 */

export interface LogsQuery {
  /** The filter language text as typed (docs/api.md §9, Logs). */
  filter: string;
  /** A level to keep only, or '' for every level. */
  level: string;
  /** Whether requests made by superusers (the dashboard's own) are listed. */
  withSuperusers: boolean;
  /** The first minute shown, UTC, as a datetime-local value (`2026-12-07T01:30`), or ''. */
  from: string;
  /** The last minute shown (inclusive), UTC, as `from`, or ''. */
  to: string;
}

export const EMPTY_LOGS_QUERY: LogsQuery = { filter: '', level: '', withSuperusers: false, from: '', to: '' };

/** A datetime-local value to the minute; bounded quantifiers only. */
const MINUTE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;
const MINUTE_MS = 60_000;

/** Whether `value` is a minute as a datetime-local input gives it (`2026-12-07T01:30`) that is a real date. */
export function isMinute(value: string): boolean {
  return MINUTE.test(value) && !Number.isNaN(minuteMs(value));
}

/** The minute's start in ms, read as UTC. */
export function minuteMs(value: string): number {
  return Date.parse(`${value}:00.000Z`);
}

/** What is wrong with the range, or undefined: each end is optional, and `from` may not be after `to`. */
export function rangeProblem(from: string, to: string): string | undefined {
  if (from !== '' && !isMinute(from)) return 'From must be a date and time.';
  if (to !== '' && !isMinute(to)) return 'To must be a date and time.';
  if (from !== '' && to !== '' && minuteMs(from) > minuteMs(to)) return 'From must not be after To.';
  return undefined;
}

/** The combined filter text for `GET /api/logs` and `/api/logs/stats`. */
export function logsFilter(query: LogsQuery): string {
  const parts: string[] = [];
  if (query.filter.trim() !== '') parts.push(`(${query.filter.trim()})`);
  // The level comes from the select's fixed options only.
  if (/^-?\d+$/.test(query.level)) parts.push(`level = ${query.level}`);
  if (!query.withSuperusers) parts.push(`data.auth != "_superusers"`);
  // Checked minutes only, written back by Date: nothing typed reaches the filter text.
  if (isMinute(query.from)) parts.push(`created >= "${storedDate(minuteMs(query.from))}"`);
  if (isMinute(query.to)) parts.push(`created <= "${storedDate(minuteMs(query.to) + MINUTE_MS - 1)}"`);
  return parts.join(' && ');
}

/** A time as log entries store `created`: `2026-12-07 01:30:00.000Z`. */
function storedDate(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ');
}

/** The query from the hash's parameters; a malformed range end is dropped. */
export function parseLogsQuery(params: URLSearchParams): LogsQuery {
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const level = params.get('level') ?? '';
  return {
    filter: params.get('filter') ?? '',
    level: /^-?\d+$/.test(level) ? level : '',
    withSuperusers: params.get('superusers') === '1',
    from: isMinute(from) ? from : '',
    to: isMinute(to) ? to : '',
  };
}

/** The query as the hash's parameters (empty ones are left out). */
export function logsQueryParams(query: LogsQuery): Record<string, string> {
  return { filter: query.filter, level: query.level, superusers: query.withSuperusers ? '1' : '', from: query.from, to: query.to };
}

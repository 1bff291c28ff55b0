/** The filter the logs page sends: the typed filter, the level and the superuser switch, joined with `&&`. */

export interface LogsQuery {
  /** The filter language text as typed (docs/api.md §9, Logs). */
  filter: string;
  /** A level to keep only, or '' for every level. */
  level: string;
  /** Whether requests made by superusers (the dashboard's own) are listed. */
  withSuperusers: boolean;
}

/** The combined filter text for `GET /api/logs` and `/api/logs/stats`. */
export function logsFilter(query: LogsQuery): string {
  const parts: string[] = [];
  if (query.filter.trim() !== '') parts.push(`(${query.filter.trim()})`);
  // The level comes from the select's fixed options only.
  if (/^-?\d+$/.test(query.level)) parts.push(`level = ${query.level}`);
  if (!query.withSuperusers) parts.push(`data.auth != "_superusers"`);
  return parts.join(' && ');
}

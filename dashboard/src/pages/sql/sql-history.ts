/** The SQL console's history: the last queries run, newest first, kept in localStorage. */

const KEY = 'plinth_dashboard_sql_history';
/** How many queries are kept. */
export const HISTORY_SIZE = 20;

/** The stored queries; a missing or damaged entry reads as none. */
export function readHistory(): string[] {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(value) ? value.filter((q): q is string => typeof q === 'string').slice(0, HISTORY_SIZE) : [];
  } catch {
    return [];
  }
}

/** Puts `query` first (once), keeps the newest HISTORY_SIZE, and returns the new list. */
export function rememberQuery(query: string): string[] {
  const next = [query, ...readHistory().filter((q) => q !== query)].slice(0, HISTORY_SIZE);
  localStorage.setItem(KEY, JSON.stringify(next));
  return next;
}

/** Forgets every query. */
export function clearHistory(): void {
  localStorage.removeItem(KEY);
}

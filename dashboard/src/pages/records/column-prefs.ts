/**
 * The column picker's memory: the hidden columns of each collection, in localStorage
 * (`plinth_dashboard_columns:<collection id>`), so a choice survives reloads.
 */

const PREFIX = 'plinth_dashboard_columns:';

/** The names of the columns the user hid in this collection. */
export function loadHiddenColumns(collectionId: string): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(PREFIX + collectionId) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** Remembers the hidden columns of this collection. */
export function saveHiddenColumns(collectionId: string, hidden: readonly string[]): void {
  if (hidden.length === 0) localStorage.removeItem(PREFIX + collectionId);
  else localStorage.setItem(PREFIX + collectionId, JSON.stringify(hidden));
}

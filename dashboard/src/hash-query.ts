/**
 * A screen's filters in the hash's query (`#/collections/posts?filter=…&sort=-created`, `#/logs?from=…`),
 * so a reload or a shared link shows the same rows. The router ignores the query when matching.
 */

/** The hash query's parameters. */
export function readHashQuery(): URLSearchParams {
  const hash = location.hash;
  const at = hash.indexOf('?');
  return new URLSearchParams(at >= 0 ? hash.slice(at + 1) : '');
}

/** Rewrites the hash query in place (no history entry, no hashchange). */
export function writeHashQuery(values: Record<string, string>): void {
  const hash = location.hash;
  const at = hash.indexOf('?');
  const path = at >= 0 ? hash.slice(0, at) : hash;
  const query = new URLSearchParams(Object.entries(values).filter(([, v]) => v !== ''));
  const text = query.toString();
  history.replaceState(history.state, '', text ? `${path}?${text}` : path || '#');
}

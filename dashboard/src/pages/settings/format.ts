/** Display helpers of the backups list. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** `1536` → `1.5 KB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

/** A server date (`2026-12-06 20:00:00.000Z`) in the browser's locale and zone. */
export function formatDate(text: string): string {
  const date = new Date(text.replace(' ', 'T'));
  return Number.isNaN(date.getTime()) ? text : date.toLocaleString();
}

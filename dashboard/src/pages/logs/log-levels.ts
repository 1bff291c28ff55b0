/** PocketBase's log levels (docs/operations.md, "Logs"): -4 debug, 0 info, 4 warn, 8 error. */

export const LOG_LEVELS = [
  { value: -4, label: 'Debug' },
  { value: 0, label: 'Info' },
  { value: 4, label: 'Warn' },
  { value: 8, label: 'Error' },
] as const;

/** The level's name; an unlisted level shows its number. */
export function levelLabel(level: unknown): string {
  const found = LOG_LEVELS.find((l) => l.value === Number(level));
  return found ? found.label : String(level);
}

/** The badge class of a level: warn and error stand out. */
export function levelClass(level: unknown): string {
  const n = Number(level);
  if (n >= 8) return 'log-level log-level-error';
  if (n >= 4) return 'log-level log-level-warn';
  return 'log-level';
}

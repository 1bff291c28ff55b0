/**
 * The datetime macros of the filter language (docs/api.md §4.2): `@now`, `@todayStart`, …
 * All are UTC. Date macros are datetime strings in the format of docs/api.md §1.6, the
 * others integers.
 */

/** Formats a Date as `2006-01-02 15:04:05.000Z` (docs/api.md §1.6). */
export function formatDateTime(d: Date): string {
  return d.toISOString().replace('T', ' ');
}

const DAY = 24 * 60 * 60 * 1000;

type Macro = (now: Date) => string | number;

const utc = (y: number, m: number, d: number, h = 0, mi = 0, s = 0, ms = 0) => new Date(Date.UTC(y, m, d, h, mi, s, ms));

const macros: Record<string, Macro> = {
  '@now': (n) => formatDateTime(n),
  '@yesterday': (n) => formatDateTime(new Date(n.getTime() - DAY)),
  '@tomorrow': (n) => formatDateTime(new Date(n.getTime() + DAY)),
  '@second': (n) => n.getUTCSeconds(),
  '@minute': (n) => n.getUTCMinutes(),
  '@hour': (n) => n.getUTCHours(),
  '@day': (n) => n.getUTCDate(),
  '@month': (n) => n.getUTCMonth() + 1,
  '@year': (n) => n.getUTCFullYear(),
  '@weekday': (n) => n.getUTCDay(),
  '@todayStart': (n) => formatDateTime(utc(n.getUTCFullYear(), n.getUTCMonth(), n.getUTCDate())),
  '@todayEnd': (n) => formatDateTime(utc(n.getUTCFullYear(), n.getUTCMonth(), n.getUTCDate(), 23, 59, 59, 999)),
  '@monthStart': (n) => formatDateTime(utc(n.getUTCFullYear(), n.getUTCMonth(), 1)),
  // Day 0 of the next month is the last day of this one.
  '@monthEnd': (n) => formatDateTime(utc(n.getUTCFullYear(), n.getUTCMonth() + 1, 0, 23, 59, 59, 999)),
  '@yearStart': (n) => formatDateTime(utc(n.getUTCFullYear(), 0, 1)),
  '@yearEnd': (n) => formatDateTime(utc(n.getUTCFullYear(), 11, 31, 23, 59, 59, 999)),
};

/** Whether a name is a datetime macro. */
export function isDatetimeMacro(name: string): boolean {
  return Object.hasOwn(macros, name);
}

/** The value of a datetime macro at `now`. */
export function datetimeMacroValue(name: string, now: Date = new Date()): string | number {
  const macro = macros[name];
  if (!macro) throw new Error(`unknown macro ${name}`);
  return macro(now);
}

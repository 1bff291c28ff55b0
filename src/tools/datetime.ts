/**
 * Datetime helpers for the wire and storage format of docs/api.md §1.6:
 * `2006-01-02 15:04:05.000Z` (UTC, space separator, milliseconds, literal Z).
 */

// The canonical layout; parsing it is the hot path (every stored date goes through it).
const canonicalRe = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// ISO-like layouts of spf13/cast: date only, or date + time with T or space, optional
// fraction, optional offset (`Z`, `+07:00`, `+0700`, with or without a space before it).
const isoRe =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?: ?(Z|[+-]\d{2}:?\d{2}))?)?$/;

// RFC 1123 / RFC 822 style (`Mon, 02 Jan 2006 15:04:05 MST`) and cast's `02 Jan 2006`.
const rfc1123Re = /^(?:[A-Z][a-z]{2}, )?\d{1,2} [A-Z][a-z]{2} \d{2,4}(?: \d{2}:\d{2}(?::\d{2})? (?:[A-Z]{1,4}|[+-]\d{4}))?$/;

// Go's zero time (0001-01-01 00:00:00 UTC) counts as "no date" (docs/api.md §1.6).
const goZeroTimeMs = (() => {
  const d = new Date(0);
  d.setUTCFullYear(1, 0, 1);
  return d.getTime();
})();

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Formats a Date as `2024-05-01 09:30:00.123Z` (UTC), or "" for an invalid Date or Go's zero time. */
export function formatDateTime(d: Date): string {
  const ms = d.getTime();
  if (!Number.isFinite(ms) || ms <= goZeroTimeMs) return '';
  const iso = d.toISOString();
  // NOTE: years past 9999 have a signed 6-digit ISO year; the store keeps 4-digit years only.
  if (iso.length !== 24) return '';
  return iso.slice(0, 10) + ' ' + iso.slice(11);
}

/** The current time in the wire format. */
export function nowDateTime(): string {
  return formatDateTime(new Date());
}

/**
 * Parses a datetime input into the wire format, or "" when it is empty or
 * unparseable. Accepts the wire layout, RFC 3339 (with offsets), `2024-05-01`,
 * `2024-05-01 10:00:00`, `2024-05-01T10:00:00`, RFC 1123 strings and Date objects.
 * Numbers (unix times) are not accepted.
 */
export function parseDateTime(input: unknown): string {
  if (input instanceof Date) return formatDateTime(input);
  if (typeof input !== 'string') return '';
  const s = input.trim();
  if (s === '') return '';
  if (canonicalRe.test(s)) {
    // Still validated: `2024-02-30 …` must not pass as a date.
    return isValidCanonical(s) ? s : '';
  }
  if (isoRe.test(s)) return parseIso(s);
  if (rfc1123Re.test(s) && months.some((m) => s.includes(` ${m} `))) {
    const ms = Date.parse(s);
    return Number.isNaN(ms) ? '' : formatDateTime(new Date(ms));
  }
  return '';
}

/**
 * Whether a string of the canonical layout names a real instant after Go's zero time.
 * Every stored date is read through here, so it checks digits in place instead of
 * building Dates (a tenth of a simple read's cost before).
 */
function isValidCanonical(s: string): boolean {
  const num = (from: number, to: number) => {
    let n = 0;
    for (let i = from; i < to; i++) n = n * 10 + s.charCodeAt(i) - 48;
    return n;
  };
  const year = num(0, 4);
  const month = num(5, 7);
  const day = num(8, 10);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (num(11, 13) > 23 || num(14, 16) > 59 || num(17, 19) > 59) return false;
  // Go's zero time itself is "no date" (docs/api.md §1.6).
  return !(year === 1 && month === 1 && day === 1 && s.slice(11, 23) === '00:00:00.000');
}

function parseIso(s: string): string {
  const m = isoRe.exec(s);
  if (!m) return '';
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', offset = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(sec);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return '';
  if (hour > 23 || minute > 59 || second > 59) return '';
  // NOTE: Go truncates (never rounds) the fraction when formatting milliseconds.
  const millis = Number((frac + '000').slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  const ms = date.getTime() - offsetMinutes(offset) * 60_000;
  if (!Number.isFinite(ms)) return '';
  return formatDateTime(new Date(ms));
}

function offsetMinutes(offset: string): number {
  if (offset === 'Z') return 0;
  const digits = offset.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
  return offset[0] === '-' ? -minutes : minutes;
}

const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : monthDays[month - 1]!;
}

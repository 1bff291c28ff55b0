/**
 * Loose conversions of client input, mirroring the spf13/cast rules PocketBase
 * applies before validation ("any → string", "any → float", "any → bool").
 */
import { isDecimalText } from '../../tools/decimal-text.js';

/**
 * Any value → string: strings as they are, numbers in plain decimal notation,
 * booleans as `true`/`false`, null/undefined and non-scalars as "".
 */
export function castToString(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return formatNumber(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (Buffer.isBuffer(v)) return v.toString('utf8');
      return '';
  }
}

/** Formats a number without exponent notation, as Go's `strconv.FormatFloat(f, 'f', -1, 64)`. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  const s = String(n);
  const e = s.indexOf('e');
  if (e < 0) return s;
  // Expand `1.5e-7` / `1e+21` by moving the decimal point in the digit string.
  const sign = s.startsWith('-') ? '-' : '';
  const mantissa = s.slice(sign.length, e);
  const exp = Number(s.slice(e + 1));
  const [intPart, fracPart = ''] = mantissa.split('.');
  const digits = intPart! + fracPart;
  const point = intPart!.length + exp;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Any value → number: numbers as they are, numeric strings parsed, true → 1, anything else → 0. */
export function castToNumber(v: unknown): number {
  switch (typeof v) {
    case 'number':
      return v;
    case 'bigint':
      return Number(v);
    case 'boolean':
      return v ? 1 : 0;
    case 'string':
      if (isDecimalText(v, true)) return Number(v.includes('_') ? v.replaceAll('_', '') : v);
      return specialFloat(v) ?? 0;
    default:
      return 0;
  }
}

const specialFloats = new Map([
  ['inf', Infinity],
  ['+inf', Infinity],
  ['-inf', -Infinity],
  ['infinity', Infinity],
  ['+infinity', Infinity],
  ['-infinity', -Infinity],
  ['nan', NaN],
  ['+nan', NaN],
  ['-nan', NaN],
]);

/** strconv.ParseFloat's special values (`inf`, `infinity`, `nan`, signed, any case), or undefined. */
function specialFloat(s: string): number | undefined {
  return s.length > 9 ? undefined : specialFloats.get(s.toLowerCase());
}

const trueStrings = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/** Any value → boolean: `"true"`, `"1"`, `"t"`, non-zero numbers and true are true; all else false. */
export function castToBool(v: unknown): boolean {
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return v !== 0 && !Number.isNaN(v);
    case 'bigint':
      return v !== 0n;
    case 'string':
      return trueStrings.has(v);
    default:
      return false;
  }
}

/**
 * Any value → list of unique non-empty strings (PocketBase's `list.ToUniqueStringSlice`):
 * arrays item by item, a string holding a JSON array is decoded, any other string is
 * one item, scalars become one item.
 */
export function castToUniqueStrings(v: unknown): string[] {
  let items: string[];
  if (v === null || v === undefined) {
    items = [];
  } else if (Array.isArray(v)) {
    items = v.map(castToString);
  } else if (typeof v === 'string') {
    items = v.includes('[') ? (parseStringArray(v) ?? [v]) : [v];
  } else {
    items = [castToString(v)];
  }
  return uniqueNonEmpty(items);
}

/** The unique non-empty strings of a list, first occurrence kept. */
export function uniqueNonEmpty(items: readonly string[]): string[] {
  return [...new Set(items.filter((s) => s !== ''))];
}

function parseStringArray(s: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(s);
    if (!Array.isArray(parsed)) return undefined;
    // Go's json.Unmarshal into []string fails on any non-string item.
    return parsed.every((x) => typeof x === 'string' || x === null) ? parsed.map((x) => x ?? '') : undefined;
  } catch {
    return undefined;
  }
}

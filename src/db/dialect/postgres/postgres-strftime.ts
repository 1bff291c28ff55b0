/**
 * SQLite's `strftime(format, time, modifier…)` (docs/api.md §4.4) written for
 * PostgreSQL: the format is translated at compile time into `to_char` pieces,
 * the time text is parsed without ever raising (SQLite answers NULL, never an
 * error), and the common modifiers become interval arithmetic.
 *
 * Supported: %d %e %f %F %H %I %j %k %l %m %M %p %R %s %S %T %u %w %Y %G %V %%, and the
 * modifiers `±N days|hours|minutes|seconds|months|years`, `start of day|month|year`
 * and `unixepoch`. A format or modifier that is not a constant, or any other
 * specifier or modifier, yields NULL (SQLite yields NULL for unknown ones too).
 */
import { sql, type RawBuilder } from 'kysely';

/** A value known at compile time, or `undefined` when the expression is not a bound constant. */
export type Bound = { value: unknown } | undefined;

/** The constant a RawBuilder binds when it is exactly one bound parameter (how Dialect.param writes values). */
export function boundValue(expr: RawBuilder<unknown>): Bound {
  const node = expr.toOperationNode() as unknown as { kind: string; sqlFragments?: readonly string[]; parameters?: readonly { kind: string; value?: unknown }[] };
  if (node.kind !== 'RawNode' || !node.sqlFragments || !node.parameters) return undefined;
  if (node.parameters.length !== 1 || node.sqlFragments.some((f) => f.trim() !== '')) return undefined;
  const param = node.parameters[0]!;
  return param.kind === 'ValueNode' ? { value: param.value } : undefined;
}

// SQLite specifier → SQL over the timestamp alias `ts` (fixed text, never input).
const SPECIFIERS: Record<string, string> = {
  d: `to_char(ts, 'DD')`,
  e: `lpad(to_char(ts, 'FMDD'), 2, ' ')`,
  f: `to_char(ts, 'SS.MS')`,
  F: `to_char(ts, 'YYYY-MM-DD')`,
  H: `to_char(ts, 'HH24')`,
  I: `to_char(ts, 'HH12')`,
  j: `to_char(ts, 'DDD')`,
  k: `lpad(to_char(ts, 'FMHH24'), 2, ' ')`,
  l: `lpad(to_char(ts, 'FMHH12'), 2, ' ')`,
  m: `to_char(ts, 'MM')`,
  M: `to_char(ts, 'MI')`,
  p: `to_char(ts, 'AM')`,
  R: `to_char(ts, 'HH24:MI')`,
  s: `CAST(CAST(floor(EXTRACT(EPOCH FROM ts)) AS BIGINT) AS TEXT)`,
  S: `to_char(ts, 'SS')`,
  T: `to_char(ts, 'HH24:MI:SS')`,
  u: `to_char(ts, 'ID')`,
  w: `CAST(CAST(EXTRACT(DOW FROM ts) AS INT) AS TEXT)`,
  Y: `to_char(ts, 'YYYY')`,
  G: `to_char(ts, 'IYYY')`,
  V: `to_char(ts, 'IW')`,
};

const UNITS: Record<string, string> = {
  day: 'day', days: 'day', hour: 'hour', hours: 'hour', minute: 'minute', minutes: 'minute',
  second: 'second', seconds: 'second', month: 'month', months: 'month', year: 'year', years: 'year',
};

// YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|±HH:MM], with ranges SQLite accepts (days up to 31 roll over).
const TIME_TEXT = `'^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]+)?)?)?\\s*(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?$'`;

/**
 * `strftime` over PostgreSQL. `time` null means "now"; format and modifiers must
 * be constants known at compile time.
 */
export function pgStrftime(format: Bound, time: RawBuilder<unknown> | null, modifiers: Bound[]): RawBuilder<unknown> {
  if (!format || typeof format.value !== 'string') return sql`CAST(NULL AS TEXT)`;
  const pieces = translate(format.value);
  if (!pieces) return sql`CAST(NULL AS TEXT)`;
  let ts: RawBuilder<unknown> = time === null ? sql`CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP(3))` : parseTime(time);
  for (const [i, m] of modifiers.entries()) {
    // Each modifier reads the time before it once, by name: written in place it would repeat
    // that time's SQL two or three times per modifier, 3^9 copies for nine (seconds to plan).
    const next = m && typeof m.value === 'string' ? step(ts, i, (t) => applyModifier(t, time, m.value as string)) : null;
    if (!next) return sql`CAST(NULL AS TEXT)`;
    ts = next;
  }
  // A modified time past SQLite's range is NULL there (its validJulianDay).
  if (modifiers.length > 0) ts = step(ts, modifiers.length, (t) => sql`(CASE WHEN EXTRACT(EPOCH FROM ${t}) BETWEEN ${sql.lit(FIRST_SECOND)} AND ${sql.lit(LAST_SECOND)} THEN ${t} END)`);
  if (pieces.length === 0) return sql`(CASE WHEN ${ts} IS NULL THEN NULL ELSE '' END)`;
  const parts = pieces.map((p) => (p.literal !== undefined ? sql`CAST(${p.literal} AS TEXT)` : sql.raw(p.sql!)));
  // The pieces read `ts`; a one-row subquery names it once instead of repeating the parse.
  return sql`((SELECT CASE WHEN ts IS NULL THEN NULL ELSE ${sql.join(parts, sql` || `)} END FROM (SELECT ${ts} AS ts) AS __strf) COLLATE "C")`;
}

/** Splits a format into literal text and specifier SQL; null for an unknown specifier. */
function translate(format: string): Array<{ literal?: string; sql?: string }> | null {
  const out: Array<{ literal?: string; sql?: string }> = [];
  let text = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch !== '%') {
      text += ch;
      continue;
    }
    const spec = format[++i];
    if (spec === '%') {
      text += '%';
      continue;
    }
    const expr = spec === undefined ? undefined : SPECIFIERS[spec];
    if (!expr) return null;
    if (text !== '') out.push({ literal: text });
    text = '';
    out.push({ sql: expr });
  }
  if (text !== '') out.push({ literal: text });
  return out;
}

/** A TIMESTAMP (UTC) from a time value, NULL when it is not a time SQLite reads. */
function parseTime(time: RawBuilder<unknown>): RawBuilder<unknown> {
  const t = sql`btrim(CAST(${time} AS TEXT))`;
  const num = (from: number, len: number) => sql`CAST(COALESCE(NULLIF(substr(${t}, ${sql.lit(from)}, ${sql.lit(len)}), ''), '0') AS INT)`;
  const seconds = sql`CAST(COALESCE(NULLIF(substring(${t} from '^.{16}:([0-9.]+)'), ''), '0') AS DOUBLE PRECISION)`;
  const offset = sql`COALESCE(CAST(substring(${t} from '([+-][0-9]{2}:[0-9]{2})$') AS INTERVAL), INTERVAL '0')`;
  // NOTE: built from parts so that 2024-02-31 rolls over to March as in SQLite, instead of raising.
  const base = sql`make_timestamp(${num(1, 4)}, ${num(6, 2)}, 1, ${num(12, 2)}, ${num(15, 2)}, ${seconds})`;
  return sql`(CASE WHEN ${t} ~ ${sql.raw(TIME_TEXT)} AND substr(${t}, 1, 4) <> '0000' THEN CAST(${base} + (${num(9, 2)} - 1) * INTERVAL '1 day' - ${offset} AS TIMESTAMP(3)) END)`;
}

/**
 * `build` over the time `ts` named once, as `t` of a one-row subquery; null when `build` gives
 * null. NOTE: `OFFSET 0` keeps the planner from pulling the subquery up, which would write `ts`
 * back in at every use of `t`.
 */
function step<T extends RawBuilder<unknown> | null>(ts: RawBuilder<unknown>, i: number, build: (t: RawBuilder<unknown>) => T): T {
  const alias = `__m${i}`;
  const body = build(sql.ref(`${alias}.t`));
  return (body && sql`(SELECT ${body} FROM (SELECT ${ts} AS t OFFSET 0) AS ${sql.id(alias)})`) as T;
}

// SQLite's range of times (Julian day 0 to 9999-12-31 23:59:59.999) in Unix seconds, and in
// PostgreSQL's months from year 0 (years BC are negative): PostgreSQL raises past its own range
// (4714 BC to 294276 AD) and past an interval's, so every shift is checked before it is made.
const FIRST_SECOND = -210866760000;
const LAST_SECOND = 253402300799.999;
const FIRST_MONTH = -4713 * 12 + 1;
const LAST_MONTH = 9999 * 12 + 12;
const SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400 };

function applyModifier(ts: RawBuilder<unknown>, time: RawBuilder<unknown> | null, raw: string): RawBuilder<unknown> | null {
  const m = raw.trim().toLowerCase();
  const shift = /^([+-]?\d+(?:\.\d+)?)\s+([a-z]+)$/.exec(m);
  if (shift) {
    const unit = UNITS[shift[2]!];
    if (!unit) return null;
    const n = Number(shift[1]);
    if (!Number.isFinite(n)) return null;
    if (unit === 'month' || unit === 'year') {
      // NOTE: SQLite moves the month and lets the day overflow (Jan 31 + 1 month = Mar 2);
      // PostgreSQL would clamp to Feb 29. Fractional months are not supported (NULL).
      if (!Number.isInteger(n)) return null;
      const months = unit === 'year' ? n * 12 : n;
      if (Math.abs(months) > LAST_MONTH - FIRST_MONTH) return null;
      const month = sql`(EXTRACT(YEAR FROM ${ts}) * 12 + EXTRACT(MONTH FROM ${ts}) + CAST(${months} AS NUMERIC))`;
      const moved = sql`(date_trunc('month', ${ts}) + CAST(${`${months} months`} AS INTERVAL) + (${ts} - date_trunc('month', ${ts})))`;
      return sql`(CASE WHEN ${month} BETWEEN ${sql.lit(FIRST_MONTH)} AND ${sql.lit(LAST_MONTH)} THEN ${moved} END)`;
    }
    const seconds = n * SECONDS[unit]!;
    // A shift longer than the whole range never lands in it, and would overflow an interval.
    if (Math.abs(seconds) > LAST_SECOND - FIRST_SECOND) return null;
    const moved = sql`(${ts} + CAST(${n} AS DOUBLE PRECISION) * CAST(${`1 ${unit}`} AS INTERVAL))`;
    return sql`(CASE WHEN EXTRACT(EPOCH FROM ${ts}) + CAST(${seconds} AS NUMERIC) BETWEEN ${sql.lit(FIRST_SECOND)} AND ${sql.lit(LAST_SECOND)} THEN ${moved} END)`;
  }
  if (m === 'start of day') return sql`date_trunc('day', ${ts})`;
  if (m === 'start of month') return sql`date_trunc('month', ${ts})`;
  if (m === 'start of year') return sql`date_trunc('year', ${ts})`;
  if (m === 'unixepoch' && time !== null) {
    const t = sql`btrim(CAST(${time} AS TEXT))`;
    // At most 12 digits before the point: a number that CAST reads without raising, and that
    // the range check (as SQLite's) then bounds before to_timestamp could raise.
    const seconds = sql`CAST(${t} AS DOUBLE PRECISION)`;
    const inRange = sql`(CASE WHEN ${seconds} BETWEEN ${sql.lit(FIRST_SECOND)} AND ${sql.lit(LAST_SECOND)} THEN CAST(to_timestamp(${seconds}) AT TIME ZONE 'UTC' AS TIMESTAMP(3)) END)`;
    return sql`(CASE WHEN ${t} ~ '^[-+]?[0-9]{1,12}(\\.[0-9]+)?$' THEN ${inRange} END)`;
  }
  return null;
}

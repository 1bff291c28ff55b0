/**
 * Converts values read from SQLite into what a PostgreSQL column of a given type
 * accepts: SQLite keeps booleans as 0/1 and, through its type affinity, may hand
 * back a number for JSON or text that looks like one.
 */

/** Why a value cannot be copied, with enough context for the message. */
export class ValueConversionError extends Error {}

const NUMBER_TYPES = new Set(['double precision', 'real', 'numeric', 'integer', 'bigint', 'smallint']);
const TEXT_TYPES = new Set(['text', 'character varying', 'character', 'json', 'jsonb']);

/** Returns `value` as a PostgreSQL column of `dataType` (information_schema's name) stores it; throws a ValueConversionError when it cannot. */
export function convertValue(value: unknown, dataType: string): unknown {
  if (value === null || value === undefined) return null;
  if (dataType === 'boolean') return toBoolean(value);
  if (NUMBER_TYPES.has(dataType)) return toNumber(value);
  if (TEXT_TYPES.has(dataType)) return toText(value);
  return value;
}

function toBoolean(value: unknown): boolean {
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value) !== 0;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === '1' || v === 'true') return true;
    if (v === '0' || v === 'false' || v === '') return false;
  }
  throw new ValueConversionError(`${describe(value)} is not a boolean`);
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw new ValueConversionError(`${describe(value)} is not a number`);
}

function toText(value: unknown): string {
  // NOTE: SQLite's NUMERIC affinity (a JSON column's) turns the text `5` into the number 5; its text is the same JSON.
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  throw new ValueConversionError(`${describe(value)} is not text`);
}

function describe(value: unknown): string {
  if (Buffer.isBuffer(value)) return `a ${value.length}-byte blob`;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

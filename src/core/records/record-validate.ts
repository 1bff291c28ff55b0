/**
 * Validates a record before it is written: each field through its type, then
 * the checks that need the database (related records exist, ids are free
 * across auth collections) and the auth-record rules of docs/api.md §3.7.
 */
import { sql } from 'kysely';
import type { ErrorData, FieldError } from '../../errors/app-error.js';
import type { Executor } from '../../db/database.js';
import type { Collection } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import { getFieldType } from '../fields/field-registry.js';
import type { RecordValues } from './record-store.js';
import { codeError } from '../../errors/code-error.js';

/** What field validation compares against. */
export interface ValidationInput {
  collection: Collection;
  values: RecordValues;
  /** The stored record on update; undefined on create. */
  old: RecordValues | undefined;
  /** Field names the body set (passwords are validated only when set). */
  touched: ReadonlySet<string>;
}

/** Validates every field's value; returns per-field errors (empty when valid). */
export function validateFields(input: ValidationInput): ErrorData {
  const { collection: c, values, old, touched } = input;
  const errors: ErrorData = {};
  for (const f of c.fields) {
    if (f.type === 'autodate') continue;
    if (f.type === 'password' && old && !touched.has(f.name)) continue;
    const type = getFieldType(f.type)!;
    const before = old ? old[f.name] : type.defaultValue(f);
    const error = type.validate(f, values[f.name], { collection: c, isNew: !old, old: before });
    if (error) errors[f.name] = error;
  }
  if (old && values.id !== old.id) errors.id = codeError('validation_pk_change');
  return errors;
}

/** Checks that every relation value names an existing record (`validation_missing_rel_records`). */
export async function validateRelations(exec: Executor, schema: Schema, input: ValidationInput, errors: ErrorData): Promise<void> {
  for (const f of input.collection.fields) {
    if (f.type !== 'relation' || errors[f.name]) continue;
    if (input.old && !input.touched.has(f.name)) continue;
    const ids = toIds(input.values[f.name]);
    if (ids.length === 0) continue;
    const target = schema.find(String(f.collectionId));
    if (!target) {
      errors[f.name] = missingRelations();
      continue;
    }
    const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM ${sql.table(target.name)} WHERE ${sql.ref('id')} IN (${sql.join(ids)})`.execute(exec);
    if (Number(rows[0]?.n ?? 0) !== ids.length) errors[f.name] = missingRelations();
  }
}

/** Checks that a new auth record's id is unused in every auth collection (docs/api.md §1.5). */
export async function validateAuthId(exec: Executor, schema: Schema, c: Collection, id: string, errors: ErrorData): Promise<void> {
  if (c.type !== 'auth' || errors.id) return;
  for (const other of schema.all()) {
    if (other.type !== 'auth') continue;
    const { rows } = await sql`SELECT 1 FROM ${sql.table(other.name)} WHERE ${sql.ref('id')} = ${id} LIMIT 1`.execute(exec);
    if (rows.length > 0) {
      errors.id = other.id === c.id
        ? codeError('validation_pk_invalid')
        : codeError('validation_invalid_auth_id');
      return;
    }
  }
}

/** Checks that a new record's id is unused in its collection. */
export async function validateNewId(exec: Executor, c: Collection, id: string, errors: ErrorData): Promise<void> {
  if (errors.id || c.type === 'auth') return;
  const { rows } = await sql`SELECT 1 FROM ${sql.table(c.name)} WHERE ${sql.ref('id')} = ${id} LIMIT 1`.execute(exec);
  if (rows.length > 0) errors.id = codeError('validation_pk_invalid');
}

function toIds(value: unknown): string[] {
  if (Array.isArray(value)) return [...new Set(value.filter((v): v is string => typeof v === 'string' && v !== ''))];
  return typeof value === 'string' && value !== '' ? [value] : [];
}

function missingRelations(): FieldError {
  return codeError('validation_missing_rel_records');
}

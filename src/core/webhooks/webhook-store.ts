/**
 * Reads and writes the `_webhooks` system table (docs/webhooks.md §2).
 */
import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Webhook } from './webhook.js';

/** A page of webhooks, newest first. */
export interface WebhookPage {
  items: Webhook[];
  totalItems: number;
}

/** Every webhook, oldest first (the in-memory index is built from it). */
export async function loadWebhooks(exec: Executor): Promise<Webhook[]> {
  const { rows } = await sql<Record<string, unknown>>`SELECT * FROM _webhooks ORDER BY created, id`.execute(exec);
  return rows.map(rowToWebhook);
}

/** One page of webhooks, newest first. */
export async function pageWebhooks(exec: Executor, limit: number, offset: number): Promise<WebhookPage> {
  const { rows } = await sql<Record<string, unknown>>`SELECT * FROM _webhooks ORDER BY created DESC, id DESC LIMIT ${limit} OFFSET ${offset}`.execute(exec);
  const { rows: count } = await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM _webhooks`.execute(exec);
  return { items: rows.map(rowToWebhook), totalItems: Number(count[0]?.n ?? 0) };
}

/** The webhook with this id, or undefined. */
export async function findWebhook(exec: Executor, id: string): Promise<Webhook | undefined> {
  const { rows } = await sql<Record<string, unknown>>`SELECT * FROM _webhooks WHERE id = ${id}`.execute(exec);
  return rows[0] ? rowToWebhook(rows[0]) : undefined;
}

/** Inserts a new webhook. */
export async function insertWebhook(exec: Executor, w: Webhook): Promise<void> {
  await sql`INSERT INTO _webhooks (id, name, url, events, filter, headers, active, secret, created, updated)
    VALUES (${w.id}, ${w.name}, ${w.url}, ${JSON.stringify(w.events)}, ${w.filter}, ${JSON.stringify(w.headers)}, ${w.active ? 1 : 0}, ${w.secret}, ${w.created}, ${w.updated})`.execute(exec);
}

/** Writes every field of a stored webhook but its id and created time. */
export async function updateWebhook(exec: Executor, w: Webhook): Promise<void> {
  await sql`UPDATE _webhooks SET name = ${w.name}, url = ${w.url}, events = ${JSON.stringify(w.events)}, filter = ${w.filter},
    headers = ${JSON.stringify(w.headers)}, active = ${w.active ? 1 : 0}, secret = ${w.secret}, updated = ${w.updated} WHERE id = ${w.id}`.execute(exec);
}

/** Deletes a webhook; false when there was none. */
export async function deleteWebhook(exec: Executor, id: string): Promise<boolean> {
  const result = await sql`DELETE FROM _webhooks WHERE id = ${id}`.execute(exec);
  return Number(result.numAffectedRows ?? 0) > 0;
}

function rowToWebhook(row: Record<string, unknown>): Webhook {
  return {
    id: String(row.id),
    name: String(row.name ?? ''),
    url: String(row.url ?? ''),
    events: parseJson<string[]>(row.events, []),
    filter: String(row.filter ?? ''),
    headers: parseJson<Record<string, string>>(row.headers, {}),
    // SQLite stores 1/0, PostgreSQL a boolean.
    active: row.active === true || Number(row.active) === 1,
    secret: String(row.secret ?? ''),
    created: String(row.created ?? ''),
    updated: String(row.updated ?? ''),
  };
}

function parseJson<T>(value: unknown, fallback: T): T {
  if (typeof value !== 'string' || value === '') return fallback;
  try {
    return JSON.parse(value) as T;
  } catch {
    return fallback;
  }
}

/**
 * Cursors of keyset pagination (docs/api.md §3.10): a cursor holds the
 * sort values of the last record of a page and the page's number, bound to what the
 * list was asked for (collection, sort, filter, requester) and signed, so the server
 * only ever seeks from values it wrote itself.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { badRequest, type AppError } from '../../errors/app-error.js';

/** The longest cursor accepted, in characters (8 sort items of long text values fit well below it). */
export const MAX_CURSOR_LENGTH = 8192;

/** Where a cursor continues: the page it opens and the sort values of the record before it. */
export interface CursorPosition {
  page: number;
  values: CursorValue[];
}

/** One sort value as a cursor stores it. */
export type CursorValue = string | number | boolean | null;

/** What a cursor is bound to: a cursor made for one of these is refused for another. */
export interface CursorScope {
  collectionId: string;
  /** The collection definition's last change: a schema change ends the walks begun before it. */
  collectionUpdated: string;
  sort: string;
  filter: string;
  /** Who asks (auth collection and record id, '' for a guest): a cursor is not passed between users. */
  requester: string;
  /** What breaks ties when it is not the id (`insertion`: a sort of `@rank` alone); absent for the id. */
  tieBreak?: 'insertion';
}

/**
 * A CursorCodec writes and reads cursors, signed with HMAC-SHA256 under a key every node
 * shares (loaded on first use).
 */
export class CursorCodec {
  private key: Promise<Buffer> | null = null;

  constructor(private readonly loadKey: () => Promise<Buffer>) {}

  /** The cursor of a position within a scope. */
  async encode(scope: CursorScope, pos: CursorPosition): Promise<string> {
    const body = Buffer.from(JSON.stringify({ s: scopeHash(scope), p: pos.page, k: pos.values })).toString('base64url');
    return `${body}.${await this.sign(body)}`;
  }

  /** The position a cursor holds; a 400 naming `cursor` when it is malformed, forged, or made for another scope. */
  async decode(text: string, scope: CursorScope): Promise<CursorPosition> {
    if (text.length > MAX_CURSOR_LENGTH) throw cursorError('The cursor is too long.');
    const dot = text.indexOf('.');
    if (dot <= 0) throw cursorError('The cursor is malformed.');
    const body = text.slice(0, dot);
    const given = Buffer.from(text.slice(dot + 1), 'base64url');
    const expected = Buffer.from(await this.sign(body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw cursorError('The cursor is malformed.');
    const payload = parsePayload(body);
    if (!payload) throw cursorError('The cursor is malformed.');
    if (payload.s !== scopeHash(scope)) {
      throw cursorError('The cursor was made for another collection, sort, filter or requester.');
    }
    return { page: payload.p, values: payload.k };
  }

  private async sign(body: string): Promise<string> {
    this.key ??= this.loadKey().catch((err: unknown) => {
      this.key = null;
      throw err;
    });
    return createHmac('sha256', await this.key).update(body).digest('base64url');
  }
}

/** A 400 whose data names the `cursor` parameter. */
export function cursorError(message: string): AppError {
  return badRequest(message, { cursor: { code: 'validation_invalid_cursor', message } });
}

/** A sort value read from a row as a cursor can hold it (bigints and dates as text). */
export function toCursorValue(value: unknown): CursorValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function scopeHash(scope: CursorScope): string {
  const parts = [scope.collectionId, scope.collectionUpdated, scope.sort, scope.filter, scope.requester];
  // Only when present: the cursors of every other list keep their scope.
  if (scope.tieBreak) parts.push(scope.tieBreak);
  const text = parts.join('\u0000');
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

interface Payload {
  s: string;
  p: number;
  k: CursorValue[];
}

/** The signed payload, checked for shape (only our own signed payloads get this far). */
function parsePayload(body: string): Payload | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const { s, p, k } = value as Record<string, unknown>;
  if (typeof s !== 'string' || !Number.isSafeInteger(p) || (p as number) < 2 || !Array.isArray(k)) return null;
  return { s, p: p as number, k: k as CursorValue[] };
}

/**
 * The FileService answers `GET /api/files/{collection}/{record}/{filename}`
 * without HTTP (docs/api.md §8.2): which stored object to serve, if any, after the
 * protected-file check, with thumbs made lazily once and kept.
 */
import { availableParallelism } from 'node:os';
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Dialect } from '../../db/dialect/dialect.js';
import { notFound } from '../../errors/app-error.js';
import type { Collection, Field } from '../collections/collection.js';
import type { Schema } from '../collections/schema.js';
import { getFieldType } from '../fields/field-registry.js';
import { storedStringList } from '../fields/field-multi.js';
import type { RecordAccess } from '../records/record-access.js';
import { findRecord, type RecordValues } from '../records/record-store.js';
import type { RequestInfo } from '../rules/request-info.js';
import { SUPERUSERS } from '../auth/auth-service.js';
import { Semaphore } from '../../tools/semaphore.js';
import { verifyFileToken } from './file-token.js';
import { fileKey, isValidKeySegment, readAll, thumbKey, type Storage, type StoredObject } from './storage.js';
import { parseThumbSize, renderThumb, thumbAllowed } from './thumbs.js';

/** What the FileService needs. */
export interface FileServiceDeps {
  db: Db;
  dialect: Dialect;
  schema: Schema;
  storage: Storage;
  access: RecordAccess;
  /** Whether a superuser may act from a client IP (`settings.superuserIPs`, docs/api.md §1.2). */
  superuserIpAllowed: (ip: string | undefined) => boolean;
  /** Reports a thumb that could not be made (the original is served instead). */
  onThumbError?: (err: unknown) => void;
}

/** What to send for a file request. */
export interface ServedFile {
  key: string;
  /** The name shown in Content-Disposition (`100x100_name.png` for a thumb). */
  name: string;
  object: StoredObject;
  /** The collection, stored record and file field the file belongs to. */
  collection: Collection;
  record: RecordValues;
  field: Field;
}

/** The query of a file request. */
export interface FileQuery {
  thumb?: string;
  token?: string;
}

/**
 * Thumbs rendered at once on one node, as PocketBase's NumCPU+2 workers. SECURITY: each
 * render may decode up to 50 MP (~200 MB); the rest wait in a bounded queue, for at most
 * 30 s (PocketBase waits 60 s), and past either bound the original is served instead.
 */
const THUMB_RENDERS = { max: availableParallelism() + 2, maxWaiting: 64, maxWaitMs: 30_000 };

/** FileService resolves file requests to stored objects. */
export class FileService {
  private readonly making = new Map<string, Promise<StoredObject | null>>();
  private readonly renders = new Semaphore(THUMB_RENDERS);

  constructor(private readonly deps: FileServiceDeps) {}

  /** The object to serve, or 404 (docs/api.md §8.2): unknown collection/record/name, or a protected file the token does not open. */
  async resolve(collection: string, recordId: string, filename: string, query: FileQuery, req: RequestInfo): Promise<ServedFile> {
    const c = this.deps.schema.find(collection);
    if (!c || !isValidKeySegment(recordId) || !isValidKeySegment(filename)) throw notFound();
    const record = await findRecord(this.deps.db, c, recordId);
    if (!record) throw notFound();
    const field = c.fields.find((f) => f.type === 'file' && storedStringList(record[f.name]).includes(filename));
    if (!field) throw notFound();
    if (field.protected === true && !(await this.opensProtected(c, recordId, query.token ?? '', req))) throw notFound();
    const owner = c.type === 'view' ? await this.viewSource(field, filename) : { collectionId: c.id, recordId };
    if (!owner) throw notFound();
    const key = fileKey(owner.collectionId, owner.recordId, filename);
    const object = await this.deps.storage.stat(key);
    if (!object) throw notFound();
    const size = query.thumb ?? '';
    if (size !== '' && thumbAllowed(field, size, object.contentType)) {
      const tkey = thumbKey(owner.collectionId, owner.recordId, filename, size);
      const thumb = await this.thumb(key, tkey, size, object);
      if (thumb) return { key: tkey, name: `${size}_${filename}`, object: thumb, collection: c, record, field };
    }
    return { key, name: filename, object, collection: c, record, field };
  }

  /**
   * SECURITY: the token's record must satisfy the collection's viewRule for this record
   * with `@request.context = "protectedFile"` (superusers always); every failure is a 404
   * so that a protected file's existence is not revealed (docs/api.md §3.9). A superuser's token
   * from an address outside `superuserIPs` counts for nothing, as in PocketBase: the
   * request goes on as a guest's.
   */
  private async opensProtected(c: Collection, recordId: string, token: string, req: RequestInfo): Promise<boolean> {
    let auth = await verifyFileToken(this.deps, token);
    if (auth?.collection.name === SUPERUSERS && !this.deps.superuserIpAllowed(req.ip)) auth = null;
    const asToken: RequestInfo = { ...req, auth, isSuperuser: auth?.collection.name === SUPERUSERS, context: 'protectedFile' };
    if (c.viewRule === null && !asToken.isSuperuser) return false;
    return this.deps.access.allows(this.deps.db, c, c.viewRule, recordId, asToken);
  }

  /** The record of a view's source collection that holds `filename` in the field the view copies. */
  private async viewSource(field: Field, filename: string): Promise<{ collectionId: string; recordId: string } | null> {
    const sources = this.deps.schema.all()
      .filter((c) => c.type !== 'view' && c.fields.some((f) => f.type === 'file' && f.name === field.name))
      // The view field keeps the source field's id, so the true source is tried first.
      .sort((a, b) => Number(b.fields.some((f) => f.id === field.id)) - Number(a.fields.some((f) => f.id === field.id)));
    for (const source of sources) {
      const sourceField = source.fields.find((f) => f.name === field.name)!;
      const row = await this.findHolder(source, sourceField, filename);
      if (row && isValidKeySegment(String(row.id))) return { collectionId: source.id, recordId: String(row.id) };
    }
    return null;
  }

  private async findHolder(c: Collection, field: Field, filename: string): Promise<RecordValues | undefined> {
    const column = sql`root.${sql.ref(field.name)}`;
    const match = getFieldType('file')!.isMultiple(field)
      ? this.deps.dialect.jsonArrayContains(column, sql`${filename}`)
      : sql`${column} = ${filename}`;
    const { rows } = await sql<{ id: string }>`SELECT root.${sql.ref('id')} AS id FROM ${sql.table(c.name)} AS root WHERE ${match} LIMIT 1`.execute(this.deps.db);
    return rows[0] ? findRecord(this.deps.db, c, rows[0].id) : undefined;
  }

  /** The stored thumb, made now if missing; null when it cannot be made (the original is served). */
  private async thumb(key: string, tkey: string, size: string, original: StoredObject): Promise<StoredObject | null> {
    const existing = await this.deps.storage.stat(tkey);
    if (existing) return existing;
    // Concurrent requests for the same new thumb share one rendering.
    let pending = this.making.get(tkey);
    if (!pending) {
      pending = this.makeThumb(key, tkey, size, original).finally(() => this.making.delete(tkey));
      this.making.set(tkey, pending);
    }
    return pending;
  }

  private async makeThumb(key: string, tkey: string, size: string, original: StoredObject): Promise<StoredObject | null> {
    const parsed = parseThumbSize(size);
    if (!parsed) return null;
    const release = await this.renders.acquire();
    if (!release) return null;
    try {
      const stream = await this.deps.storage.read(key);
      if (!stream) return null;
      const data = await renderThumb(await readAll(stream), parsed);
      await this.deps.storage.put(tkey, data, { contentType: original.contentType });
      return await this.deps.storage.stat(tkey);
    } catch (err) {
      this.deps.onThumbError?.(err);
      return null;
    } finally {
      release();
    }
  }
}

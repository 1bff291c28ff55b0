/**
 * Restores a backup archive (backup-archive.ts) into the live database, in one
 * transaction: the current collections' tables are dropped, the system tables
 * emptied, the archived collections recreated through the normal schema sync
 * (SchemaDdl), and every row inserted as it streams out of the zip. The archive's
 * files go to a staging folder that replaces `<dir>/storage` once the transaction
 * committed. Any failure rolls everything back and leaves the files as they were.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import type { Db, Executor } from '../../db/database.js';
import type { Collection } from '../collections/collection.js';
import type { SchemaDdl } from '../collections/schema-ddl.js';
import { fieldStorage } from '../fields/field-storage.js';
import { isValidKeySegment } from '../files/storage.js';
import { ARCHIVE_FORMAT, DATA_PREFIX, MANIFEST_ENTRY, STORAGE_PREFIX, SYSTEM_TABLES, type BackupManifest } from './backup-archive.js';
import { openZipEntries, type ZipEntries } from './zip-entries.js';

/** Bound parameters per INSERT at most (SQLite allows 32766, PostgreSQL 65535). */
const MAX_PARAMS = 30_000;

/** An archive that is not a Plinth backup, or holds something it may not. */
export class InvalidBackupError extends Error {}

/** Where a restore writes. */
export interface RestoreTarget {
  db: Db;
  ddl: SchemaDdl;
  /** The collections now in the database; their tables are dropped. */
  current: readonly Collection[];
  /** `<dir>/storage`, replaced by the archive's files. */
  storageDir: string;
  /** A folder on the same file system for the staging copy (`<dir>/.tmp`). */
  tmpDir: string;
}

/** Restores the archive at `path` into `target`. */
export async function restoreBackupArchive(path: string, target: RestoreTarget): Promise<void> {
  const entries = await openZipEntries(path).catch((err: unknown) => {
    throw new InvalidBackupError(`not a zip archive: ${message(err)}`);
  });
  const staging = join(target.tmpDir, `restore-${randomBytes(8).toString('hex')}`);
  try {
    await readManifest(entries);
    await mkdir(join(staging, 'storage'), { recursive: true });
    await target.db.transaction().execute(async (trx) => {
      await target.ddl.liftQueryTimeout(trx);
      await restoreEntries(trx, entries, target, join(staging, 'storage'));
    });
    await swapFolder(join(staging, 'storage'), target.storageDir, staging);
  } finally {
    entries.close();
    await rm(staging, { recursive: true, force: true });
  }
}

async function readManifest(entries: ZipEntries): Promise<void> {
  const first = await entries.next();
  if (!first || first.name !== MANIFEST_ENTRY) throw new InvalidBackupError(`the archive does not start with ${MANIFEST_ENTRY}`);
  let manifest: Partial<BackupManifest>;
  try {
    manifest = JSON.parse((await readText(await first.open())).toString()) as Partial<BackupManifest>;
  } catch (err) {
    throw new InvalidBackupError(`unreadable ${MANIFEST_ENTRY}: ${message(err)}`);
  }
  if (manifest?.format !== ARCHIVE_FORMAT || manifest.version !== 1) throw new InvalidBackupError(`unknown archive format ${JSON.stringify(manifest?.format)} version ${JSON.stringify(manifest?.version)}`);
}

async function restoreEntries(trx: Executor, entries: ZipEntries, target: RestoreTarget, storage: string): Promise<void> {
  let tables: Set<string> | undefined;
  for (let entry = await entries.next(); entry; entry = await entries.next()) {
    const { name } = entry;
    if (name.endsWith('/')) continue;
    if (name.startsWith(STORAGE_PREFIX)) {
      const key = name.slice(STORAGE_PREFIX.length);
      assertFileKey(key);
      await mkdir(dirname(join(storage, key)), { recursive: true });
      await pipeline(await entry.open(), createWriteStream(join(storage, key), { flags: 'wx' }));
      continue;
    }
    if (!name.startsWith(DATA_PREFIX) || !name.endsWith('.jsonl')) continue;
    const table = name.slice(DATA_PREFIX.length, -'.jsonl'.length);
    if (table === '_collections') {
      tables = await replaceSchema(trx, target, await entry.open());
      continue;
    }
    if (!tables) throw new InvalidBackupError(`${name} comes before the collections`);
    if (!tables.has(table)) throw new InvalidBackupError(`${name} belongs to no archived collection`);
    await insertLines(trx, table, await entry.open());
  }
  if (!tables) throw new InvalidBackupError('the archive holds no collections');
}

/** Drops the current collections, empties the system tables and recreates the archived collections; returns the tables rows may go to. */
async function replaceSchema(trx: Executor, target: RestoreTarget, lines: Readable): Promise<Set<string>> {
  const views = target.current.filter((c) => c.type === 'view');
  for (const c of [...views, ...target.current.filter((c) => c.type !== 'view')]) await target.ddl.drop(trx, c);
  for (const table of SYSTEM_TABLES) await sql`DELETE FROM ${sql.table(table)}`.execute(trx);
  const rows: Record<string, unknown>[] = [];
  for await (const line of createInterface({ input: lines, crlfDelay: Infinity })) if (line !== '') rows.push(parseRow(line));
  await insertRows(trx, '_collections', rows);
  const archived = rows.map((r) => JSON.parse(String(r.data)) as Collection);
  for (const c of archived) if (c.type !== 'view') await target.ddl.create(trx, c, fieldStorage);
  await createViews(trx, target.ddl, archived.filter((c) => c.type === 'view'));
  return new Set([...SYSTEM_TABLES.slice(1), ...archived.filter((c) => c.type !== 'view').map((c) => c.name)]);
}

/** Creates view collections, retrying those that read a view not created yet; each try in a savepoint. */
async function createViews(trx: Executor, ddl: SchemaDdl, views: Collection[]): Promise<void> {
  let pending = views;
  while (pending.length > 0) {
    const next: Collection[] = [];
    let lastError: unknown;
    for (const view of pending) {
      await sql.raw('SAVEPOINT plinth_restore_view').execute(trx);
      try {
        await ddl.create(trx, view, fieldStorage);
        await sql.raw('RELEASE SAVEPOINT plinth_restore_view').execute(trx);
      } catch (err) {
        await sql.raw('ROLLBACK TO SAVEPOINT plinth_restore_view').execute(trx);
        lastError = err;
        next.push(view);
      }
    }
    if (next.length === pending.length) throw new InvalidBackupError(`view collection "${next[0]!.name}" cannot be created: ${message(lastError)}`);
    pending = next;
  }
}

async function insertLines(trx: Executor, table: string, lines: Readable): Promise<void> {
  let batch: Record<string, unknown>[] = [];
  let limit = 0;
  for await (const line of createInterface({ input: lines, crlfDelay: Infinity })) {
    if (line === '') continue;
    const row = parseRow(line);
    if (limit === 0) limit = Math.max(1, Math.floor(MAX_PARAMS / Math.max(1, Object.keys(row).length)));
    batch.push(row);
    if (batch.length >= limit) {
      await insertRows(trx, table, batch);
      batch = [];
    }
  }
  await insertRows(trx, table, batch);
}

async function insertRows(trx: Executor, table: string, rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  await trx.insertInto(table).values(rows).execute();
}

/**
 * One archived row with values both engines bind: booleans as 1/0 (SQLite keeps them so,
 * PostgreSQL reads '1'/'0' as booleans), nested JSON as its text.
 */
function parseRow(line: string): Record<string, unknown> {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch (err) {
    throw new InvalidBackupError(`a row is not JSON: ${message(err)}`);
  }
  if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new InvalidBackupError('a row is not a JSON object');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'object' && v !== null ? JSON.stringify(v) : v;
  }
  return out;
}

/** SECURITY: an archived file's key is checked as the Storage port checks keys, so no entry writes outside the staging folder. */
function assertFileKey(key: string): void {
  const segments = key.split('/');
  const ok = segments.length <= 10 && segments.every((s, i) => isValidKeySegment(s) || (i === 0 && s === '.attrs'));
  if (!ok) throw new InvalidBackupError(`invalid file name ${JSON.stringify(key.slice(0, 200))} in the archive`);
}

/** Puts `from` where `to` is, the old folder moved aside into `aside` then removed. */
async function swapFolder(from: string, to: string, aside: string): Promise<void> {
  const old = join(aside, 'previous');
  try {
    await rename(to, old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(to), { recursive: true });
  await rename(from, to);
}

async function readText(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

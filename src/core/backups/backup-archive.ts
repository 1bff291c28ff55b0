/**
 * The backup archive (docs/operations.md, Backups): one zip holding a manifest,
 * Plinth's tables as JSON lines and the uploaded files. The format is the same on
 * both engines, so an archive restores into SQLite or PostgreSQL whichever wrote it:
 *
 *   plinth-backup.json      {format, version, engine, created}
 *   data/<table>.jsonl      one JSON object per row, in insertion order (SYSTEM_TABLES, then collections)
 *   storage/<key>           the files of `<dir>/storage`, as stored
 */
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { ZipFile } from 'yazl';
import type { Collection } from '../collections/collection.js';
import type { SnapshotRow, TableSnapshot } from './table-snapshot.js';

/** The archive's first entry. */
export const MANIFEST_ENTRY = 'plinth-backup.json';
/** The folder of table entries, and of stored files. */
export const DATA_PREFIX = 'data/';
export const STORAGE_PREFIX = 'storage/';
/** What the manifest says the file is. */
export const ARCHIVE_FORMAT = 'plinth-backup';
export const ARCHIVE_VERSION = 1;

/** The manifest of an archive. */
export interface BackupManifest {
  format: typeof ARCHIVE_FORMAT;
  version: number;
  /** The engine that wrote it (informative: any engine restores it). */
  engine: string;
  created: string;
}

/**
 * The system tables an archive holds, `_collections` first, before the collections' tables. The jobs
 * queue is runtime state, and the request logs are not data: both stay out.
 */
export const SYSTEM_TABLES = ['_collections', '_params', '_webhooks', '_migrations'] as const;

/** Rows read per batch. */
const BATCH = 100;

/** What goes into an archive. */
export interface ArchiveSource {
  snapshot: TableSnapshot;
  /** The folder of uploaded files (`<dir>/storage`); missing is fine. */
  storageDir: string;
  engine: string;
  now: Date;
}

/** Streams one archive of `source` into `out`; resolves once `out` finished. */
export async function writeBackupArchive(out: Writable, source: ArchiveSource): Promise<void> {
  const zip = new ZipFile();
  const done = new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.outputStream.on('error', reject);
    out.on('error', reject);
    out.on('finish', resolve);
  });
  zip.outputStream.pipe(out);
  const manifest: BackupManifest = { format: ARCHIVE_FORMAT, version: ARCHIVE_VERSION, engine: source.engine, created: source.now.toISOString() };
  zip.addBuffer(Buffer.from(JSON.stringify(manifest)), MANIFEST_ENTRY, { mtime: source.now });
  const collections = await readAll(source.snapshot, '_collections');
  zip.addBuffer(jsonLines(collections), `${DATA_PREFIX}_collections.jsonl`, { mtime: source.now });
  const tables: string[] = SYSTEM_TABLES.slice(1);
  for (const row of collections) {
    const c = JSON.parse(String(row.data)) as Collection;
    if (c.type !== 'view') tables.push(c.name);
  }
  for (const table of tables) {
    if (!(await source.snapshot.hasTable(table))) continue;
    // NOTE: yazl reads entries one after another, so each table's rows are read only when its turn comes.
    zip.addReadStream(Readable.from(tableLines(source.snapshot, table)), `${DATA_PREFIX}${table}.jsonl`, { mtime: source.now });
  }
  for (const file of await listFiles(source.storageDir)) {
    zip.addReadStreamLazy(`${STORAGE_PREFIX}${file}`, { mtime: source.now }, (cb) => cb(null, createReadStream(join(source.storageDir, file))));
  }
  zip.end();
  await done;
}

async function readAll(snapshot: TableSnapshot, table: string): Promise<SnapshotRow[]> {
  const all: SnapshotRow[] = [];
  for await (const batch of snapshot.rows(table, BATCH)) all.push(...batch);
  return all;
}

async function* tableLines(snapshot: TableSnapshot, table: string): AsyncGenerator<Buffer> {
  for await (const batch of snapshot.rows(table, BATCH)) yield jsonLines(batch);
}

function jsonLines(rows: readonly SnapshotRow[]): Buffer {
  let text = '';
  for (const row of rows) text += `${JSON.stringify(row, bigintsAsText)}\n`;
  return Buffer.from(text);
}

function bigintsAsText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Every file under `root` as a `/`-separated relative path; the store's in-flight `.tmp` folder left out. */
async function listFiles(root: string, prefix = ''): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(root, prefix), { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code === 'ENOENT') return [];
    throw err;
  }
  const out: string[] = [];
  for (const e of entries) {
    const rel = prefix === '' ? e.name : `${prefix}/${e.name}`;
    if (rel === '.tmp') continue;
    if (e.isDirectory()) out.push(...(await listFiles(root, rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

/**
 * The file side of record writes (docs/api.md §8.1, §3.5): uploads join the body under
 * the keys that address file fields; after validation the new files are written
 * inside the write, removed again if it rolls back; replaced and removed files,
 * and all files of deleted records, go only after commit.
 */
import { badRequest } from '../../errors/app-error.js';
import type { Collection } from '../collections/collection.js';
import { fileItemName, fileItems } from '../fields/field-file.js';
import { shapeList, storedStringList } from '../fields/field-multi.js';
import type { UploadBytes } from '../files/mime-detect.js';
import { isPendingFile, PendingFile } from '../files/pending-file.js';
import { fileKey, isValidKeySegment, recordPrefix, thumbsPrefix, type Storage } from '../files/storage.js';
import type { RecordValues } from './record-store.js';
import type { WriteScope } from './write-scope.js';
import { codeError } from '../../errors/code-error.js';

/** One uploaded part as the HTTP layer hands it over: its name and its bytes, in memory or in a file. */
export type Upload = { filename: string } & UploadBytes;

/**
 * Merges uploads into a body (docs/api.md §8.1): parts named `f`, `f+` or `+f` for a file
 * field `f` join the strings submitted under the same key, uploads last; parts under
 * any other name are ignored, as unknown body keys are.
 */
export async function attachUploads(c: Collection, body: Record<string, unknown>, uploads: Record<string, readonly Upload[]>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { ...body };
  for (const [key, parts] of Object.entries(uploads)) {
    if (parts.length === 0 || !addressesFileField(c, key)) continue;
    const files = await Promise.all(parts.map((p) => PendingFile.create(p.filename, 'data' in p ? { data: p.data } : { path: p.path, size: p.size })));
    const submitted = out[key];
    const before = submitted === undefined || submitted === null ? [] : Array.isArray(submitted) ? submitted : [submitted];
    out[key] = [...before, ...files];
  }
  return out;
}

function addressesFileField(c: Collection, key: string): boolean {
  const name = key.startsWith('+') ? key.slice(1) : key.endsWith('+') ? key.slice(0, -1) : key;
  return c.fields.some((f) => f.type === 'file' && f.name === name);
}

/** RecordFiles stores a write's uploads and schedules the removal of files it drops. */
export class RecordFiles {
  constructor(private readonly storage: Storage) {}

  /**
   * Call after validation, before the row is written: stores the uploads in `values`,
   * replaces them by their names, and schedules deletes. `old` is the stored record on update.
   */
  async persist(scope: WriteScope, c: Collection, values: RecordValues, old: RecordValues | undefined, failMessage: string): Promise<void> {
    const id = String(values.id);
    const uploads: PendingFile[] = [];
    const dropped: string[] = [];
    for (const f of c.fields) {
      if (f.type !== 'file') continue;
      const items = fileItems(values[f.name]);
      uploads.push(...items.filter(isPendingFile));
      const names = items.map(fileItemName);
      values[f.name] = shapeList(f, names);
      if (old) dropped.push(...storedStringList(old[f.name]).filter((n) => !names.includes(n)));
    }
    if (uploads.length > 0) {
      // A custom id pattern may allow characters no storage key can hold.
      if (!isValidKeySegment(id)) throw badRequest(failMessage, { id: codeError('validation_invalid_format') });
      const keys = uploads.map((u) => fileKey(c.id, id, u.name));
      // Registered before the first write so that a failure part-way removes what was written.
      scope.afterRollback(() => Promise.all(keys.map((k) => this.storage.delete(k))).then(() => undefined));
      for (const [i, u] of uploads.entries()) {
        const meta = { contentType: u.mimeType };
        await ('data' in u.source ? this.storage.put(keys[i]!, u.source.data, meta) : this.storage.putFile(keys[i]!, u.source.path, meta));
      }
    }
    if (dropped.length > 0 && isValidKeySegment(id)) {
      scope.afterCommit(() => this.removeFiles(c.id, id, dropped));
    }
  }

  /** Call for every deleted record (cascades too): its files go after commit. */
  onDeleted(scope: WriteScope, c: Collection, values: RecordValues): void {
    const id = String(values.id);
    if (c.type === 'view' || !isValidKeySegment(id)) return;
    scope.afterCommit(() => this.storage.deletePrefix(recordPrefix(c.id, id)));
  }

  private async removeFiles(collectionId: string, recordId: string, names: readonly string[]): Promise<void> {
    for (const name of names) {
      if (!isValidKeySegment(name)) continue;
      await this.storage.delete(fileKey(collectionId, recordId, name));
      await this.storage.deletePrefix(thumbsPrefix(collectionId, recordId, name));
    }
  }
}

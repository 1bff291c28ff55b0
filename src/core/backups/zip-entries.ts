/**
 * Reads a zip's entries one at a time (yauzl, lazily), each opened as a stream
 * when its turn comes, so an archive larger than memory is restored entry by entry.
 */
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

/** One entry of the zip: its name and how to stream its content. */
export interface ZipEntry {
  name: string;
  open(): Promise<Readable>;
}

/** The entries of an open zip, in their stored order. */
export interface ZipEntries {
  /** The next entry, or null after the last; open the previous one's stream fully first. */
  next(): Promise<ZipEntry | null>;
  close(): void;
}

/** Opens the zip at `path`. */
export async function openZipEntries(path: string): Promise<ZipEntries> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, strictFileNames: true });
  let error: Error | undefined;
  zip.on('error', (err: Error) => (error = err));
  return {
    next: () => new Promise<ZipEntry | null>((resolve, reject) => {
      if (error) return reject(error);
      const cleanup = (): void => {
        zip.off('entry', onEntry);
        zip.off('end', onEnd);
        zip.off('error', onError);
      };
      const onEntry = (entry: yauzl.Entry): void => {
        cleanup();
        resolve({ name: entry.fileName, open: () => zip.openReadStreamPromise(entry) });
      };
      const onEnd = (): void => {
        cleanup();
        resolve(null);
      };
      const onError = (err: Error): void => {
        cleanup();
        reject(err);
      };
      zip.on('entry', onEntry);
      zip.on('end', onEnd);
      zip.on('error', onError);
      zip.readEntry();
    }),
    close: () => zip.close(),
  };
}

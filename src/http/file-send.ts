/**
 * Sends a stored object as PocketBase's filesystem.Serve does (docs/api.md §8.2): its
 * content type (with the .svg/.css/.js overrides), inline or attachment
 * disposition, a sandboxing CSP, long caching, conditional requests (ETag,
 * Last-Modified → 304) and single byte ranges (206/416).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ByteRange, Storage, StoredObject } from '../core/files/storage.js';
import { baseMime } from '../core/files/mime-detect.js';

/** Content types a browser may show in place; everything else downloads. */
const INLINE_TYPES: ReadonlySet<string> = new Set([
  'image/png', 'image/jpg', 'image/jpeg', 'image/gif', 'image/webp', 'image/x-icon', 'image/bmp',
  'video/webm', 'video/mp4', 'video/3gpp', 'video/quicktime', 'video/x-ms-wmv',
  'audio/basic', 'audio/aiff', 'audio/mpeg', 'audio/midi', 'audio/mp3', 'audio/wave',
  'audio/wav', 'audio/x-wav', 'audio/x-mpeg', 'audio/x-m4a', 'audio/aac',
  'application/pdf', 'application/x-pdf',
]);

/** Extensions whose content type is forced, because sniffing cannot tell them (docs/api.md §8.2). */
const EXTENSION_TYPES: Readonly<Record<string, string>> = {
  '.svg': 'image/svg+xml',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
};

/** The CSP of every served file: nothing it contains may run or load. */
export const FILE_CSP = "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox";
/** Cache for 30 days; reuse for a day while revalidating. */
export const FILE_CACHE_CONTROL = 'max-age=2592000, stale-while-revalidate=86400';

/** What to send. */
export interface FileToSend {
  key: string;
  name: string;
  object: StoredObject;
  /** `?download=1|true`: always an attachment. */
  forceDownload: boolean;
}

/** Sends the object with every header of docs/api.md §8.2; HEAD gets the headers only. */
export async function sendStoredFile(request: FastifyRequest, reply: FastifyReply, storage: Storage, file: FileToSend): Promise<FastifyReply> {
  const { object, name } = file;
  // Size and modification time, as nginx builds its ETags; a rewrite under the same key changes both.
  const etag = `"${object.size.toString(16)}-${object.modified.getTime().toString(16)}"`;
  const lastModified = new Date(Math.floor(object.modified.getTime() / 1000) * 1000);
  const disposition = !file.forceDownload && INLINE_TYPES.has(baseMime(object.contentType)) ? 'inline' : 'attachment';
  reply.header('Content-Disposition', `${disposition}; filename=${name}`);
  reply.header('Content-Type', EXTENSION_TYPES[extensionOf(name)] ?? object.contentType);
  reply.header('Content-Security-Policy', FILE_CSP);
  reply.header('Cache-Control', FILE_CACHE_CONTROL);
  reply.header('Accept-Ranges', 'bytes');
  reply.header('Last-Modified', lastModified.toUTCString());
  reply.header('ETag', etag);

  if (notModified(request, etag, lastModified)) {
    reply.removeHeader('Content-Type');
    return reply.code(304).send();
  }
  const range = rangeOf(request, etag, lastModified, object.size);
  if (range === 'unsatisfiable') {
    reply.removeHeader('Content-Disposition');
    return reply.code(416).header('Content-Range', `bytes */${object.size}`)
      .type('application/json').send({ status: 416, message: 'Requested range not satisfiable.', data: {} });
  }
  const length = range ? range.end - range.start + 1 : object.size;
  if (range) reply.code(206).header('Content-Range', `bytes ${range.start}-${range.end}/${object.size}`);
  reply.header('Content-Length', String(length));
  if (request.method === 'HEAD' || length === 0) return reply.send();
  const stream = await storage.read(file.key, range ?? undefined);
  // The object vanished between stat and read (deleted by a concurrent write).
  if (!stream) return reply.code(404).type('application/json').send({ status: 404, message: "The requested resource wasn't found.", data: {} });
  return reply.send(stream);
}

/** Go's filepath.Ext: from the last dot of the last path element. */
function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot >= 0 ? name.slice(dot) : '';
}

/** RFC 9110 §13.1.2–13.1.3 for GET/HEAD: If-None-Match (weak comparison) wins over If-Modified-Since. */
function notModified(request: FastifyRequest, etag: string, lastModified: Date): boolean {
  const inm = request.headers['if-none-match'];
  if (typeof inm === 'string' && inm !== '') return etagListMatches(inm, etag);
  const ims = request.headers['if-modified-since'];
  if (typeof ims !== 'string') return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && lastModified.getTime() <= since;
}

function etagListMatches(list: string, etag: string): boolean {
  const opaque = etag.replace(/^W\//, '');
  return list.split(',').some((item) => {
    const t = item.trim();
    return t === '*' || t.replace(/^W\//, '') === opaque;
  });
}

/**
 * The one byte range requested, null for the whole object (no Range, several ranges,
 * a malformed header, or an If-Range that no longer matches), or 'unsatisfiable'.
 */
function rangeOf(request: FastifyRequest, etag: string, lastModified: Date, size: number): ByteRange | null | 'unsatisfiable' {
  const header = request.headers.range;
  if (typeof header !== 'string' || !header.startsWith('bytes=')) return null;
  const ifRange = request.headers['if-range'];
  if (typeof ifRange === 'string' && ifRange !== '') {
    // An entity tag must match strongly; a date must not be older than the object.
    const fresh = ifRange.startsWith('"') || ifRange.startsWith('W/') ? ifRange === etag : Date.parse(ifRange) >= lastModified.getTime();
    if (!fresh) return null;
  }
  const spec = header.slice('bytes='.length).trim();
  if (spec.includes(',')) return null;
  const m = /^(\d*)-(\d*)$/.exec(spec);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    // A suffix range: the last N bytes.
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return null;
  return { start, end };
}

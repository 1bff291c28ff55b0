/**
 * Content-type detection from a file's bytes, never its name (docs/api.md §2.5
 * `mimeTypes`): `file-type` recognises binary formats by their magic numbers;
 * text that it does not know is told apart here (SVG, HTML, XML, JSON, plain).
 */
import { open, readFile } from 'node:fs/promises';

/**
 * Where an upload's bytes are: in memory (`data`), or in a temporary file of `size` bytes
 * (`path`) that its creator removes once the request is over (storing it moves it away).
 */
export type UploadBytes = { data: Buffer } | { path: string; size: number };

/** A detected content type and the extension that goes with it (with its dot, or ''). */
export interface DetectedType {
  mime: string;
  ext: string;
}

/** The type of bytes nothing recognises. */
export const UNKNOWN_TYPE: DetectedType = { mime: 'application/octet-stream', ext: '' };

// How much text is inspected, as Go's mimetype library reads at most 3 KiB.
const SNIFF_BYTES = 3072;

/** Detects the content type of bytes in memory or in a file (an upload spooled to disk). */
export async function detectMime(source: Buffer | UploadBytes): Promise<DetectedType> {
  // Loaded on first upload, so commands and nodes that never see one do not pay for it.
  const { fileTypeFromBuffer, fileTypeFromFile } = await import('file-type');
  const bytes = Buffer.isBuffer(source) ? { data: source } : source;
  const found = await ('data' in bytes ? fileTypeFromBuffer(bytes.data) : fileTypeFromFile(bytes.path)).catch(() => undefined);
  const head = 'data' in bytes ? bytes.data.subarray(0, SNIFF_BYTES) : await readHead(bytes.path);
  // file-type calls any XML document application/xml; an SVG inside must stay an SVG.
  if (found && found.mime !== 'application/xml') return { mime: found.mime, ext: `.${found.ext}` };
  if (!isText(head)) return found ? { mime: found.mime, ext: `.${found.ext}` } : UNKNOWN_TYPE;
  // NOTE: telling JSON from text parses the whole upload, read from its file only then.
  return sniffText(head.toString('utf8'), () => ('data' in bytes ? Promise.resolve(bytes.data) : readFile(bytes.path)));
}

/** The first SNIFF_BYTES of a file. */
async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Whether `mime` is one of `allowed`, comparing base types case-insensitively (parameters ignored). */
export function mimeMatches(mime: string, allowed: readonly string[]): boolean {
  const base = baseMime(mime);
  return allowed.some((a) => baseMime(a) === base);
}

/** A content type without its parameters, lower-cased: `Text/Plain; charset=utf-8` → `text/plain`. */
export function baseMime(mime: string): string {
  return mime.split(';')[0]!.trim().toLowerCase();
}

async function sniffText(text: string, whole: () => Promise<Buffer>): Promise<DetectedType> {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  const lower = start.slice(0, 512).toLowerCase();
  if (lower.startsWith('<svg') || (lower.startsWith('<?xml') && lower.includes('<svg'))) return { mime: 'image/svg+xml', ext: '.svg' };
  if (/^<(!doctype html|html|head|body|script|iframe|title|div|p|h1|a |table|style|br)\b/.test(lower)) {
    return { mime: 'text/html; charset=utf-8', ext: '.html' };
  }
  if (lower.startsWith('<?xml')) return { mime: 'text/xml; charset=utf-8', ext: '.xml' };
  if ((start.startsWith('{') || start.startsWith('[')) && isJson(await whole())) return { mime: 'application/json', ext: '.json' };
  return { mime: 'text/plain; charset=utf-8', ext: '.txt' };
}

function isJson(data: Buffer): boolean {
  try {
    JSON.parse(data.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** Whether bytes look like text: no control bytes other than tab, newlines, form feed and escape. */
function isText(head: Buffer): boolean {
  for (const b of head) {
    if (b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f)) return false;
  }
  return true;
}

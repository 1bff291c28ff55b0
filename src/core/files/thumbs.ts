/**
 * Thumbnails (docs/api.md §8.2): which `?thumb=` sizes a field honours, and rendering
 * one with sharp in PocketBase's modes — `WxH` crop from the centre, `WxHt`
 * from the top, `WxHb` from the bottom, `WxHf` fit inside, `0xH`/`Wx0` resize
 * keeping the aspect ratio.
 */
import type { Field } from '../collections/collection.js';
import { baseMime } from './mime-detect.js';

/** The size every image field allows besides its own `thumbs`. */
export const DEFAULT_THUMB = '100x100';

/** Content types thumbs are made of. */
export const THUMB_SOURCE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpg', 'image/jpeg', 'image/gif', 'image/webp']);

const sizeRe = /^(\d+)x(\d+)(t|b|f)?$/;

/**
 * Larger source images are refused (the original is served instead). SECURITY: a few
 * hundred bytes of PNG can claim any size (a decompression bomb), and decoding costs
 * about 4 bytes of memory per pixel; 50 MP (~200 MB decoded) still takes a 48 MP phone
 * photo or a 45 MP camera's. PocketBase's Go decoders have no such limit.
 */
export const MAX_THUMB_INPUT_PIXELS = 50_000_000;

/** A render that takes longer is abandoned (libvips stops it) and the original served. */
const RENDER_TIMEOUT_SECONDS = 10;

/** A parsed thumb size. */
export interface ThumbSize {
  width: number;
  height: number;
  mode: 'center' | 'top' | 'bottom' | 'fit';
}

/** Parses `WxH[t|b|f]`; null for anything else or `0x0`. */
export function parseThumbSize(size: string): ThumbSize | null {
  const m = sizeRe.exec(size);
  if (!m) return null;
  const width = Number(m[1]);
  const height = Number(m[2]);
  if ((width === 0 && height === 0) || width > 10_000 || height > 10_000) return null;
  const mode = m[3] === 't' ? 'top' : m[3] === 'b' ? 'bottom' : m[3] === 'f' ? 'fit' : 'center';
  return { width, height, mode };
}

/** Whether a file field serves `size` for a file of `contentType`: 100x100 or one of its `thumbs`, images only. */
export function thumbAllowed(field: Field, size: string, contentType: string): boolean {
  if (!THUMB_SOURCE_TYPES.has(baseMime(contentType))) return false;
  const listed = Array.isArray(field.thumbs) && (field.thumbs as unknown[]).includes(size);
  return (size === DEFAULT_THUMB || listed) && parseThumbSize(size) !== null;
}

/** Renders a thumb of `data` in the source's own format; throws when the image cannot be read. */
export async function renderThumb(data: Buffer, size: ThumbSize): Promise<Buffer> {
  // Loaded on first use: a node that never serves a thumb never loads libvips.
  const { default: sharp } = await import('sharp');
  const image = sharp(data, { limitInputPixels: MAX_THUMB_INPUT_PIXELS, animated: false }).timeout({ seconds: RENDER_TIMEOUT_SECONDS });
  const { width, height } = size;
  if (width === 0 || height === 0) {
    image.resize(width === 0 ? { height } : { width });
  } else if (size.mode === 'fit') {
    image.resize(width, height, { fit: 'inside', withoutEnlargement: true });
  } else {
    image.resize(width, height, { fit: 'cover', position: size.mode === 'center' ? 'centre' : size.mode });
  }
  return image.toBuffer();
}

/**
 * Stored file names (docs/api.md §8.1): the uploaded name snake-cased, a random
 * suffix, and a cleaned extension, as PocketBase's filesystem.normalizeName.
 * The result holds only `[a-z0-9_]` before the extension and `[\w.*\-+=#]` in
 * it, so no uploaded name can carry a path, NUL or control character.
 */
import { randomId } from '../../tools/ids.js';

// Go's `\w` is ASCII-only; so is everything here.
const extInvalidChars = /[^0-9A-Za-z_.*\-+=#]+/g;
const snakeSplit = /[^0-9A-Za-z]+/;

/** The longest kept extension (its last characters, after a dot). */
export const MAX_EXTENSION = 20;
/** The longest kept base name. */
export const MAX_BASE_NAME = 100;

/**
 * The stored name of an upload named `original`; `detectedExt` (e.g. `.png`,
 * from the content) is used when the name has no usable extension.
 */
export function normalizeFileName(original: string, detectedExt: string, random: (n: number) => string = randomId): string {
  const originalExt = extractExtension(original);
  let ext = originalExt.replace(extInvalidChars, '');
  if (ext === '') ext = detectedExt;
  if (ext.length > MAX_EXTENSION) ext = '.' + ext.slice(ext.length - MAX_EXTENSION);
  let base = snakeCase(original.slice(0, original.length - originalExt.length));
  if (base.length < 3) base += random(10);
  else if (base.length > MAX_BASE_NAME) base = base.slice(0, MAX_BASE_NAME);
  return `${base}_${random(10)}${ext}`;
}

/**
 * The extension with its leading dot, two dot parts when there are two or more
 * (`a.tar.gz` → `.tar.gz`), or '' when the name has no dot.
 */
export function extractExtension(name: string): string {
  const primary = name.lastIndexOf('.');
  if (primary === -1) return '';
  const secondary = name.lastIndexOf('.', primary - 1);
  return secondary >= 0 && primary > 0 ? name.slice(secondary) : name.slice(primary);
}

/**
 * PocketBase's inflector.Snakecase: split at non-word characters and `_`, join
 * with `_`, split camelCase (`myTestDB` → `my_test_db`), lower-case.
 */
export function snakeCase(text: string): string {
  let out = '';
  for (const word of text.split(snakeSplit)) {
    if (word === '') continue;
    if (out.length > 0) out += '_';
    for (let i = 0; i < word.length; i++) {
      const c = word[i]!;
      if (i > 0 && isUpper(c) && !isUpper(word[i - 1]!)) out += '_';
      out += c;
    }
  }
  return out.toLowerCase();
}

function isUpper(c: string): boolean {
  return c >= 'A' && c <= 'Z';
}

/**
 * Id helpers: random record ids and the CRC32-based default ids of
 * collections and fields (docs/api.md §1.5).
 */
import { randomInt } from 'node:crypto';
import * as zlib from 'node:zlib';

const idAlphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random id of `length` characters from `[a-z0-9]`, drawn with crypto-quality randomness. */
export function randomId(length = 15): string {
  return randomString(idAlphabet, length);
}

/** `length` characters drawn uniformly from `alphabet` with crypto-quality randomness. */
export function randomString(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** The decimal CRC32-IEEE of a UTF-8 string (as PocketBase's `crc32.ChecksumIEEE`). */
export function crc32(text: string): number {
  // NOTE: zlib.crc32 exists from Node 20.15 / 22.2 only; older runtimes use the table.
  const native = (zlib as { crc32?: (data: string | Uint8Array) => number }).crc32;
  if (typeof native === 'function') return native(text);
  return tableCrc32(Buffer.from(text, 'utf8'));
}

/**
 * A deterministic id: `prefix` + decimal CRC32 of `text`. Fields use
 * `crc32Id(type, name)`; collections use `crc32Id('pbc_', type + name)`.
 */
export function crc32Id(prefix: string, text: string): string {
  return prefix + String(crc32(text));
}

let table: Uint32Array | undefined;

function tableCrc32(bytes: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const b of bytes) crc = table[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The table implementation, exported for tests that compare it with zlib's. */
export const crc32Fallback = (text: string): number => tableCrc32(Buffer.from(text, 'utf8'));

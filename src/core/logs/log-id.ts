/**
 * Ids of log entries: 15 characters of `[a-z0-9]` like a record id, but time-ordered —
 * 8 characters of the millisecond clock in base 36, then 7 random ones. Entries are
 * then appended to the id index instead of landing at random pages of it, which makes
 * a batch insert markedly cheaper; the random part keeps ids of many nodes apart.
 * Random bytes are drawn 4 KiB at a time: one `randomInt` call per character costs
 * more than the rest of logging a request.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** Bytes at or above this are skipped so that each character is uniform (252 = 7 × 36). */
const UNBIASED_LIMIT = 252;

let pool = randomBytes(4096);
let at = 0;

function randomChar(): string {
  for (;;) {
    if (at >= pool.length) {
      pool = randomBytes(4096);
      at = 0;
    }
    const byte = pool[at++]!;
    if (byte < UNBIASED_LIMIT) return ALPHABET[byte % 36]!;
  }
}

// The time part of the last id: requests answered in the same millisecond share it.
let lastMs = NaN;
let lastTime = '';

/** A new log entry id. */
export function newLogId(now: number = Date.now()): string {
  if (now !== lastMs) {
    lastMs = now;
    lastTime = now.toString(36).padStart(8, '0').slice(-8);
  }
  let id = lastTime;
  for (let i = 0; i < 7; i++) id += randomChar();
  return id;
}

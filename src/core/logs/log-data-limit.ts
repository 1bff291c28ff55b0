/**
 * The size caps of a stored entry, as PocketBase v0.40 applies them
 * (docs/operations.md §Logs): a message keeps at most 8000 characters; a `data`
 * whose JSON is larger than `settings.logs.maxDataSize` bytes keeps its leading
 * keys that fit, the last one cut if it is text, and gains `"__pb_truncated__": true`.
 */

/** The longest message kept, in characters. */
export const MAX_MESSAGE_LENGTH = 8000;

/** The default of `settings.logs.maxDataSize`, in bytes (PocketBase's "~16KB"). */
export const DEFAULT_MAX_DATA_SIZE = 16 * 1024;

/** The marker key of a cut `data`. */
export const TRUNCATED_KEY = '__pb_truncated__';

/** `message` cut to MAX_MESSAGE_LENGTH. */
export function limitMessage(message: string): string {
  return message.length > MAX_MESSAGE_LENGTH ? message.slice(0, MAX_MESSAGE_LENGTH) : message;
}

/** The JSON text of `data` as stored under a limit of `maxSize` bytes (0 or less: the default). */
export function limitDataJson(data: Record<string, unknown>, maxSize: number): string {
  const json = safeStringify(data);
  // Most entries are far below the limit: measured in characters first (a UTF-8 byte count needs a pass).
  const limit = maxSize > 0 ? maxSize : DEFAULT_MAX_DATA_SIZE;
  if (json.length * 3 <= limit || Buffer.byteLength(json) <= limit) return json;
  return safeStringify(cutData(data, limit));
}

/** `data` as stored under a limit of `maxSize` bytes of JSON (0 or less: the default). */
export function limitData(data: Record<string, unknown>, maxSize: number): Record<string, unknown> {
  return JSON.parse(limitDataJson(data, maxSize)) as Record<string, unknown>;
}

/** JSON of app-supplied data that may not serialize (a BigInt, a cycle): then what can be said of it. */
function safeStringify(data: Record<string, unknown>): string {
  try {
    return JSON.stringify(data) ?? '{}';
  } catch (err) {
    return JSON.stringify({ [TRUNCATED_KEY]: true, error: `log data could not be serialized: ${(err as Error).message}` });
  }
}

/** The leading keys of `data` that fit in `limit` bytes of JSON, the last text cut, and the marker. */
function cutData(data: Record<string, unknown>, limit: number): Record<string, unknown> {
  const out: Record<string, unknown> = { [TRUNCATED_KEY]: true };
  let used = Buffer.byteLength(`{"${TRUNCATED_KEY}":true}`);
  for (const [key, value] of Object.entries(data)) {
    const cost = Buffer.byteLength(`,${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`);
    if (used + cost <= limit) {
      out[key] = value;
      used += cost;
      continue;
    }
    // The first key that does not fit: text keeps what fits (by characters, a safe underestimate of bytes).
    const room = limit - used - Buffer.byteLength(`,${JSON.stringify(key)}:""`);
    if (typeof value === 'string' && room > 0) out[key] = cutToBytes(value, room);
    break;
  }
  return out;
}

/** The longest prefix of `text` whose JSON string body fits in `bytes`. */
function cutToBytes(text: string, bytes: number): string {
  let lo = 0;
  let hi = Math.min(text.length, bytes);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (Buffer.byteLength(JSON.stringify(text.slice(0, mid))) - 2 <= bytes) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo);
}

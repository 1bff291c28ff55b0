/**
 * Downloads a provider's avatar for a sign-up whose mapped avatar field is a
 * file field (spec §5.5, "avatarURL → file download").
 */
import { PendingFile } from '../../files/pending-file.js';
import type { Field } from '../../collections/collection.js';

/** How long the avatar download may take (PocketBase waits 15 s). */
const AVATAR_TIMEOUT_MS = 15_000;
/** The size cap when the file field sets none (PocketBase's default maxSize). */
const DEFAULT_MAX_BYTES = 5 << 20;

/**
 * The avatar at `url` as an upload for `field`, or undefined when it cannot be
 * had: a failed download does not fail the sign-up, as in PocketBase.
 * SECURITY: only http(s), bounded in time and size; the file field's own
 * validation (mime types, size) still applies to what arrives.
 */
export async function downloadAvatar(url: string, field: Field): Promise<PendingFile | undefined> {
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) return undefined;
  const maxBytes = typeof field.maxSize === 'number' && field.maxSize > 0 ? field.maxSize : DEFAULT_MAX_BYTES;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(AVATAR_TIMEOUT_MS), redirect: 'follow' });
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      return undefined;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += chunk.length;
      if (size > maxBytes) return undefined;
      chunks.push(Buffer.from(chunk));
    }
    const base = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '') || 'avatar';
    return await PendingFile.create(base, Buffer.concat(chunks));
  } catch {
    return undefined;
  }
}

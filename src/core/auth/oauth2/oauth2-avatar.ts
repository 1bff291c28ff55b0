/**
 * Downloads a provider's avatar for a sign-up whose mapped avatar field is a
 * file field (docs/api.md §5.5, "avatarURL → file download").
 */
import { PendingFile } from '../../files/pending-file.js';
import type { Field } from '../../collections/collection.js';
import type { OutboundHttp } from '../../../tools/outbound-http.js';

/** How long the avatar download may take, redirects included (PocketBase waits 10 s). */
const AVATAR_TIMEOUT_MS = 10_000;
/** The size cap when the file field sets none (PocketBase's default maxSize). */
const DEFAULT_MAX_BYTES = 5 << 20;
/** Redirects an avatar URL may take (CDNs redirect once or twice). */
const MAX_REDIRECTS = 3;

/**
 * The avatar at `url` as an upload for `field`, or undefined when it cannot be
 * had: a failed or refused download does not fail the sign-up, as in PocketBase.
 * SECURITY: the URL comes from the provider's answer, which a user partly controls: it
 * goes through the outbound guard (https to public addresses, every redirect re-checked),
 * must answer an image type within the size cap, and its bytes must be an image too;
 * the file field's own validation (mime types, size) still applies to what arrives.
 */
export async function downloadAvatar(http: OutboundHttp, url: string, field: Field): Promise<PendingFile | undefined> {
  const maxBytes = typeof field.maxSize === 'number' && field.maxSize > 0 ? field.maxSize : DEFAULT_MAX_BYTES;
  try {
    const res = await http.get(url, { maxBytes, timeoutMs: AVATAR_TIMEOUT_MS, maxRedirects: MAX_REDIRECTS, acceptType: (type) => type.startsWith('image/') });
    const base = decodeURIComponent(new URL(res.url).pathname.split('/').pop() ?? '') || 'avatar';
    const file = await PendingFile.create(base, res.body);
    return file.mimeType.startsWith('image/') ? file : undefined;
  } catch {
    return undefined;
  }
}

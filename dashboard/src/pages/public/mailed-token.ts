/**
 * What a mailed link's token says about itself (docs/dashboard.md, "Mailed links"): the
 * auth collection it belongs to, its expiry and the addresses it names. Read from the JWT
 * payload without checking the signature: the server checks it when the page confirms.
 */
import { getTokenPayload } from 'pocketbase';

/** A mailed link's token, as far as the page needs it. */
export interface MailedToken {
  /** The auth collection of the record the token was issued for (its `collectionId` claim). */
  collectionId: string;
  /** Whether its `exp` has passed (the server would refuse it). */
  expired: boolean;
  /** The address the mail went to (`email`), when the token names one. */
  email?: string;
  /** The new address of an email change (`newEmail`). */
  newEmail?: string;
}

/** The token's claims, or null when it is not a JWT naming an auth collection. */
export function readMailedToken(token: string, now = Date.now()): MailedToken | null {
  const payload = getTokenPayload(token) as Record<string, unknown>;
  const collectionId = payload.collectionId;
  if (typeof collectionId !== 'string' || collectionId === '') return null;
  const exp = typeof payload.exp === 'number' ? payload.exp : 0;
  return {
    collectionId,
    expired: exp * 1000 <= now,
    email: typeof payload.email === 'string' ? payload.email : undefined,
    newEmail: typeof payload.newEmail === 'string' ? payload.newEmail : undefined,
  };
}

/** The message for a link that cannot be used, or undefined when it may be tried. */
export function unusableLinkMessage(token: MailedToken | null): string | undefined {
  if (!token) return 'This link is not valid. Check that you opened the whole link from the mail.';
  if (token.expired) return 'This link has expired. Request a new mail from the app and use its link.';
  return undefined;
}

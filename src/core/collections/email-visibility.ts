/**
 * Which columns of a collection hold an auth record's email, and what decides
 * whether a viewer may see it (spec §3.1 step 4, §3.6): the row's
 * `emailVisibility`, and whether the viewer is the row's own record.
 */
import type { Collection } from './collection.js';

/** How one email column of a collection is guarded. */
export interface EmailGuard {
  /** The column holding the row's `emailVisibility`; null when the row has none (then only owners and superusers see it). */
  visibility: string | null;
  /** The column holding the id of the auth record the email belongs to; null when unknown. */
  ownerId: string | null;
  /** The auth collection the email belongs to (an owner is a record of that collection). */
  ownerCollectionId: string;
}

/** The guard of field `name` of `c`, or null when it is not an auth record's email. */
export function emailGuardOf(c: Collection, name: string): EmailGuard | null {
  if (c.type === 'auth' && name === 'email') return { visibility: 'emailVisibility', ownerId: 'id', ownerCollectionId: c.id };
  return null;
}

/**
 * Which columns of a collection hold an auth record's email, and what decides
 * whether a viewer may see it (docs/api.md §3.1 step 4, §3.6): the row's
 * `emailVisibility`, and whether the viewer is the row's own record. An auth
 * collection has one such column, `email`; a view has those it copies from one.
 */
import type { Collection, EmailGuard } from './collection.js';

export type { EmailGuard } from './collection.js';

/** The guard of field `name` of `c`, or null when it is not an auth record's email. */
export function emailGuardOf(c: Collection, name: string): EmailGuard | null {
  if (c.type === 'auth') return name === 'email' ? { visibility: 'emailVisibility', ownerId: 'id', ownerCollectionId: c.id } : null;
  // NOTE: Object.hasOwn, so that a field named `constructor` finds nothing on the prototype.
  if (c.type === 'view') return c.viewEmailGuards && Object.hasOwn(c.viewEmailGuards, name) ? c.viewEmailGuards[name]! : null;
  return null;
}

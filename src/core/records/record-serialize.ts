/**
 * Turns record values into the record JSON of spec §3.6 for one viewer:
 * hidden fields only for superusers, secrets never, email by visibility rules.
 */
import type { Collection } from '../collections/collection.js';
import type { RecordValues } from './record-store.js';

/** What decides which fields a viewer sees. */
export interface Visibility {
  /** Superusers see hidden fields. */
  showHidden: boolean;
  /** Whether `email` is shown although `emailVisibility` is false (owner, manager, superuser, auth response). */
  showEmail: boolean;
}

/** The JSON of a record (without `expand`). */
export function serializeRecord(c: Collection, values: RecordValues, vis: Visibility): Record<string, unknown> {
  const out: Record<string, unknown> = { collectionId: c.id, collectionName: c.name };
  const isAuth = c.type === 'auth';
  for (const f of c.fields) {
    if (f.type === 'password') continue;
    if (isAuth && f.name === 'tokenKey') continue;
    if (f.hidden && !vis.showHidden) continue;
    if (isAuth && f.name === 'email' && !vis.showEmail && values.emailVisibility !== true) continue;
    out[f.name] = values[f.name];
  }
  return out;
}

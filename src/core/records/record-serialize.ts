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
  for (const name of shownFields(c, vis.showHidden)) {
    if (isAuth && name === 'email' && !vis.showEmail && values.emailVisibility !== true) continue;
    out[name] = values[name];
  }
  return out;
}

// The field names a viewer may see, per field list and hidden-visibility, built once per
// schema version (a change replaces the fields array): every record goes through here.
const shown = new WeakMap<Collection['fields'], [hiddenShown: string[], hiddenLeftOut: string[]]>();

/** Fields in order, without secrets (password, an auth record's tokenKey), and without hidden ones unless shown. */
function shownFields(c: Collection, showHidden: boolean): string[] {
  let lists = shown.get(c.fields);
  if (!lists) {
    const isAuth = c.type === 'auth';
    const visible = c.fields.filter((f) => f.type !== 'password' && !(isAuth && f.name === 'tokenKey'));
    lists = [visible.map((f) => f.name), visible.filter((f) => !f.hidden).map((f) => f.name)];
    shown.set(c.fields, lists);
  }
  return showHidden ? lists[0] : lists[1];
}

/**
 * Turns record values into the record JSON of docs/api.md §3.6 for one viewer:
 * hidden fields only for superusers, secrets never, email by visibility rules.
 */
import type { Collection, EmailGuard, Field } from '../collections/collection.js';
import { emailGuardOf } from '../collections/email-visibility.js';
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
  const lists = shownFields(c);
  const emailShown = vis.showEmail || vis.showHidden;
  for (const name of vis.showHidden ? lists.hiddenShown : lists.hiddenLeftOut) {
    const guard = emailShown ? undefined : lists.guards.get(name);
    // SECURITY: an auth email (or a view's copy of one) only where its row made it visible.
    if (guard && !(guard.visibility !== null && values[guard.visibility] === true)) continue;
    out[name] = values[name];
  }
  return out;
}

/**
 * Whether a field is a secret: a password hash, or an auth record's tokenKey. A view
 * column of either name is one too: views saved before such columns were refused
 * hold them as json.
 */
function isSecretField(c: Collection, f: Field): boolean {
  if (f.type === 'password') return true;
  if (c.type === 'auth') return f.name === 'tokenKey';
  return c.type === 'view' && (f.name === 'tokenKey' || f.name === 'password');
}

/** The field names a viewer may see, and the email columns among them with their guards. */
interface ShownFields {
  hiddenShown: string[];
  hiddenLeftOut: string[];
  guards: Map<string, EmailGuard>;
}

// Built once per schema version (a change replaces the fields array): every record goes through here.
const shown = new WeakMap<Collection['fields'], ShownFields>();

/**
 * Fields in order, without secrets, and without hidden ones unless shown.
 * SECURITY: password hashes and token keys are never serialized, from any collection
 * type (a view copying one is refused at save; this holds whatever the definition).
 */
function shownFields(c: Collection): ShownFields {
  let lists = shown.get(c.fields);
  if (!lists) {
    const visible = c.fields.filter((f) => !isSecretField(c, f));
    const guards = new Map<string, EmailGuard>();
    for (const f of visible) {
      const guard = emailGuardOf(c, f.name);
      if (guard) guards.set(f.name, guard);
    }
    lists = { hiddenShown: visible.map((f) => f.name), hiddenLeftOut: visible.filter((f) => !f.hidden).map((f) => f.name), guards };
    shown.set(c.fields, lists);
  }
  return lists;
}

/**
 * Turns submitted collection JSON into the stored model: defaults for a new
 * collection (POST) and PocketBase's merge semantics for an update (PATCH,
 * docs/api.md §2). Nothing here validates; collection-validate.ts does.
 */
import { badRequest } from '../../errors/app-error.js';
import { nowDateTime } from '../../tools/datetime.js';
import type { AuthOptions, Collection, CollectionType, Rule } from './collection.js';
import {
  authDefaultIndexes,
  blankCollection,
  defaultAuthOptions,
  defaultCollectionId,
  newTokenSecret,
  SUPERUSERS_ID,
} from './collection-defaults.js';
import {
  asBool,
  asString,
  INVALID_FORMAT_MESSAGE,
  isObject,
  parseFieldList,
  withSystemFields,
  type JsonObject,
} from './collection-fields.js';
import { TOKEN_OPTION_KEYS } from './collection-json.js';
import { findSingleColumnUniqueIndex, renameIndexTable } from '../../tools/index-parse.js';

export { toPublicJSON } from './collection-json.js';

const RULE_KEYS = ['listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule'] as const;

/** The keys of AuthOptions, in PocketBase's order. */
export const AUTH_OPTION_KEYS = [
  'authRule', 'manageRule', 'authAlert', 'oauth2', 'passwordAuth', 'mfa', 'otp',
  'authToken', 'passwordResetToken', 'emailChangeToken', 'verificationToken', 'fileToken',
  'verificationTemplate', 'resetPasswordTemplate', 'confirmEmailChangeTemplate',
] as const satisfies readonly (keyof AuthOptions)[];

const KNOWN_TYPES: ReadonlySet<string> = new Set(['base', 'auth', 'view']);

/**
 * Builds a new collection from POST JSON: `type` defaults to base, a missing id is
 * `pbc_ + CRC32(type + name)` with a numeric suffix when it is one of `existingIds`,
 * system fields and default auth indexes are added, auth options are deep-merged
 * over the defaults. Throws a 400 when the body is not a collection's shape.
 */
export function normalizeNewCollection(input: unknown, existingIds: Iterable<string> = []): Collection {
  if (!isObject(input)) throw badRequest(INVALID_FORMAT_MESSAGE);
  assertScalar(input.type);
  const type = (asString(input.type) || 'base') as CollectionType;
  const name = asString(input.name);
  const id = asString(input.id) || uniqueCollectionId(type, name, new Set(existingIds));
  const now = nowDateTime();

  const c = blankCollection(KNOWN_TYPES.has(type) ? type : 'base', name, id, now);
  c.type = type;
  c.system = asBool(input.system);
  for (const key of RULE_KEYS) c[key] = asRule(input[key]);
  c.fields = parseFieldList(input.fields);
  c.indexes = asIndexes(input.indexes);
  if (type === 'view') c.viewQuery = asString(input.viewQuery);
  if (type === 'auth') {
    const merged = mergeAuthOptions(defaultAuthOptions(), input);
    Object.assign(c, merged);
  }
  return finalize(c);
}

/**
 * Applies a PATCH body to a stored collection: top-level keys replace, a `fields`
 * array replaces the list (fields matched by id), nested option objects merge
 * key-wise, arrays replace. Token secrets and OAuth2 client secrets are kept unless
 * sent; a changed `authRule` rotates `authToken.secret`, revoking issued tokens.
 */
export function mergeCollectionPatch(current: Collection, patch: unknown): Collection {
  if (!isObject(patch)) throw badRequest(INVALID_FORMAT_MESSAGE);
  const next = structuredClone(current);
  if ('id' in patch) next.id = asString(patch.id);
  if ('name' in patch) next.name = asString(patch.name);
  if ('type' in patch) {
    assertScalar(patch.type);
    next.type = asString(patch.type) as CollectionType;
  }
  if ('system' in patch) next.system = asBool(patch.system, current.system);
  for (const key of RULE_KEYS) if (key in patch) next[key] = asRule(patch[key]);
  if ('fields' in patch) next.fields = parseFieldList(patch.fields);
  if ('indexes' in patch) next.indexes = asIndexes(patch.indexes);
  if (next.type === 'view' && 'viewQuery' in patch) next.viewQuery = asString(patch.viewQuery);

  if (next.type === 'auth') {
    const base = current.type === 'auth' ? pickAuthOptions(current) : defaultAuthOptions();
    Object.assign(next, mergeAuthOptions(base, patch));
    // NOTE: null and "" both mean "no extra condition", so only a real change rotates.
    if ((current.authRule ?? '') !== (next.authRule ?? '') && current.type === 'auth') {
      next.authToken = { ...next.authToken!, secret: newTokenSecret() };
    }
  }
  next.updated = nowDateTime();
  return finalize(next);
}

function uniqueCollectionId(type: string, name: string, taken: ReadonlySet<string>): string {
  const base = defaultCollectionId(type, name);
  let id = base;
  for (let i = 2; taken.has(id); i++) id = base + i;
  return id;
}

// SECURITY: a rule that is neither a string nor null is refused, never read as ""
// (which would open the collection to everyone).
function asRule(v: unknown): Rule {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw badRequest(INVALID_FORMAT_MESSAGE);
  return v;
}

/** Refuses an object or array where a JSON scalar is expected (Go's decoder fails there too). */
function assertScalar(v: unknown): void {
  if (typeof v === 'object' && v !== null) throw badRequest(INVALID_FORMAT_MESSAGE);
}

function asIndexes(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw badRequest(INVALID_FORMAT_MESSAGE);
  return v.map((x) => asString(x));
}

function pickAuthOptions(c: Collection): AuthOptions {
  const out: Record<string, unknown> = {};
  for (const key of AUTH_OPTION_KEYS) out[key] = structuredClone(c[key]);
  return out as unknown as AuthOptions;
}

/** Deep-merges the auth option keys of `input` over `base` with Go JSON-into-struct semantics. */
function mergeAuthOptions(base: AuthOptions, input: JsonObject): AuthOptions {
  const out = structuredClone(base) as unknown as Record<string, unknown>;
  for (const key of AUTH_OPTION_KEYS) {
    if (!(key in input)) continue;
    const incoming = input[key];
    if (key === 'authRule' || key === 'manageRule') out[key] = asRule(incoming);
    else out[key] = mergeValue(out[key], incoming);
  }
  for (const key of TOKEN_OPTION_KEYS) {
    const before = (base as unknown as Record<string, { secret?: unknown }>)[key]?.secret;
    const token = out[key];
    // A secret is write-only: an empty or missing one means "keep the stored secret".
    if (isObject(token) && (typeof token.secret !== 'string' || token.secret === '')) token.secret = before;
  }
  const oauth2 = out.oauth2;
  if (isObject(oauth2)) oauth2.providers = keepClientSecrets(oauth2.providers, base.oauth2?.providers ?? []);
  return out as unknown as AuthOptions;
}

// NOTE: Go decoding ignores null for struct and scalar targets, replaces arrays, and
// fails on a value of another JSON kind than the target's (a string for an object…).
function mergeValue(current: unknown, incoming: unknown): unknown {
  if (incoming === undefined) return current;
  if (incoming === null) return Array.isArray(current) ? [] : current;
  if (isObject(current)) {
    if (!isObject(incoming)) throw badRequest(INVALID_FORMAT_MESSAGE);
    const out: JsonObject = { ...current };
    for (const [k, v] of Object.entries(incoming)) out[k] = mergeValue(current[k], v);
    return out;
  }
  if (Array.isArray(current) !== Array.isArray(incoming)) throw badRequest(INVALID_FORMAT_MESSAGE);
  if (current !== undefined && current !== null && !Array.isArray(current) && typeof current !== typeof incoming) {
    throw badRequest(INVALID_FORMAT_MESSAGE);
  }
  return structuredClone(incoming);
}

function keepClientSecrets(providers: unknown, stored: readonly Record<string, unknown>[]): unknown {
  if (!Array.isArray(providers)) return providers;
  return providers.map((p: unknown) => {
    if (!isObject(p)) throw badRequest(INVALID_FORMAT_MESSAGE);
    if ((typeof p.clientSecret === 'string' && p.clientSecret !== '')) return p;
    const old = stored.find((s) => s.name === p.name);
    return old && typeof old.clientSecret === 'string' ? { ...p, clientSecret: old.clientSecret } : p;
  });
}

/** Adds system fields and default indexes, points indexes at the collection, and applies per-collection invariants. */
function finalize(c: Collection): Collection {
  c.fields = withSystemFields(c.type, c.fields);
  if (c.type === 'auth') {
    const [tokenKey, email] = authDefaultIndexes(c.id, c.name);
    if (!findSingleColumnUniqueIndex(c.indexes, 'tokenKey')) c.indexes.push(tokenKey!);
    if (!findSingleColumnUniqueIndex(c.indexes, 'email')) c.indexes.push(email!);
    unsetMissingMappedFields(c);
    if (c.id === SUPERUSERS_ID || c.name === '_superusers') applySuperuserInvariants(c);
  }
  c.indexes = c.indexes.map((sql) => renameIndexTable(sql, c.name));
  return c;
}

function unsetMissingMappedFields(c: Collection): void {
  const mapped = c.oauth2?.mappedFields as Record<string, unknown> | undefined;
  if (!isObject(mapped)) return;
  for (const [key, value] of Object.entries(mapped)) {
    if (typeof value === 'string' && value !== '' && !c.fields.some((f) => f.name === value)) mapped[key] = '';
  }
}

// docs/api.md §2.1: superusers always sign in with a password, never through OAuth2, and
// an OTP alone is never enough for them.
function applySuperuserInvariants(c: Collection): void {
  if (isObject(c.passwordAuth)) c.passwordAuth.enabled = true;
  if (isObject(c.oauth2)) c.oauth2.enabled = false;
  if (isObject(c.otp) && isObject(c.mfa) && c.otp.enabled === true) c.mfa.enabled = true;
}

/**
 * The defaults of the collection model (docs/api.md §2.1, §2.4): system fields, default
 * auth options and indexes, the scaffolds of `GET /api/collections/meta/scaffolds`
 * and the collections created on install.
 */
import { getFieldType } from '../fields/field-registry.js';
import { crc32Id, randomId } from '../../tools/ids.js';
import { nowDateTime } from '../../tools/datetime.js';
import type { AuthOptions, Collection, CollectionType, Field, FieldTypeName, TokenConfig } from './collection.js';
import {
  defaultAuthAlertTemplate,
  defaultConfirmEmailChangeTemplate,
  defaultOtpTemplate,
  defaultResetPasswordTemplate,
  defaultVerificationTemplate,
} from './auth-templates.js';
import { toPublicJSON } from './collection-json.js';

/** The id of the `_superusers` collection: `pbc_` + CRC32("auth_superusers"), hard-coded by the SDK. */
export const SUPERUSERS_ID = 'pbc_3142635823';
/** The fixed id of the default `users` collection. */
export const USERS_ID = '_pb_users_auth_';

/** The length of generated token secrets. */
const SECRET_LENGTH = 50;

/** The id a field gets when it is sent without one: `type + CRC32(name)` (docs/api.md §1.5). */
export function defaultFieldId(type: string, name: string): string {
  return crc32Id(type, name);
}

/** The id a collection gets when it is sent without one: `pbc_ + CRC32(type + name)` (docs/api.md §1.5). */
export function defaultCollectionId(type: string, name: string): string {
  return crc32Id('pbc_', type + name);
}

/** Fills a field's type options with their defaults; unknown types are returned as they are. */
export function applyFieldDefaults(field: Field): Field {
  return getFieldType(field.type)?.withDefaults(field) ?? field;
}

/** Builds a field with the common properties, its default id and its type's defaults. */
export function makeField(type: FieldTypeName, name: string, props: Partial<Field> = {}): Field {
  return applyFieldDefaults({
    id: defaultFieldId(type, name),
    name,
    type,
    system: false,
    hidden: false,
    presentable: false,
    ...props,
  });
}

/** The pattern new record ids are drawn from unless a collection sets its own. */
export const DEFAULT_ID_PATTERN = '[a-z0-9]{15}';

/** The `id` field every base and auth collection has (docs/api.md §1.5). */
export function idField(): Field {
  return makeField('text', 'id', {
    system: true,
    required: true,
    primaryKey: true,
    min: 15,
    max: 15,
    pattern: '^[a-z0-9]+$',
    autogeneratePattern: DEFAULT_ID_PATTERN,
  });
}

/** The system fields of an auth collection, in PocketBase's order (docs/api.md §2.4). */
export function authSystemFields(): Field[] {
  return [
    idField(),
    makeField('password', 'password', { system: true, hidden: true, required: true, min: 8 }),
    makeField('text', 'tokenKey', {
      system: true,
      hidden: true,
      required: true,
      min: 30,
      max: 60,
      autogeneratePattern: '[a-zA-Z0-9]{50}',
    }),
    makeField('email', 'email', { system: true, required: true }),
    makeField('bool', 'emailVisibility', { system: true }),
    makeField('bool', 'verified', { system: true }),
  ];
}

/** The name of a default single-field index: `idx_<field>_<collectionId>`, capped at 64 chars. */
export function defaultIndexName(field: string, collectionId: string): string {
  return `idx_${field}_${collectionId}`.slice(0, 64);
}

/** The UNIQUE index an auth collection needs on `tokenKey`. */
export function tokenKeyIndex(collectionId: string, table: string): string {
  return `CREATE UNIQUE INDEX \`${defaultIndexName('tokenKey', collectionId)}\` ON \`${table}\` (\`tokenKey\`)`;
}

/** The partial UNIQUE index an auth collection needs on `email`. */
export function emailIndex(collectionId: string, table: string): string {
  return `CREATE UNIQUE INDEX \`${defaultIndexName('email', collectionId)}\` ON \`${table}\` (\`email\`) WHERE \`email\` != ''`;
}

/** The default indexes of an auth collection: UNIQUE tokenKey and UNIQUE email where not empty. */
export function authDefaultIndexes(collectionId: string, table: string): string[] {
  return [tokenKeyIndex(collectionId, table), emailIndex(collectionId, table)];
}

/** A token setting with a fresh random secret. */
export function tokenConfig(duration: number): TokenConfig {
  return { duration, secret: randomId(SECRET_LENGTH) };
}

/** A new random token secret (50 chars). */
export function newTokenSecret(): string {
  return randomId(SECRET_LENGTH);
}

/** The options of a new auth collection, with freshly generated token secrets (docs/api.md §2.1). */
export function defaultAuthOptions(): AuthOptions {
  return {
    authRule: '',
    manageRule: null,
    authAlert: { enabled: true, emailTemplate: defaultAuthAlertTemplate() },
    oauth2: {
      enabled: false,
      mappedFields: { id: '', name: '', username: '', avatarURL: '' },
      providers: [],
    },
    passwordAuth: { enabled: true, identityFields: ['email'] },
    mfa: { enabled: false, duration: 600, rule: '' },
    otp: { enabled: false, duration: 180, length: 8, emailTemplate: defaultOtpTemplate() },
    authToken: tokenConfig(432000),
    passwordResetToken: tokenConfig(1800),
    emailChangeToken: tokenConfig(1800),
    verificationToken: tokenConfig(86400),
    fileToken: tokenConfig(180),
    verificationTemplate: defaultVerificationTemplate(),
    resetPasswordTemplate: defaultResetPasswordTemplate(),
    confirmEmailChangeTemplate: defaultConfirmEmailChangeTemplate(),
  };
}

/** A blank collection of a type with its system fields, default indexes and options. */
export function blankCollection(type: CollectionType, name: string, id: string, now = ''): Collection {
  const base: Collection = {
    id,
    name,
    type,
    system: false,
    listRule: null,
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    fields: [],
    indexes: [],
    created: now,
    updated: now,
  };
  if (type === 'base') base.fields = [idField()];
  if (type === 'view') base.viewQuery = '';
  if (type === 'auth') {
    base.fields = authSystemFields();
    base.indexes = authDefaultIndexes(id, name);
    Object.assign(base, defaultAuthOptions());
  }
  return base;
}

/**
 * The three blank collections of `GET /api/collections/meta/scaffolds`, as public
 * JSON with `id: ""`. Like PocketBase, the default index names use a random
 * stand-in id so that two scaffolds never propose the same index name.
 */
export function scaffolds(): { base: object; auth: object; view: object } {
  const stand = randomId(10);
  const blank = (type: CollectionType): object => toPublicJSON({ ...blankCollection(type, '', stand), id: '' });
  return { base: blank('base'), auth: blank('auth'), view: blank('view') };
}

const OWNER_RULE = "@request.auth.id != '' && recordRef = @request.auth.id && collectionRef = @request.auth.collectionId";

function autodates(system: boolean): Field[] {
  return [
    makeField('autodate', 'created', { system, onCreate: true, onUpdate: false }),
    makeField('autodate', 'updated', { system, onCreate: true, onUpdate: true }),
  ];
}

function systemText(name: string, props: Partial<Field> = {}): Field {
  return makeField('text', name, { system: true, required: true, ...props });
}

function systemBase(name: string, fields: Field[], indexes: string[], rules: Partial<Collection>, now: string): Collection {
  const c = blankCollection('base', name, defaultCollectionId('base', name), now);
  c.system = true;
  c.fields = [idField(), ...fields, ...autodates(true)];
  c.indexes = indexes;
  return Object.assign(c, rules);
}

/** The `_superusers` auth collection created on install (docs/api.md §2.4). */
export function superusersCollection(now = nowDateTime()): Collection {
  const c = blankCollection('auth', '_superusers', SUPERUSERS_ID, now);
  c.system = true;
  c.fields = [...c.fields, ...autodates(true)];
  c.authToken = tokenConfig(86400);
  return c;
}

/** The default `users` auth collection created on install; not a system collection, as in PocketBase. */
export function usersCollection(now = nowDateTime()): Collection {
  const c = blankCollection('auth', 'users', USERS_ID, now);
  const owner = 'id = @request.auth.id';
  c.fields = [
    ...c.fields,
    makeField('text', 'name', { max: 255 }),
    makeField('file', 'avatar', {
      maxSelect: 1,
      mimeTypes: ['image/jpeg', 'image/png', 'image/svg+xml', 'image/gif', 'image/webp'],
    }),
    ...autodates(false),
  ];
  Object.assign(c, { listRule: owner, viewRule: owner, createRule: '', updateRule: owner, deleteRule: owner });
  c.oauth2!.mappedFields = { id: '', name: 'name', username: '', avatarURL: 'avatar' };
  return c;
}

/** Every collection created on install, in creation order (docs/api.md §2.4). */
export function systemCollections(now = nowDateTime()): Collection[] {
  const ownerRead = { listRule: OWNER_RULE, viewRule: OWNER_RULE };
  const ownerReadDelete = { ...ownerRead, deleteRule: OWNER_RULE };
  const refs = (): Field[] => [systemText('collectionRef'), systemText('recordRef')];
  return [
    superusersCollection(now),
    usersCollection(now),
    systemBase(
      '_externalAuths',
      [...refs(), systemText('provider'), systemText('providerId')],
      [
        'CREATE UNIQUE INDEX `idx_externalAuths_record_provider` ON `_externalAuths` (`collectionRef`, `recordRef`, `provider`)',
        'CREATE UNIQUE INDEX `idx_externalAuths_collection_provider` ON `_externalAuths` (`collectionRef`, `provider`, `providerId`)',
      ],
      ownerReadDelete,
      now,
    ),
    systemBase(
      '_mfas',
      [...refs(), systemText('method')],
      ['CREATE INDEX `idx_mfas_collectionRef_recordRef` ON `_mfas` (`collectionRef`, `recordRef`)'],
      ownerRead,
      now,
    ),
    systemBase(
      '_otps',
      [...refs(), systemText('password', { hidden: true }), systemText('sentTo', { hidden: true, required: false })],
      ['CREATE INDEX `idx_otps_collectionRef_recordRef` ON `_otps` (`collectionRef`, `recordRef`)'],
      ownerRead,
      now,
    ),
    systemBase(
      '_authOrigins',
      [...refs(), systemText('fingerprint')],
      ['CREATE UNIQUE INDEX `idx_authOrigins_unique_pairs` ON `_authOrigins` (`collectionRef`, `recordRef`, `fingerprint`)'],
      ownerReadDelete,
      now,
    ),
  ];
}

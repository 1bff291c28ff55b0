import { describe, expect, it } from 'vitest';
import type { ErrorData, FieldError } from '../../errors/app-error.js';
import { errorCodes } from '../../errors/error-codes.js';
import type { Collection } from './collection.js';
import { idField, systemCollections } from './collection-defaults.js';
import { mergeCollectionPatch, normalizeNewCollection } from './collection-normalize.js';
import { validateCollection, type CollectionValidateContext } from './collection-validate.js';

/** A stand-in rule checker: any rule containing "bad" fails with a parser-like message. */
const validateRule = (_c: Collection, rule: string): string | null => (rule.includes('bad') ? `unexpected token at ${rule.indexOf('bad')}` : null);

const stored: Collection[] = [
  ...systemCollections('2024-01-01 00:00:00.000Z'),
  normalizeNewCollection({ id: 'posts_id', name: 'posts', fields: [{ name: 'title', type: 'text' }], indexes: ['CREATE INDEX `idx_title` ON `posts` (`title`)'] }),
];
const byName = (name: string): Collection => stored.find((c) => c.name === name)!;

/** Flattens an error map to `path → code`. */
function codes(data: ErrorData | null): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (node: ErrorData, prefix: string): void => {
    for (const [key, value] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (typeof (value as FieldError).code === 'string') out[path] = (value as FieldError).code;
      else walk(value as ErrorData, path);
    }
  };
  if (data) walk(data, '');
  return out;
}

function create(body: Record<string, unknown>, extra: Partial<CollectionValidateContext> = {}): Record<string, string> {
  const next = normalizeNewCollection(body, stored.map((c) => c.id));
  return codes(validateCollection(next, { collections: stored, validateRule, ...extra }));
}

function update(current: Collection, patch: Record<string, unknown>): Record<string, string> {
  const next = mergeCollectionPatch(current, patch);
  return codes(validateCollection(next, { old: current, collections: stored, validateRule }));
}

const authBody = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'members',
  type: 'auth',
  fields: [{ name: 'nick', type: 'text' }],
  ...extra,
});

describe('validateCollection on create', () => {
  it.each<[string, Record<string, unknown>, Record<string, string>]>([
    ['a valid base collection', { name: 'articles', fields: [{ name: 'title', type: 'text' }] }, {}],
    ['a valid auth collection', authBody(), {}],
    ['a valid view', { name: 'v', type: 'view', viewQuery: 'SELECT id FROM posts', fields: [idField()] }, {}],
    ['a missing name', {}, { name: 'validation_required' }],
    ['a name with a space', { name: 'a b' }, { name: 'validation_match_invalid' }],
    ['a name too long', { name: 'x'.repeat(256) }, { name: 'validation_length_out_of_range' }],
    ['a name with _via_', { name: 'a_via_b' }, { name: 'validation_found_via' }],
    ['a name taken in another case', { name: 'POSTS' }, { name: 'validation_collection_name_exists' }],
    ['a name equal to another id', { name: 'posts_id' }, { name: 'validation_collection_name_id_duplicate' }],
    ['an internal table name', { name: '_collections' }, { name: 'validation_collection_name_invalid' }],
    ['a sqlite table name', { name: 'sqlite_master' }, { name: 'validation_collection_name_invalid' }],
    ['a bad id', { id: 'bad id', name: 'a' }, { id: 'validation_match_invalid' }],
    ['an id too long', { id: 'x'.repeat(101), name: 'a' }, { id: 'validation_length_out_of_range' }],
    ['a taken id', { id: 'POSTS_ID', name: 'a' }, { id: 'validation_invalid_or_existing_id' }],
    ['an unknown type', { name: 'a', type: 'nope' }, { type: 'validation_in_invalid', fields: 'validation_required' }],
    ['a field without name', { name: 'a', fields: [{ type: 'text' }] }, { 'fields.1.name': 'validation_required' }],
    ['a field name with a dash', { name: 'a', fields: [{ name: 'a-b', type: 'text' }] }, { 'fields.1.name': 'validation_match_invalid' }],
    ['a reserved field name', { name: 'a', fields: [{ name: 'expand', type: 'text' }] }, { 'fields.1.name': 'validation_not_in_invalid' }],
    ['a field name with _via_', { name: 'a', fields: [{ name: 'x_via_y', type: 'text' }] }, { 'fields.1.name': 'validation_found_via' }],
    ['a field name too long', { name: 'a', fields: [{ name: 'f'.repeat(101), type: 'text' }] }, { 'fields.1.name': 'validation_length_out_of_range' }],
    [
      'field names differing in case',
      { name: 'a', fields: [{ name: 'title', type: 'text' }, { name: 'Title', type: 'text' }] },
      { 'fields.2.name': 'validation_field_name_duplicate' },
    ],
    ['an unknown field type', { name: 'a', fields: [{ name: 'x', type: 'nope' }] }, { 'fields.1.type': 'validation_field_invalid_type' }],
    ['an auth-reserved field name', authBody({ fields: [{ name: 'passwordConfirm', type: 'text' }] }), { 'fields.1.name': 'validation_field_name_invalid' }],
    ['an invalid rule', { name: 'a', listRule: 'bad', viewRule: 'ok = 1' }, { listRule: 'validation_invalid_rule' }],
    ['a view with write rules', { name: 'v', type: 'view', viewQuery: 'SELECT id FROM posts', fields: [idField()], createRule: '', deleteRule: 'x = 1' }, { createRule: 'validation_nil', deleteRule: 'validation_nil' }],
    ['a view without query', { name: 'v', type: 'view', fields: [idField()] }, { viewQuery: 'validation_required' }],
    ['a view without fields', { name: 'v', type: 'view', viewQuery: 'SELECT 1' }, { fields: 'validation_required' }],
    [
      'a view with indexes',
      { name: 'v', type: 'view', viewQuery: 'SELECT id FROM posts', fields: [idField()], indexes: ['CREATE INDEX i ON v (id)'] },
      { indexes: 'validation_indexes_not_supported' },
    ],
    ['an unparseable index', { name: 'a', indexes: ['CREATE INDEX nope'] }, { 'indexes.0': 'validation_invalid_index_expression' }],
    [
      'an index name used twice',
      { name: 'a', fields: [{ name: 'x', type: 'text' }], indexes: ['CREATE INDEX i ON a (id)', 'CREATE INDEX I ON a (x)'] },
      { 'indexes.1': 'validation_index_duplicate' },
    ],
    ['an index name of another collection', { name: 'a', indexes: ['CREATE INDEX idx_title ON a (id)'] }, { 'indexes.0': 'validation_index_duplicate' }],
    [
      'the same index definition twice',
      { name: 'a', indexes: ['CREATE INDEX i1 ON a (id)', 'CREATE INDEX i2 ON a (id)'] },
      { 'indexes.1': 'validation_duplicated_index_definition' },
    ],
    ['an index on an unknown column', { name: 'a', indexes: ['CREATE INDEX i ON a (nope)'] }, { 'indexes.0': 'validation_invalid_index_column' }],
    ['an empty manageRule', authBody({ manageRule: '' }), { manageRule: 'validation_nil_or_not_empty_required' }],
    ['an invalid authRule', authBody({ authRule: 'bad' }), { authRule: 'validation_invalid_rule' }],
    ['MFA with one method', authBody({ mfa: { enabled: true } }), { 'mfa.enabled': 'validation_mfa_not_enough_auths' }],
    ['MFA with password and OTP', authBody({ mfa: { enabled: true }, otp: { enabled: true } }), {}],
    ['an invalid MFA rule', authBody({ mfa: { enabled: true, rule: 'bad' }, otp: { enabled: true } }), { 'mfa.rule': 'validation_invalid_rule' }],
    [
      'an identity field without unique index',
      authBody({ passwordAuth: { identityFields: ['email', 'nick'] } }),
      { 'passwordAuth.identityFields': 'validation_missing_unique_constraint' },
    ],
    [
      'an identity field with a unique index',
      authBody({ passwordAuth: { identityFields: ['nick'] }, indexes: ['CREATE UNIQUE INDEX idx_nick ON members (nick)'] }),
      {},
    ],
    ['an unknown identity field', authBody({ passwordAuth: { identityFields: ['nope'] } }), { 'passwordAuth.identityFields': 'validation_missing_field' }],
    ['password auth without identity fields', authBody({ passwordAuth: { identityFields: [] } }), { 'passwordAuth.identityFields': 'validation_required' }],
    ['a token duration too short', authBody({ authToken: { duration: 9 } }), { 'authToken.duration': 'validation_min_greater_equal_than_required' }],
    ['a token duration too long', authBody({ fileToken: { duration: 94670857 } }), { 'fileToken.duration': 'validation_max_less_equal_than_required' }],
    ['a token duration of zero', authBody({ verificationToken: { duration: 0 } }), { 'verificationToken.duration': 'validation_required' }],
    ['a short secret', authBody({ authToken: { secret: 'short' } }), { 'authToken.secret': 'validation_length_out_of_range' }],
    ['a long secret', authBody({ authToken: { secret: 's'.repeat(256) } }), { 'authToken.secret': 'validation_length_out_of_range' }],
    ['a template without subject', authBody({ verificationTemplate: { subject: '' } }), { 'verificationTemplate.subject': 'validation_required' }],
    ['an alert template without body', authBody({ authAlert: { emailTemplate: { body: '' } } }), { 'authAlert.emailTemplate.body': 'validation_required' }],
    ['an OTP too short', authBody({ otp: { enabled: true, length: 3 } }), { 'otp.length': 'validation_min_greater_equal_than_required' }],
    ['an OTP duration too long', authBody({ otp: { enabled: true, duration: 86401 } }), { 'otp.duration': 'validation_max_less_equal_than_required' }],
    [
      'an OAuth2 provider without client id',
      authBody({ oauth2: { enabled: true, providers: [{ name: 'google', clientSecret: 's' }] } }),
      { 'oauth2.providers.0.clientId': 'validation_required' },
    ],
    [
      'a duplicated OAuth2 provider',
      authBody({ oauth2: { enabled: true, providers: [{ name: 'g', clientId: 'a', clientSecret: 'b' }, { name: 'g', clientId: 'a', clientSecret: 'b' }] } }),
      { 'oauth2.providers.1.name': 'validation_duplicated_provider' },
    ],
    [
      'an OAuth2 provider PocketBase does not know',
      authBody({ oauth2: { enabled: true, providers: [{ name: 'google', clientId: 'a', clientSecret: 'b' }, { name: 'myspace', clientId: 'a' }] } }),
      { 'oauth2.providers.1.name': 'validation_missing_provider', 'oauth2.providers.1.clientSecret': 'validation_required' },
    ],
  ])('%s', (_label, body, expected) => {
    expect(create(body)).toEqual(expected);
  });

  it('refuses auth options of the wrong JSON type as a formatting error, as Go decoding does', () => {
    for (const options of [{ authToken: 'x' }, { oauth2: 5 }, { otp: { enabled: true, length: 'long' } }, { passwordAuth: 'yes' }]) {
      expect(() => normalizeNewCollection(authBody(options)), JSON.stringify(options)).toThrow(/invalid formatting/);
    }
  });

  it('reports field option errors under fields.<index>.<option>', () => {
    const result = create({ name: 'a', fields: [{ name: 'x', type: 'text', min: -1 }] });
    expect(Object.keys(result)).toEqual(['fields.1.min']);
  });

  it('puts the raw rule error in the message', () => {
    const next = normalizeNewCollection({ name: 'a', listRule: 'x bad' });
    const data = validateCollection(next, { collections: stored, validateRule });
    expect(data!.listRule).toEqual({ code: 'validation_invalid_rule', message: 'Invalid rule. Raw error: unexpected token at 2.' });
  });

  it('ignores the submitted collection itself among the collections', () => {
    const next = normalizeNewCollection({ name: 'fresh', indexes: ['CREATE INDEX idx_fresh ON fresh (id)'] });
    expect(validateCollection(next, { collections: [...stored, next], validateRule })).toBeNull();
  });

  it('rejects names of extra internal tables', () => {
    expect(create({ name: '_jobs' }, { internalTables: ['_jobs'] })).toEqual({ name: 'validation_collection_name_invalid' });
  });

  it('requires a text primary key named id', () => {
    const next = normalizeNewCollection({ name: 'a' });
    next.fields = next.fields.filter((f) => f.name !== 'id');
    next.fields.push({ ...idField(), id: 'x', name: 'title', primaryKey: false });
    expect(codes(validateCollection(next, { collections: stored, validateRule }))).toEqual({ fields: 'validation_missing_primary_key' });
  });

  it('requires the auth system fields', () => {
    const next = normalizeNewCollection(authBody());
    next.fields = next.fields.filter((f) => f.name !== 'tokenKey');
    const data = validateCollection(next, { collections: stored, validateRule });
    expect(data!.fields).toEqual({ code: 'validation_missing_system_field', message: 'System "tokenKey" field is required.', params: { field: 'tokenKey' } });
  });

  it('requires the auth unique indexes', () => {
    const next = normalizeNewCollection(authBody());
    next.indexes = next.indexes.filter((i) => !i.includes('email'));
    expect(codes(validateCollection(next, { collections: stored, validateRule }))).toEqual({
      indexes: 'validation_missing_required_unique_index',
      'passwordAuth.identityFields': 'validation_missing_unique_constraint',
    });
  });

  it('uses only registered codes', () => {
    const all = [
      create({ name: '' }),
      create(authBody({ mfa: { enabled: true } })),
      create({ name: 'a', indexes: ['x'] }),
    ].flatMap((r) => Object.values(r));
    for (const code of all) expect(errorCodes).toHaveProperty(code);
  });
});

describe('validateCollection on update', () => {
  const posts = byName('posts');
  const superusers = byName('_superusers');
  const mfas = byName('_mfas');

  it.each<[string, () => Record<string, string>, Record<string, string>]>([
    ['an unchanged collection', () => update(posts, {}), {}],
    ['a rename', () => update(posts, { name: 'articles' }), {}],
    ['a rename to a taken name', () => update(posts, { name: 'USERS' }), { name: 'validation_collection_name_exists' }],
    ['a type change', () => update(posts, { type: 'auth' }), { type: 'validation_collection_type_change' }],
    ['a system flag change', () => update(posts, { system: true }), { system: 'validation_collection_system_change' }],
    ['an id change', () => update(posts, { id: 'other' }), { id: 'validation_values_mismatch' }],
    ['a system collection rename', () => update(mfas, { name: 'mfas2' }), { name: 'validation_collection_name_system' }],
    ['a system collection rule change', () => update(mfas, { listRule: '' }), { listRule: 'validation_collection_system_change' }],
    ['a system auth rule change', () => update(superusers, { authRule: 'verified = true' }), { authRule: 'validation_collection_system_change' }],
    ['a system collection option change', () => update(superusers, { authToken: { duration: 3600 } }), {}],
    [
      'a removed system field',
      () => update(superusers, { fields: superusers.fields.filter((f) => f.name !== 'created') }),
      { fields: 'validation_system_field_change' },
    ],
    [
      'a renamed system field',
      () => update(mfas, { fields: mfas.fields.map((f) => (f.name === 'method' ? { ...f, name: 'method2' } : f)) }),
      { fields: 'validation_system_field_change' },
    ],
    [
      'a field type change',
      () => update(posts, { fields: posts.fields.map((f) => (f.name === 'title' ? { ...f, type: 'number' } : f)) }),
      { 'fields.1.type': 'validation_field_type_change' },
    ],
    ['a dropped field', () => update(posts, { fields: posts.fields.filter((f) => f.name !== 'title'), indexes: [] }), {}],
    ['a dropped indexed field', () => update(posts, { fields: posts.fields.filter((f) => f.name !== 'title') }), { 'indexes.0': 'validation_invalid_index_column' }],
  ])('%s', (_label, run, expected) => {
    expect(run()).toEqual(expected);
  });

  it('rejects dropping the unique index of a system field', () => {
    const current = normalizeNewCollection(authBody());
    const next = structuredClone(current);
    next.indexes = next.indexes.map((i) => (i.includes('tokenKey') ? 'CREATE UNIQUE INDEX `k` ON `members` (`tokenKey`, `email`)' : i));
    expect(codes(validateCollection(next, { old: current, collections: stored, validateRule }))).toEqual({
      indexes: 'validation_invalid_unique_system_field_index',
    });
  });
});

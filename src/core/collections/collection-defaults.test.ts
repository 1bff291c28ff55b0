import { describe, expect, it } from 'vitest';
import type { Collection } from './collection.js';
import {
  authSystemFields,
  defaultAuthOptions,
  defaultCollectionId,
  idField,
  scaffolds,
  SUPERUSERS_ID,
  systemCollections,
  USERS_ID,
} from './collection-defaults.js';
import { toPublicJSON } from './collection-json.js';
import { validateCollection } from './collection-validate.js';

const OWNER_RULE = "@request.auth.id != '' && recordRef = @request.auth.id && collectionRef = @request.auth.collectionId";

describe('ids', () => {
  it('gives _superusers the id the SDK hard-codes', () => {
    expect(defaultCollectionId('auth', '_superusers')).toBe('pbc_3142635823');
    expect(SUPERUSERS_ID).toBe('pbc_3142635823');
  });

  it('gives the id field the id PocketBase gives it', () => {
    expect(idField()).toMatchObject({
      id: 'text3208210256',
      name: 'id',
      type: 'text',
      system: true,
      required: true,
      primaryKey: true,
      min: 15,
      max: 15,
      pattern: '^[a-z0-9]+$',
      autogeneratePattern: '[a-z0-9]{15}',
    });
  });
});

describe('authSystemFields', () => {
  it('lists the auth system fields in order with their flags', () => {
    const fields = authSystemFields();
    expect(fields.map((f) => [f.name, f.type, f.system, f.hidden])).toEqual([
      ['id', 'text', true, false],
      ['password', 'password', true, true],
      ['tokenKey', 'text', true, true],
      ['email', 'email', true, false],
      ['emailVisibility', 'bool', true, false],
      ['verified', 'bool', true, false],
    ]);
    expect(fields[1]).toMatchObject({ required: true, min: 8 });
    expect(fields[2]).toMatchObject({ required: true, min: 30, max: 60, autogeneratePattern: '[a-zA-Z0-9]{50}' });
    expect(fields[3]).toMatchObject({ required: true });
  });
});

describe('defaultAuthOptions', () => {
  it('has the defaults of docs/api.md §2.1 and fresh 50-char secrets', () => {
    const a = defaultAuthOptions();
    const b = defaultAuthOptions();
    expect(a).toMatchObject({
      authRule: '',
      manageRule: null,
      authAlert: { enabled: true },
      oauth2: { enabled: false, mappedFields: { id: '', name: '', username: '', avatarURL: '' }, providers: [] },
      passwordAuth: { enabled: true, identityFields: ['email'] },
      mfa: { enabled: false, duration: 600, rule: '' },
      otp: { enabled: false, duration: 180, length: 8 },
      authToken: { duration: 432000 },
      passwordResetToken: { duration: 1800 },
      emailChangeToken: { duration: 1800 },
      verificationToken: { duration: 86400 },
      fileToken: { duration: 180 },
    });
    for (const key of ['authToken', 'passwordResetToken', 'emailChangeToken', 'verificationToken', 'fileToken'] as const) {
      expect(a[key].secret).toHaveLength(50);
      expect(a[key].secret).not.toBe(b[key].secret);
    }
    expect(a.verificationTemplate.body).toContain('{TOKEN}');
    expect(a.resetPasswordTemplate.body).toContain('{TOKEN}');
    expect(a.confirmEmailChangeTemplate.body).toContain('{TOKEN}');
    expect(a.otp.emailTemplate.body).toContain('{OTP}');
    expect(a.authAlert.emailTemplate.body).toContain('{ALERT_INFO}');
  });
});

describe('scaffolds', () => {
  const s = scaffolds() as Record<string, Record<string, unknown>>;

  it('has blank base, auth and view collections with id ""', () => {
    expect(Object.keys(s)).toEqual(['base', 'auth', 'view']);
    for (const c of Object.values(s)) expect(c.id).toBe('');
    expect((s.base!.fields as { name: string }[]).map((f) => f.name)).toEqual(['id']);
    expect(s.base).not.toHaveProperty('authRule');
    expect(s.view).toMatchObject({ fields: [], viewQuery: '', indexes: [] });
  });

  it('gives auth the system fields, default indexes and options without secrets', () => {
    const auth = s.auth!;
    expect((auth.fields as { name: string }[]).map((f) => f.name)).toEqual([
      'id', 'password', 'tokenKey', 'email', 'emailVisibility', 'verified',
    ]);
    const indexes = auth.indexes as string[];
    expect(indexes[0]).toMatch(/^CREATE UNIQUE INDEX `idx_tokenKey_\w{10}` ON `` \(`tokenKey`\)$/);
    expect(indexes[1]).toMatch(/^CREATE UNIQUE INDEX `idx_email_\w{10}` ON `` \(`email`\) WHERE `email` != ''$/);
    expect(auth.authToken).toEqual({ duration: 432000 });
    expect(JSON.stringify(auth)).not.toContain('secret');
  });
});

describe('systemCollections', () => {
  const list = systemCollections('2024-01-01 00:00:00.000Z');
  const byName = new Map(list.map((c) => [c.name, c]));

  it('creates the install-time collections', () => {
    expect(list.map((c) => c.name)).toEqual(['_superusers', 'users', '_externalAuths', '_mfas', '_otps', '_authOrigins']);
  });

  it('passes validation, each against the ones created before it', () => {
    const created: Collection[] = [];
    for (const c of list) {
      expect(validateCollection(c, { collections: created, validateRule: () => null }), c.name).toBeNull();
      created.push(c);
    }
  });

  it('makes _superusers a system auth collection with locked rules and one-day tokens', () => {
    const su = byName.get('_superusers')!;
    expect(su).toMatchObject({
      id: 'pbc_3142635823',
      type: 'auth',
      system: true,
      listRule: null,
      viewRule: null,
      createRule: null,
      updateRule: null,
      deleteRule: null,
      authToken: { duration: 86400 },
    });
    expect(su.fields.map((f) => f.name)).toEqual([
      'id', 'password', 'tokenKey', 'email', 'emailVisibility', 'verified', 'created', 'updated',
    ]);
    expect(su.indexes).toContain(
      'CREATE UNIQUE INDEX `idx_tokenKey_pbc_3142635823` ON `_superusers` (`tokenKey`)',
    );
  });

  it('makes users with owner rules, profile fields and OAuth2 mapping', () => {
    const users = byName.get('users')!;
    expect(users).toMatchObject({
      id: USERS_ID,
      system: false,
      listRule: 'id = @request.auth.id',
      viewRule: 'id = @request.auth.id',
      createRule: '',
      updateRule: 'id = @request.auth.id',
      deleteRule: 'id = @request.auth.id',
      oauth2: { mappedFields: { id: '', name: 'name', username: '', avatarURL: 'avatar' } },
    });
    expect(users.fields.find((f) => f.name === 'name')).toMatchObject({ type: 'text', max: 255 });
    expect(users.fields.find((f) => f.name === 'avatar')).toMatchObject({
      type: 'file',
      mimeTypes: ['image/jpeg', 'image/png', 'image/svg+xml', 'image/gif', 'image/webp'],
    });
    expect(users.indexes).toEqual([
      'CREATE UNIQUE INDEX `idx_tokenKey__pb_users_auth_` ON `users` (`tokenKey`)',
      "CREATE UNIQUE INDEX `idx_email__pb_users_auth_` ON `users` (`email`) WHERE `email` != ''",
    ]);
  });

  it.each([
    ['_externalAuths', ['collectionRef', 'recordRef', 'provider', 'providerId'], true],
    ['_mfas', ['collectionRef', 'recordRef', 'method'], false],
    ['_otps', ['collectionRef', 'recordRef', 'password', 'sentTo'], false],
    ['_authOrigins', ['collectionRef', 'recordRef', 'fingerprint'], true],
  ])('makes %s a system base collection', (name, fields, ownerDelete) => {
    const c = byName.get(name)!;
    expect(c).toMatchObject({ type: 'base', system: true, listRule: OWNER_RULE, viewRule: OWNER_RULE, createRule: null, updateRule: null });
    expect(c.deleteRule).toBe(ownerDelete ? OWNER_RULE : null);
    expect(c.id).toBe(defaultCollectionId('base', name));
    expect(c.fields.map((f) => f.name)).toEqual(['id', ...fields, 'created', 'updated']);
    for (const f of c.fields) expect(f.system, f.name).toBe(true);
  });

  it('hides the OTP password and recipient', () => {
    const otps = byName.get('_otps')!;
    expect(otps.fields.filter((f) => f.hidden).map((f) => [f.name, f.type])).toEqual([
      ['password', 'text'],
      ['sentTo', 'text'],
    ]);
  });

  it('has the unique indexes PocketBase has', () => {
    expect(byName.get('_externalAuths')!.indexes.filter((i) => i.includes('UNIQUE'))).toHaveLength(2);
    expect(byName.get('_authOrigins')!.indexes).toEqual([
      'CREATE UNIQUE INDEX `idx_authOrigins_unique_pairs` ON `_authOrigins` (`collectionRef`, `recordRef`, `fingerprint`)',
    ]);
  });

  it('never shows a secret in public JSON', () => {
    const users = byName.get('users')!;
    users.oauth2!.providers = [{ name: 'google', clientId: 'cid', clientSecret: 'very-secret-value' }];
    const text = JSON.stringify(list.map(toPublicJSON));
    expect(text).not.toMatch(/secret/i);
    for (const c of list) {
      for (const key of ['authToken', 'fileToken'] as const) if (c[key]) expect(text).not.toContain(c[key]!.secret);
    }
    expect(text).not.toContain('very-secret-value');
  });
});

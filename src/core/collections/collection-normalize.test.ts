import { describe, expect, it } from 'vitest';
import { isAppError } from '../../errors/app-error.js';
import type { Collection } from './collection.js';
import { defaultCollectionId, defaultFieldId } from './collection-defaults.js';
import { mergeCollectionPatch, normalizeNewCollection, toPublicJSON } from './collection-normalize.js';

const names = (c: Collection): string[] => c.fields.map((f) => f.name);

describe('normalizeNewCollection', () => {
  it('defaults a minimal body to a base collection with an id field', () => {
    const c = normalizeNewCollection({ name: 'posts' });
    expect(c).toMatchObject({
      id: defaultCollectionId('base', 'posts'),
      name: 'posts',
      type: 'base',
      system: false,
      listRule: null,
      viewRule: null,
      createRule: null,
      updateRule: null,
      deleteRule: null,
      indexes: [],
    });
    expect(names(c)).toEqual(['id']);
    expect(c.created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(c.updated).toBe(c.created);
    expect(c).not.toHaveProperty('authRule');
    expect(c).not.toHaveProperty('viewQuery');
  });

  it.each([
    [[], defaultCollectionId('base', 'posts')],
    [[defaultCollectionId('base', 'posts')], `${defaultCollectionId('base', 'posts')}2`],
    [[defaultCollectionId('base', 'posts'), `${defaultCollectionId('base', 'posts')}2`], `${defaultCollectionId('base', 'posts')}3`],
  ])('suffixes a generated id on clash with %j', (existing, id) => {
    expect(normalizeNewCollection({ name: 'posts' }, existing).id).toBe(id);
  });

  it('keeps an explicit id and rules', () => {
    const c = normalizeNewCollection({ id: 'my_id', name: 'x', listRule: '', viewRule: 'a = 1', createRule: null });
    expect(c).toMatchObject({ id: 'my_id', listRule: '', viewRule: 'a = 1', createRule: null, updateRule: null });
  });

  it('gives fields without id the id type + CRC32(name), and collapses same-name fields (last wins)', () => {
    const c = normalizeNewCollection({
      name: 'posts',
      fields: [
        { name: 'title', type: 'text', max: 10 },
        { name: 'body', type: 'editor' },
        { name: 'title', type: 'text', max: 20 },
      ],
    });
    expect(names(c)).toEqual(['id', 'title', 'body']);
    expect(c.fields[1]).toMatchObject({ id: defaultFieldId('text', 'title'), max: 20 });
    expect(c.fields[2]!.id).toBe(defaultFieldId('editor', 'body'));
  });

  it('replaces a field sent twice with the same id', () => {
    const c = normalizeNewCollection({
      name: 'p',
      fields: [
        { id: 'f1', name: 'a', type: 'text' },
        { id: 'f1', name: 'b', type: 'text' },
      ],
    });
    expect(names(c)).toEqual(['id', 'b']);
  });

  it('suffixes a generated field id taken by a field of another name', () => {
    const taken = defaultFieldId('text', 'title');
    const c = normalizeNewCollection({ name: 'p', fields: [{ id: taken, name: 'other', type: 'text' }, { name: 'title', type: 'text' }] });
    expect(c.fields.find((f) => f.name === 'title')!.id).toBe(`${taken}2`);
  });

  it('fills field type defaults', () => {
    const c = normalizeNewCollection({ name: 'p', fields: [{ name: 'n', type: 'number' }] });
    expect(c.fields[1]).toMatchObject({ type: 'number', required: false, hidden: false, presentable: false, system: false });
  });

  it('adds the auth system fields, default indexes and options to an auth collection', () => {
    const c = normalizeNewCollection({ name: 'members', type: 'auth', fields: [{ name: 'nick', type: 'text' }] });
    expect(names(c)).toEqual(['id', 'nick', 'password', 'tokenKey', 'email', 'emailVisibility', 'verified']);
    expect(c.indexes).toEqual([
      `CREATE UNIQUE INDEX \`idx_tokenKey_${c.id}\` ON \`members\` (\`tokenKey\`)`,
      `CREATE UNIQUE INDEX \`idx_email_${c.id}\` ON \`members\` (\`email\`) WHERE \`email\` != ''`,
    ]);
    expect(c).toMatchObject({ authRule: '', manageRule: null, passwordAuth: { enabled: true, identityFields: ['email'] } });
    expect(c.authToken!.secret).toHaveLength(50);
  });

  it('re-asserts system flags of sent system fields', () => {
    const c = normalizeNewCollection({
      name: 'members',
      type: 'auth',
      fields: [{ name: 'password', type: 'password', hidden: false, system: false, min: 10 }],
    });
    expect(c.fields.find((f) => f.name === 'password')).toMatchObject({ hidden: true, system: true, required: true, min: 10 });
  });

  it('deep-merges auth options over the defaults', () => {
    const c = normalizeNewCollection({
      name: 'members',
      type: 'auth',
      otp: { enabled: true },
      authToken: { duration: 100, secret: 's'.repeat(40) },
      passwordAuth: { identityFields: ['email', 'username'] },
    });
    expect(c.otp).toMatchObject({ enabled: true, duration: 180, length: 8 });
    expect(c.otp!.emailTemplate.subject).not.toBe('');
    expect(c.authToken).toEqual({ duration: 100, secret: 's'.repeat(40) });
    expect(c.passwordAuth).toEqual({ enabled: true, identityFields: ['email', 'username'] });
  });

  it('rewrites index tables to the collection name', () => {
    const c = normalizeNewCollection({ name: 'posts', indexes: ['CREATE INDEX idx_a ON other (id)', 'junk'] });
    expect(c.indexes).toEqual(['CREATE INDEX `idx_a` ON `posts` (`id`)', 'junk']);
  });

  it('keeps viewQuery for views and adds no fields', () => {
    const c = normalizeNewCollection({ name: 'v', type: 'view', viewQuery: 'SELECT id FROM posts' });
    expect(c).toMatchObject({ type: 'view', viewQuery: 'SELECT id FROM posts', fields: [] });
  });

  it('forces the _superusers invariants', () => {
    const c = normalizeNewCollection({
      name: '_superusers',
      type: 'auth',
      passwordAuth: { enabled: false },
      oauth2: { enabled: true },
      otp: { enabled: true },
    });
    expect(c.passwordAuth!.enabled).toBe(true);
    expect(c.oauth2!.enabled).toBe(false);
    expect(c.mfa!.enabled).toBe(true);
  });

  it.each([[null], ['x'], [[]], [{ name: 'a', fields: 'x' }], [{ name: 'a', fields: ['x'] }], [{ name: 'a', indexes: 'x' }]])(
    'answers 400 for a body of the wrong shape: %j',
    (body) => {
      let caught: unknown;
      try {
        normalizeNewCollection(body);
      } catch (err) {
        caught = err;
      }
      expect(isAppError(caught) && caught.status).toBe(400);
    },
  );
});

describe('mergeCollectionPatch', () => {
  const auth = (): Collection =>
    normalizeNewCollection({
      name: 'members',
      type: 'auth',
      fields: [{ name: 'nick', type: 'text' }],
      listRule: '',
      oauth2: { providers: [{ name: 'google', clientId: 'cid', clientSecret: 'stored-secret' }] },
    });

  it('merges top-level keys and keeps the rest', () => {
    const current = auth();
    const next = mergeCollectionPatch(current, { viewRule: 'id != ""' });
    expect(next).toMatchObject({ name: 'members', listRule: '', viewRule: 'id != ""' });
    expect(next.fields).toEqual(current.fields);
    expect(next.created).toBe(current.created);
  });

  it('sets a rule to null when sent as null', () => {
    expect(mergeCollectionPatch(auth(), { listRule: null }).listRule).toBeNull();
  });

  it('replaces the field list, matching fields by id', () => {
    const current = normalizeNewCollection({ name: 'p', fields: [{ name: 'a', type: 'text' }, { name: 'b', type: 'text' }] });
    const [id, a] = current.fields;
    const next = mergeCollectionPatch(current, { fields: [id, { ...a, name: 'a2' }, { name: 'c', type: 'bool' }] });
    expect(next.fields.map((f) => [f.id, f.name])).toEqual([
      [id!.id, 'id'],
      [a!.id, 'a2'],
      [defaultFieldId('bool', 'c'), 'c'],
    ]);
  });

  it('merges nested options key-wise and replaces arrays', () => {
    const current = auth();
    const next = mergeCollectionPatch(current, {
      otp: { duration: 300 },
      passwordAuth: { identityFields: ['email', 'nick'] },
      mfa: null,
    });
    expect(next.otp).toEqual({ ...current.otp, duration: 300 });
    expect(next.passwordAuth).toEqual({ enabled: true, identityFields: ['email', 'nick'] });
    expect(next.mfa).toEqual(current.mfa);
  });

  it('keeps token secrets unless sent', () => {
    const current = auth();
    const kept = mergeCollectionPatch(current, { fileToken: { duration: 200 }, emailChangeToken: { secret: '' } });
    expect(kept.fileToken).toEqual({ duration: 200, secret: current.fileToken!.secret });
    expect(kept.emailChangeToken).toEqual(current.emailChangeToken);
    const set = mergeCollectionPatch(current, { fileToken: { secret: 'n'.repeat(32) } });
    expect(set.fileToken!.secret).toBe('n'.repeat(32));
  });

  it('keeps an OAuth2 client secret that is not sent again', () => {
    const current = auth();
    const next = mergeCollectionPatch(current, {
      oauth2: { providers: [{ name: 'google', clientId: 'cid2' }, { name: 'github', clientId: 'g' }] },
    });
    expect(next.oauth2!.providers).toEqual([
      { name: 'google', clientId: 'cid2', clientSecret: 'stored-secret' },
      { name: 'github', clientId: 'g' },
    ]);
  });

  it.each([
    ['', null, false],
    ['', 'verified = true', true],
    [null, '', false],
    ['verified = true', 'verified = true', false],
  ])('authRule %j → %j rotates authToken.secret: %s', (from, to, rotates) => {
    const current = mergeCollectionPatch(auth(), { authRule: from });
    const next = mergeCollectionPatch(current, { authRule: to });
    expect(next.authToken!.secret !== current.authToken!.secret).toBe(rotates);
    expect(next.authToken!.secret).toHaveLength(50);
  });

  it('rewrites index tables on rename', () => {
    const current = normalizeNewCollection({ name: 'posts', indexes: ['CREATE INDEX `i` ON `posts` (`id`)'] });
    expect(mergeCollectionPatch(current, { name: 'articles' }).indexes).toEqual(['CREATE INDEX `i` ON `articles` (`id`)']);
  });

  it('re-adds missing auth system fields', () => {
    const current = auth();
    const next = mergeCollectionPatch(current, { fields: current.fields.filter((f) => f.name !== 'verified') });
    expect(names(next)).toContain('verified');
    expect(next.fields.find((f) => f.name === 'verified')!.id).toBe(current.fields.find((f) => f.name === 'verified')!.id);
  });

  it('updates the updated stamp only', () => {
    const current = { ...auth(), created: '2020-01-01 00:00:00.000Z', updated: '2020-01-01 00:00:00.000Z' };
    const next = mergeCollectionPatch(current, { created: 'x', updated: 'y' });
    expect(next.created).toBe('2020-01-01 00:00:00.000Z');
    expect(next.updated).not.toBe('2020-01-01 00:00:00.000Z');
  });

  it('does not touch the stored collection', () => {
    const current = auth();
    const copy = structuredClone(current);
    mergeCollectionPatch(current, { name: 'x', otp: { enabled: true }, fields: [] });
    expect(current).toEqual(copy);
  });
});

describe('toPublicJSON', () => {
  it('orders keys like PocketBase and strips every secret', () => {
    const c = normalizeNewCollection({
      name: 'members',
      type: 'auth',
      oauth2: { providers: [{ name: 'google', clientId: 'cid', clientSecret: 'xyz-secret' }] },
    });
    const json = toPublicJSON(c);
    expect(Object.keys(json)).toEqual([
      'id', 'listRule', 'viewRule', 'createRule', 'updateRule', 'deleteRule', 'name', 'type', 'fields', 'indexes',
      'created', 'updated', 'system', 'authRule', 'manageRule', 'authAlert', 'oauth2', 'passwordAuth', 'mfa', 'otp',
      'authToken', 'passwordResetToken', 'emailChangeToken', 'verificationToken', 'fileToken',
      'verificationTemplate', 'resetPasswordTemplate', 'confirmEmailChangeTemplate',
    ]);
    const text = JSON.stringify(json);
    expect(text).not.toContain('secret');
    expect(text).not.toContain('xyz-secret');
    expect(text).not.toContain(c.authToken!.secret);
    expect((json.oauth2 as { providers: unknown[] }).providers[0]).toEqual({
      pkce: null, name: 'google', clientId: 'cid', authURL: '', tokenURL: '', userInfoURL: '', displayName: '', extra: null,
    });
  });

  it('sorts field keys as PocketBase serialises them', () => {
    const json = toPublicJSON(normalizeNewCollection({ name: 'p' }));
    const keys = Object.keys((json.fields as Record<string, unknown>[])[0]!);
    expect(keys).toEqual([...keys].sort());
  });

  it('adds viewQuery for views only', () => {
    expect(toPublicJSON(normalizeNewCollection({ name: 'v', type: 'view', viewQuery: 'SELECT 1' }))).toMatchObject({
      viewQuery: 'SELECT 1',
    });
    expect(toPublicJSON(normalizeNewCollection({ name: 'b' }))).not.toHaveProperty('viewQuery');
  });
});

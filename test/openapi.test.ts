/**
 * The OpenAPI document (docs/openapi.md) at the HTTP boundary: valid OpenAPI 3.1 by a
 * standard validator, a client generated from it with openapi-typescript that compiles,
 * guest vs superuser visibility, schema changes reflected at once, custom routes that
 * declare an operation, and the docs UI served locally under a strict CSP.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plugin } from '../src/app/plinth-app.js';
import { createCollection } from './helpers/collections.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { typeCheck } from './helpers/type-check.js';

let s: TestServer;
let admin: string;
let membersId = '';

const route: Plugin = (app) => {
  app.routerAdd('POST', '/api/oa/quote/{sku}', (e) => e.json(200, { sku: e.request.pathValue('sku'), price: 12.5 }), app.apis.openapi({
    summary: 'Price one product',
    requestBody: { content: { 'application/json': { schema: { type: 'object', properties: { qty: { type: 'integer', minimum: 1 } }, required: ['qty'] } } } },
    responses: { 200: { description: 'The price.', content: { 'application/json': { schema: { type: 'object', properties: { sku: { type: 'string' }, price: { type: 'number' } }, required: ['sku', 'price'] } } } } },
  }));
  app.routerAdd('GET', '/api/oa/undocumented', (e) => e.json(200, { ok: true }));
};

async function doc(token?: string): Promise<any> {
  const r = await s.request('GET', '/api/openapi.json', { token });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('application/json');
  return r.body;
}

async function validate(document: unknown): Promise<void> {
  const result = await new Validator().validate(structuredClone(document) as Parameters<Validator['validate']>[0]);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
}

beforeAll(async () => {
  s = await startTestServer({}, { plugins: [route] });
  admin = await s.adminToken();
  const members = await createCollection(s, admin, {
    name: 'oa_members', type: 'auth', listRule: 'id = @request.auth.id', viewRule: 'id = @request.auth.id', createRule: '',
    fields: [{ name: 'nick', type: 'text', max: 40 }, { name: 'staffNote', type: 'text', hidden: true }, { name: 'grade', type: 'number', readRule: null }],
  });
  membersId = members.id;
  await createCollection(s, admin, {
    name: 'oa_posts', listRule: '', viewRule: '', createRule: '@request.auth.id != ""', updateRule: null, deleteRule: null,
    fields: [
      { name: 'title', type: 'text', required: true, min: 3, max: 120 },
      { name: 'views', type: 'number', onlyInt: true, min: 0 },
      { name: 'score', type: 'number' },
      { name: 'published', type: 'bool' },
      { name: 'contact', type: 'email' },
      { name: 'link', type: 'url' },
      { name: 'body', type: 'editor' },
      { name: 'due', type: 'date' },
      { name: 'status', type: 'select', values: ['draft', 'live'], maxSelect: 1 },
      { name: 'tags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
      { name: 'cover', type: 'file', maxSelect: 1, mimeTypes: ['image/png'] },
      { name: 'attachments', type: 'file', maxSelect: 5 },
      { name: 'author', type: 'relation', collectionId: members.id, maxSelect: 1 },
      { name: 'editors', type: 'relation', collectionId: members.id, maxSelect: 4 },
      { name: 'meta', type: 'json' },
      { name: 'place', type: 'geoPoint' },
      { name: 'secret', type: 'text', hidden: true },
      { name: 'created', type: 'autodate', onCreate: true, onUpdate: false },
    ],
  });
  await createCollection(s, admin, { name: 'oa_locked', fields: [{ name: 'k', type: 'text' }] });
  await createCollection(s, admin, { name: 'oa_titles', type: 'view', listRule: '', viewRule: '', viewQuery: 'SELECT id, title FROM oa_posts' });
});

afterAll(async () => {
  await s?.close();
});

describe('the document', () => {
  it('is valid OpenAPI 3.1 for a guest and for a superuser', async () => {
    const guest = await doc();
    expect(guest.openapi).toBe('3.1.0');
    await validate(guest);
    await validate(await doc(admin));
  });

  it('describes every field type of a record, its list page and its bodies', async () => {
    const { components } = await doc(admin);
    const record = components.schemas.oa_postsRecord;
    const p = record.properties;
    expect(p.title).toEqual({ type: 'string' });
    expect(p.views.type).toBe('integer');
    expect(p.score.type).toBe('number');
    expect(p.published.type).toBe('boolean');
    expect(p.status.enum).toEqual(['draft', 'live', '']);
    expect(p.tags).toMatchObject({ type: 'array', items: { enum: ['a', 'b', 'c'] } });
    expect(p.cover.type).toBe('string');
    expect(p.attachments.type).toBe('array');
    expect(p.author.type).toBe('string');
    expect(p.editors.type).toBe('array');
    expect(p.meta).toEqual({});
    expect(p.place).toMatchObject({ type: 'object', required: ['lon', 'lat'] });
    expect(p.created.type).toBe('string');
    expect(record.required).toEqual(expect.arrayContaining(['id', 'collectionId', 'collectionName', 'title', 'created']));
    expect(components.schemas.oa_postsList.properties.items.items).toEqual({ $ref: '#/components/schemas/oa_postsRecord' });
    const create = components.schemas.oa_postsCreate;
    expect(create.required).toEqual(['title']);
    expect(create.properties.title).toMatchObject({ minLength: 3, maxLength: 120 });
    expect(create.properties.created).toBeUndefined();
    expect(components.schemas.oa_postsUpdate.properties.id).toBeUndefined();
    // File fields travel as parts of a multipart body.
    const multipart = components.schemas.oa_postsCreateMultipart;
    expect(multipart.properties.cover).toMatchObject({ type: 'string', contentMediaType: 'application/octet-stream' });
    expect(multipart.properties.attachments).toMatchObject({ type: 'array', items: { contentMediaType: 'application/octet-stream' } });
  });

  it('lists the records, auth, realtime, files, batch and health endpoints', async () => {
    const { paths } = await doc();
    const list = paths['/api/collections/oa_posts/records'].get;
    expect(list.parameters.map((q: any) => q.name)).toEqual(['page', 'perPage', 'sort', 'filter', 'skipTotal', 'cursor', 'expand', 'fields']);
    const aggregate = paths['/api/collections/oa_posts/records/aggregate'].get;
    expect(aggregate.parameters.map((q: any) => q.name)).toEqual(['groupBy', 'aggregate', 'filter', 'sort', 'page', 'perPage']);
    expect(aggregate['x-plinth-rule']).toMatchObject({ name: 'listRule' });
    expect(Object.keys(paths['/api/collections/oa_posts/records'])).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/collections/oa_posts/records/{id}'])).toEqual(['get', 'patch', 'delete']);
    expect(Object.keys(paths['/api/collections/oa_posts/records'].post.requestBody.content)).toEqual(['application/json', 'multipart/form-data']);
    // A view collection is read-only.
    expect(Object.keys(paths['/api/collections/oa_titles/records'])).toEqual(['get']);
    for (const path of ['auth-with-password', 'auth-with-oauth2', 'auth-with-otp', 'request-otp', 'auth-refresh', 'auth-methods', 'request-verification', 'confirm-password-reset', 'impersonate/{id}']) {
      expect(paths[`/api/collections/oa_members/${path}`], path).toBeDefined();
    }
    expect(paths['/api/collections/oa_posts/auth-with-password']).toBeUndefined();
    for (const path of ['/api/realtime', '/api/files/{collection}/{recordId}/{filename}', '/api/files/token', '/api/batch', '/api/health']) expect(paths[path], path).toBeDefined();
  });

  it('marks the rule guarding each operation, with its text for superusers only', async () => {
    const guest = (await doc()).paths;
    const sup = (await doc(admin)).paths;
    const create = guest['/api/collections/oa_posts/records'].post;
    expect(create['x-plinth-rule']).toEqual({ name: 'createRule', access: 'conditional' });
    expect(sup['/api/collections/oa_posts/records'].post['x-plinth-rule']).toEqual({ name: 'createRule', access: 'conditional', expression: '@request.auth.id != ""' });
    expect(guest['/api/collections/oa_posts/records'].get['x-plinth-rule']).toEqual({ name: 'listRule', access: 'public' });
    const del = guest['/api/collections/oa_posts/records/{id}'].delete;
    expect(del['x-plinth-rule']).toEqual({ name: 'deleteRule', access: 'superusers' });
    expect(del.security).toEqual([{ authToken: [] }]);
    expect(create.security).toEqual([{}, { authToken: [] }]);
  });
});

describe('visibility', () => {
  it('shows guests only collections some rule opens, and no hidden fields', async () => {
    const guest = await doc();
    const names = Object.keys(guest.components.schemas);
    expect(names).toEqual(expect.arrayContaining(['oa_postsRecord', 'oa_membersRecord', 'oa_titlesRecord', 'usersRecord']));
    expect(names).not.toContain('oa_lockedRecord');
    expect(names).not.toContain('_superusersRecord');
    expect(Object.keys(guest.paths).some((p) => p.includes('oa_locked') || p.includes('_superusers'))).toBe(false);
    expect(guest.components.schemas.oa_postsRecord.properties.secret).toBeUndefined();
    expect(guest.components.schemas.oa_postsCreate.properties.secret).toBeUndefined();
    expect(guest.components.schemas.oa_membersRecord.properties.staffNote).toBeUndefined();
    expect(JSON.stringify(guest)).not.toContain('@request.auth.id');
    // An auth collection's password is hidden, yet it is how anyone signs up or changes theirs.
    expect(guest.components.schemas.oa_membersCreate.required).toEqual(expect.arrayContaining(['email', 'password', 'passwordConfirm']));
    expect(guest.components.schemas.oa_membersCreate.properties.password).toMatchObject({ type: 'string', writeOnly: true });
    expect(guest.components.schemas.oa_membersUpdate.properties.password).toMatchObject({ type: 'string', writeOnly: true });
    expect(guest.components.schemas.oa_membersRecord.properties.password).toBeUndefined();
    // Only a manager may set `verified`, and this collection has no manageRule.
    expect(guest.components.schemas.oa_membersCreate.properties.verified).toBeUndefined();
    expect(guest.components.schemas.oa_membersUpdate.properties.verified).toBeUndefined();
  });

  it('describes `verified` in the bodies a guest reads only where a manageRule lets someone set it', async () => {
    await createCollection(s, admin, { name: 'oa_staff', type: 'auth', listRule: '', createRule: '', manageRule: '@request.auth.id != ""' });
    const verified = (await doc()).components.schemas.oa_staffCreate.properties.verified;
    expect(verified).toMatchObject({ type: 'boolean' });
    expect(verified.description).toContain('manageRule');
    const refused = await s.request('POST', '/api/collections/oa_staff/records', { body: { email: 's@example.com', password: 'staff-pass-12', passwordConfirm: 'staff-pass-12', verified: true } });
    expect(refused.status).toBe(400);
  });

  it('shows a signed-in user what it shows a guest', async () => {
    await s.request('POST', '/api/collections/oa_members/records', { body: { email: 'm@example.com', password: 'member-pass-1', passwordConfirm: 'member-pass-1' } });
    const auth = await s.request('POST', '/api/collections/oa_members/auth-with-password', { body: { identity: 'm@example.com', password: 'member-pass-1' } });
    expect(auth.status).toBe(200);
    expect(await doc(auth.body.token)).toEqual(await doc());
  });

  it('shows superusers every collection and hidden fields, never passwords or token keys', async () => {
    const sup = await doc(admin);
    expect(sup.components.schemas.oa_lockedRecord).toBeDefined();
    expect(sup.components.schemas._superusersRecord).toBeDefined();
    expect(sup.components.schemas.oa_postsRecord.properties.secret).toEqual({ type: 'string' });
    const member = sup.components.schemas.oa_membersRecord;
    expect(member.properties.staffNote).toBeDefined();
    expect(member.properties.password).toBeUndefined();
    expect(member.properties.tokenKey).toBeUndefined();
    // An auth record's email is answered only where visible.
    expect(member.required).not.toContain('email');
    expect(sup.components.schemas.oa_membersCreate.required).toEqual(expect.arrayContaining(['password', 'passwordConfirm']));
    expect(sup.components.schemas.oa_membersCreate.properties.verified).toEqual({ type: 'boolean' });
  });

  it("requires in a superuser's record schema only what every answer holds: a sign-in answers its record as that record sees itself", async () => {
    const sup = await doc(admin);
    const member = sup.components.schemas.oa_membersRecord;
    expect(member.properties.staffNote).toBeDefined();
    expect(member.properties.grade).toBeDefined();
    const body = { email: 'grade@example.com', password: 'member-pass-1', passwordConfirm: 'member-pass-1' };
    const created = await s.request('POST', '/api/collections/oa_members/records', { token: admin, body: { ...body, staffNote: 'n', grade: 2 } });
    expect(created.status).toBe(200);
    const auth = await s.request('POST', '/api/collections/oa_members/auth-with-password', { body: { identity: body.email, password: body.password } });
    expect(auth.status).toBe(200);
    expect(sup.paths['/api/collections/oa_members/auth-with-password'].post.responses['200'].content['application/json'].schema)
      .toEqual({ $ref: '#/components/schemas/oa_membersAuthResponse' });
    for (const key of member.required) expect(auth.body.record, key).toHaveProperty(key);
  });
});

/** The superuser-only API, by path and its methods (docs/openapi.md, "Superusers' API"). */
const SUPERUSER_API: Record<string, string[]> = {
  '/api/collections': ['get', 'post'],
  '/api/collections/{collection}': ['get', 'patch', 'delete'],
  '/api/collections/{collection}/truncate': ['delete'],
  '/api/collections/import': ['put'],
  '/api/collections/meta/scaffolds': ['get'],
  '/api/collections/meta/oauth2-providers': ['get'],
  '/api/collections/meta/dry-run-view': ['post'],
  '/api/collections/{collection}/rules/explain': ['post'],
  '/api/settings': ['get', 'patch'],
  '/api/settings/test/email': ['post'],
  '/api/settings/test/s3': ['post'],
  '/api/settings/apple/generate-client-secret': ['post'],
  '/api/logs': ['get', 'delete'],
  '/api/logs/stats': ['get'],
  '/api/logs/{id}': ['get'],
  '/api/backups': ['get', 'post'],
  '/api/backups/upload': ['post'],
  '/api/backups/{key}': ['get', 'delete'],
  '/api/backups/{key}/restore': ['post'],
  '/api/crons': ['get'],
  '/api/crons/{id}': ['post'],
  '/api/jobs': ['get'],
  '/api/jobs/{id}': ['get', 'delete'],
  '/api/jobs/{id}/retry': ['post'],
  '/api/webhooks': ['get', 'post'],
  '/api/webhooks/{id}': ['get', 'patch', 'delete'],
  '/api/webhooks/{id}/deliveries': ['get'],
  '/api/webhooks/{id}/deliveries/{deliveryId}/retry': ['post'],
  '/api/webhooks/{id}/test': ['post'],
  '/api/sql': ['post'],
  '/api/collections/_superusers/impersonate/{id}': ['post'],
};

describe("superusers' API", () => {
  it('is in superusers\' documents only, each operation marked superusers-only', async () => {
    const guest = await doc();
    const sup = await doc(admin);
    for (const [path, methods] of Object.entries(SUPERUSER_API)) {
      expect(guest.paths[path], path).toBeUndefined();
      expect(Object.keys(sup.paths[path] ?? {}).sort(), path).toEqual([...methods].sort());
      for (const m of methods) {
        const op = sup.paths[path][m];
        expect(op['x-plinth-rule'], `${m} ${path}`).toMatchObject({ access: 'superusers' });
        expect(op.responses[403], `${m} ${path}`).toBeDefined();
      }
    }
    for (const name of ['Collection', 'CollectionField', 'Settings', 'Log', 'Backup', 'Cron', 'Job', 'Webhook', 'WebhookDelivery', 'SqlResult', 'RuleExplanation']) {
      expect(sup.components.schemas[name], name).toBeDefined();
      expect(guest.components.schemas[name], name).toBeUndefined();
    }
    // Health is everyone's; only a superuser's document describes the superuser's `data`.
    const healthData = (d: any) => d.paths['/api/health'].get.responses[200].content['application/json'].schema.properties.data;
    expect(healthData(sup).required).toEqual(['canBackup', 'realIP', 'possibleProxyHeader']);
    expect(healthData(guest).properties).toBeUndefined();
    expect(guest.tags.map((t: any) => t.name)).not.toContain('sql');
    await validate(sup);
  });

  it('describes what the API answers', async () => {
    const { components } = await doc(admin);
    const answers: [string, string, string][] = [
      ['/api/collections/oa_posts', 'Collection', 'collection'],
      ['/api/settings', 'Settings', 'settings'],
      ['/api/crons', 'Cron', 'cron list'],
      ['/api/backups', 'Backup', 'backup list'],
    ];
    for (const [url, schema, what] of answers) {
      const r = await s.request('GET', url, { token: admin });
      expect(r.status, what).toBe(200);
      const sample = Array.isArray(r.body) ? r.body[0] : r.body;
      if (sample === undefined) continue;
      // Every key the schema requires is in the answer.
      for (const key of components.schemas[schema].required ?? []) expect(sample, `${what}.${key}`).toHaveProperty(key);
    }
    const sql = await s.request('POST', '/api/sql', { token: admin, body: { query: 'select 1 as one' } });
    expect(sql.status).toBe(200);
    expect(Object.keys(sql.body).sort()).toEqual([...components.schemas.SqlResult.required].sort());
    const health = await s.request('GET', '/api/health', { token: admin });
    expect(Object.keys(health.body.data).sort()).toEqual(['canBackup', 'possibleProxyHeader', 'realIP']);
  });
});

describe('schema changes', () => {
  it('are reflected by the next request', async () => {
    const before = await doc();
    const posts = await s.request('GET', '/api/collections/oa_posts', { token: admin });
    const fields = [...posts.body.fields, { name: 'subtitle', type: 'text' }];
    expect((await s.request('PATCH', '/api/collections/oa_posts', { token: admin, body: { fields } })).status).toBe(200);
    expect((await s.request('PATCH', '/api/collections/oa_locked', { token: admin, body: { listRule: '' } })).status).toBe(200);
    const after = await doc();
    expect(before.components.schemas.oa_postsRecord.properties.subtitle).toBeUndefined();
    expect(after.components.schemas.oa_postsRecord.properties.subtitle).toEqual({ type: 'string' });
    expect(after.components.schemas.oa_lockedRecord).toBeDefined();
    expect(after.info.version).not.toBe(before.info.version);
    expect((await s.request('DELETE', '/api/collections/oa_locked', { token: admin })).status).toBe(204);
    expect((await doc()).components.schemas.oa_lockedRecord).toBeUndefined();
    await validate(after);
  });
});

describe('custom routes', () => {
  it('appear with the operation they declare, and still answer', async () => {
    const { paths } = await doc();
    const op = paths['/api/oa/quote/{sku}'].post;
    expect(op.summary).toBe('Price one product');
    expect(op.parameters).toEqual([expect.objectContaining({ name: 'sku', in: 'path', required: true })]);
    expect(paths['/api/oa/undocumented']).toBeUndefined();
    const r = await s.request('POST', '/api/oa/quote/x1', { body: { qty: 2 } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ sku: 'x1', price: 12.5 });
  });

  it('refuse an operation that is not an object', () => {
    const apis = s.node.apis;
    expect(() => apis.openapi('nope' as never)).toThrow(/must be an object/);
  });
});

describe('a client generated with openapi-typescript', () => {
  it('compiles, and types a record answer from its fields', async () => {
    const source = astToString(await openapiTS(await doc(admin)));
    const use = `import type { components, paths } from './api.js';
type Post = components['schemas']['oa_postsRecord'];
type Page = paths['/api/collections/oa_posts/records']['get']['responses'][200]['content']['application/json'];
export const title: string = ({} as Page).items[0]!.title;
export const views: number = ({} as Post).views;
export const tags: ('a' | 'b' | 'c')[] = ({} as Post).tags;
export const quote: number = ({} as paths['/api/oa/quote/{sku}']['post']['responses'][200]['content']['application/json']).price;
type Collections = paths['/api/collections']['get']['responses'][200]['content']['application/json'];
export const collectionName: string = ({} as Collections).items[0]!.name;
export const rows: (string | null)[][] = ({} as components['schemas']['SqlResult']).rows;
export const appName: string | undefined = ({} as components['schemas']['Settings']).meta?.appName;
`;
    expect(typeCheck({ 'api.ts': source, 'use.ts': use })).toEqual([]);
    // The same client refuses a wrong use: the check can fail.
    const wrong = `import type { components } from './api.js';\nexport const n: number = ({} as components['schemas']['oa_postsRecord']).title;\n`;
    expect(typeCheck({ 'api.ts': source, 'use.ts': wrong }).join('\n')).toMatch(/not assignable to type 'number'/);
  });
});

describe('the docs UI', () => {
  it('is served locally under a strict Content-Security-Policy', async () => {
    const page = await fetch(`${s.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>/);
    for (const src of [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)) {
      const asset = await fetch(`${s.url}${src}`);
      expect(asset.status, src).toBe(200);
      await asset.arrayBuffer();
    }
    const init = await (await fetch(`${s.url}/api/docs/docs-init.js`)).text();
    expect(init).toContain("fetch('/api/openapi.json'");
    expect(init).toContain("'pocketbase_auth'");
    expect((await fetch(`${s.url}/api/docs/package.json`)).status).toBe(404);
  });

  it('sends /api/docs/ to /api/docs', async () => {
    const res = await fetch(`${s.url}/api/docs/`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/api/docs');
  });
});

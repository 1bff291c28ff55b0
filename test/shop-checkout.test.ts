/**
 * The shop example's checkout (examples/shop) as a new user runs it: its migration
 * and hooks folder loaded by a real node, 200 buyers at once, on SQLite and
 * PostgreSQL. Exactly the stock there is gets sold; every other buyer gets a 400
 * and nothing of theirs is kept. Each paid order, and only a paid one, gets its
 * confirmation mail through a job enqueued in the checkout's transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { createRecord, uniqueName } from './helpers/collections.js';
import { loadHooks } from '../src/app/hooks-loader.js';
import { signRecordToken } from '../src/core/auth/auth-token.js';
import type { AuthCollection } from '../src/core/collections/collection.js';
import { RecordModel as Record } from '../src/core/records/record-model.js';
import { startSmtpInbox, type SmtpInbox } from './helpers/smtp-inbox.js';

const SHOP = resolve(import.meta.dirname, '../examples/shop');

let s: TestServer;
let admin: string;
let inbox: SmtpInbox;

beforeAll(async () => {
  // As `plinth serve --hooksDir --migrationsDir` loads them.
  const plugins = await loadHooks(resolve(SHOP, 'plinth_hooks'), SHOP);
  s = await startTestServer({ migrationsDir: resolve(SHOP, 'plinth_migrations') }, { plugins });
  admin = await s.adminToken();
  inbox = await startSmtpInbox();
  // 200 buyers share one IP here: the per-IP limits would refuse them, not the checkout.
  const off = await s.request('PATCH', '/api/settings', { token: admin, body: {
    rateLimits: { enabled: false },
    meta: { senderName: 'Shop', senderAddress: 'shop@example.com' },
    smtp: { enabled: true, host: '127.0.0.1', port: inbox.port, tls: false },
  } });
  if (off.status !== 200) throw new Error(`settings: ${off.status} ${off.text}`);
});
afterAll(async () => {
  await s?.close();
  await inbox?.close();
});

/** The confirmation mails received so far. */
const confirmations = () => inbox.mails.filter((m) => /^Order \w+ confirmed$/.test(m.subject));

/** Waits until `n` confirmation mails arrived; the jobs that send them run after each commit. */
async function confirmationsReach(n: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (confirmations().length < n) {
    if (Date.now() > deadline) throw new Error(`${confirmations().length} of ${n} confirmation mails arrived`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How many confirmation jobs exist: one per committed order, none for a refused one. */
async function confirmationJobs(): Promise<number> {
  const res = await s.request('GET', '/api/jobs?name=shop-order-confirmation&perPage=1', { token: admin });
  if (res.status !== 200) throw new Error(`jobs: ${res.status} ${res.text}`);
  return res.body.totalItems;
}

/**
 * Auth tokens of `n` new customers, signed as the server signs them: sign-ins from one
 * IP are rate limited, and 200 argon2 hashes would only slow the test down.
 */
async function buyers(n: number): Promise<string[]> {
  const users = s.node.findCollectionByNameOrId('users') as unknown as AuthCollection;
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const user = new Record(users, { email: `${uniqueName('buyer')}@example.com` });
    user.setRaw('password', 'not-a-password-hash');
    await s.node.saveNoValidate(user);
    tokens.push(await signRecordToken(users, user.getString('tokenKey'), { id: user.id, type: 'auth', collectionId: users.id, refreshable: true }));
  }
  return tokens;
}

describe('the shop checkout', () => {
  it('sells exactly the stock there is to 200 concurrent buyers', async () => {
    const product = await createRecord(s, admin, 'products', { name: 'Lamp', price: 19.99, stock: 50 });
    const tokens = await buyers(200);
    const answers = await Promise.all(tokens.map((token) => s.request('POST', '/api/shop/checkout', { token, body: { items: [{ product, qty: 1 }] } })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((x) => x === 200)).toHaveLength(50);
    expect(statuses.filter((x) => x === 400)).toHaveLength(150);
    expect(answers.find((a) => a.status === 400)!.body.message).toBe('Not enough stock of Lamp.');
    const paid = answers.find((a) => a.status === 200)!.body;
    expect(paid.total).toBe(19.99);
    expect(paid.items).toEqual([{ product, name: 'Lamp', qty: 1, price: 19.99 }]);
    expect((await s.request('GET', `/api/collections/products/records/${product}`, { token: admin })).body.stock).toBe(0);
    expect((await s.request('GET', '/api/collections/orders/records?perPage=1', { token: admin })).body.totalItems).toBe(50);
    expect(await confirmationJobs()).toBe(50);
    await confirmationsReach(50);
    expect(confirmations().some((m) => m.subject === `Order ${paid.id} confirmed` && m.decoded.includes('Your total is 19.99.'))).toBe(true);
  });

  it('computes the total on the server and refuses what it cannot sell, keeping nothing of it', async () => {
    const a = await createRecord(s, admin, 'products', { name: 'A', price: 2.5, stock: 3 });
    const b = await createRecord(s, admin, 'products', { name: 'B', price: 10, stock: 1 });
    const [token] = await buyers(1);
    const ok = await s.request('POST', '/api/shop/checkout', { token, body: { items: [{ product: a, qty: 2 }, { product: b, qty: 1 }], total: 0.01 } });
    expect(ok.status).toBe(200);
    expect(ok.body.total).toBe(15);
    // B is sold out now: the whole order fails, and A's stock is not touched.
    const refused = await s.request('POST', '/api/shop/checkout', { token, body: { items: [{ product: a, qty: 1 }, { product: b, qty: 1 }] } });
    expect(refused.status).toBe(400);
    expect((await s.request('GET', `/api/collections/products/records/${a}`, { token: admin })).body.stock).toBe(1);
    expect(await confirmationJobs()).toBe(51);
    await confirmationsReach(51);
    expect(confirmations().filter((m) => m.subject === `Order ${ok.body.id} confirmed`)).toHaveLength(1);
    for (const bad of [{}, { items: [] }, { items: [{ product: a, qty: 0 }] }, { items: [{ product: a, qty: 1.5 }] }, { items: [{ product: a, qty: 1 }, { product: a, qty: 1 }] }]) {
      expect((await s.request('POST', '/api/shop/checkout', { token, body: bad })).status).toBe(400);
    }
    expect((await s.request('POST', '/api/shop/checkout', { body: { items: [{ product: a, qty: 1 }] } })).status).toBe(401);
    expect((await s.request('POST', '/api/shop/checkout', { token, body: { items: [{ product: 'missing', qty: 1 }] } })).status).toBe(404);
  });

  it('keeps orders out of the records API: customers read their own and cannot create one', async () => {
    const [token] = await buyers(1);
    expect((await s.request('POST', '/api/collections/orders/records', { token, body: { items: [], total: 0 } })).status).toBe(403);
    expect((await s.request('GET', '/api/collections/orders/records', { token })).body.items).toEqual([]);
  });
});

/**
 * Data access from app code (docs/hooks.md §4) through a real server and a
 * plugin: collections saved from code, the finders with bound `{:name}` params,
 * a model hook that reads and writes other records in the write's transaction
 * (and rolls back with it), runInTransaction (commit, rollback, nested reuse,
 * after-success hooks only after commit), row locks under 50 concurrent
 * buyers, and the helpers (settings, mail, security, outbound HTTP).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlinthApp } from '../src/app/plinth-app.js';
import { CollectionModel } from '../src/core/collections/collection-model.js';
import { RecordModel } from '../src/core/records/record-model.js';
import { guestRequest } from '../src/core/rules/request-info.js';
import { AppError } from '../src/errors/app-error.js';
import { BadRequestError, NotFoundError } from '../src/errors/api-errors.js';
import { OutboundHttp } from '../src/tools/outbound-http.js';
import { uniqueName } from './helpers/collections.js';
import { startSmtpInbox, type SmtpInbox } from './helpers/smtp-inbox.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

/** What the plugin's after-success hook saw, in order. */
const committedOrders: string[] = [];

/** The shop of the tests: products, orders that take stock in a hook, and an audit trail. */
function shopPlugin(app: PlinthApp): void {
  app.onBootstrap(async (e) => {
    const products = new CollectionModel({
      name: 'products', type: 'base', listRule: '', viewRule: '',
      fields: [
        { name: 'name', type: 'text', required: true },
        { name: 'stock', type: 'number', min: 0 },
        { name: 'price', type: 'number' },
        { name: 'code', type: 'text', hidden: true },
      ],
    });
    await e.app.save(products);
    const audit = new CollectionModel({ name: 'audit', fields: [{ name: 'note', type: 'text' }] });
    await e.app.save(audit);
    const orders = new CollectionModel({
      name: 'orders', createRule: '', viewRule: '',
      fields: [
        { name: 'product', type: 'relation', collectionId: products.id, maxSelect: 1, required: true },
        { name: 'qty', type: 'number', min: 1, max: 100, onlyInt: true },
        { name: 'total', type: 'number' },
      ],
    });
    await e.app.save(orders);
    await e.next();
  });

  // Takes the stock of an order inside the order's transaction and prices it on the server.
  app.onRecordCreate(async (e) => {
    const tx = e.app as PlinthApp;
    const product = await tx.findRecordById('products', e.record.getString('product'), { forUpdate: true });
    const qty = e.record.getInt('qty');
    if (product.getInt('stock') < qty) throw new BadRequestError('Out of stock.');
    product.set('stock-', qty);
    await tx.save(product);
    e.record.set('total', qty * product.getFloat('price'));
    await tx.save(new RecordModel(tx.findCollectionByNameOrId('audit'), { note: `took ${qty} of ${product.id}` }));
    await e.next();
  }, 'orders');

  app.onRecordAfterCreateSuccess(async (e) => {
    committedOrders.push(e.record.id);
    await e.next();
  }, 'orders');
}

let s: TestServer;
let app: PlinthApp;
let inbox: SmtpInbox;

beforeAll(async () => {
  inbox = await startSmtpInbox();
  s = await startTestServer({ smtp: { host: '127.0.0.1', port: inbox.port } }, { plugins: [shopPlugin] });
  app = s.node;
});

afterAll(async () => {
  await s?.close();
  await inbox?.close();
});

async function newProduct(values: Record<string, unknown>): Promise<RecordModel> {
  const record = new RecordModel(app.findCollectionByNameOrId('products'), values);
  await app.save(record);
  return record;
}

async function stockOf(id: string): Promise<number> {
  return (await app.findRecordById('products', id)).getInt('stock');
}

describe('collections from app code', () => {
  it('saves the collections a plugin defines, as the collections API would', async () => {
    const token = await s.adminToken();
    const res = await s.request('GET', '/api/collections/orders', { token });
    expect(res.status).toBe(200);
    expect(res.body.fields.map((f: { name: string }) => f.name)).toEqual(['id', 'product', 'qty', 'total']);
    expect(res.body.fields[1].collectionId).toBe(app.findCollectionByNameOrId('products').id);
  });

  it('updates an edited copy on save, and the copy changes nothing until then', async () => {
    const name = uniqueName('notes');
    const c = new CollectionModel({ name, fields: [{ name: 'title', type: 'text' }] });
    expect(c.isNew()).toBe(true);
    await app.save(c);
    expect(c.isNew()).toBe(false);
    expect(c.id).not.toBe('');
    const copy = app.findCollectionByNameOrId(name);
    copy.listRule = 'title != ""';
    copy.fields.add({ name: 'body', type: 'editor' });
    expect(app.findCollectionByNameOrId(name).listRule).toBeNull();
    await app.save(copy);
    const stored = await s.request('GET', `/api/collections/${name}`, { token: await s.adminToken() });
    expect(stored.body.listRule).toBe('title != ""');
    expect(stored.body.fields.map((f: { name: string }) => f.name)).toEqual(['id', 'title', 'body']);
    await app.delete(copy);
    expect(() => app.findCollectionByNameOrId(name)).toThrow(NotFoundError);
  });

  it('refuses an invalid collection with the API\'s 400 and field errors', async () => {
    const err = await app.save(new CollectionModel({ name: 'bad name!', fields: [] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(400);
    expect((err as AppError).data).toHaveProperty('name');
  });

  it('lists collections by type and imports definitions', async () => {
    expect(app.findAllCollections('auth').map((c) => c.name).sort()).toEqual(['_superusers', 'users']);
    expect(app.findAllCollections().length).toBeGreaterThan(3);
    const name = uniqueName('imported');
    await app.importCollections([{ name, type: 'base', fields: [{ name: 'x', type: 'number' }] }]);
    expect(app.findCollectionByNameOrId(name).fields.getByName('x')?.type).toBe('number');
  });

  it('creates a collection and its records in one transaction, or neither', async () => {
    const kept = uniqueName('kept');
    await app.runInTransaction(async (tx) => {
      await tx.save(new CollectionModel({ name: kept, fields: [{ name: 'n', type: 'number' }] }));
      await tx.save(new RecordModel(tx.findCollectionByNameOrId(kept), { n: 7 }));
    });
    expect(await app.countRecords(kept)).toBe(1);
    const dropped = uniqueName('dropped');
    await expect(app.runInTransaction(async (tx) => {
      await tx.save(new CollectionModel({ name: dropped, fields: [{ name: 'n', type: 'number' }] }));
      await tx.save(new RecordModel(tx.findCollectionByNameOrId(dropped), { n: 1 }));
      throw new Error('changed my mind');
    })).rejects.toThrow('changed my mind');
    expect(() => app.findCollectionByNameOrId(dropped)).toThrow(NotFoundError);
    const res = await s.request('GET', `/api/collections/${dropped}`, { token: await s.adminToken() });
    expect(res.status).toBe(404);
  });
});

describe('finders', () => {
  let cheap: RecordModel;
  let dear: RecordModel;
  let tagged: string;

  beforeAll(async () => {
    tagged = uniqueName('t');
    cheap = await newProduct({ name: `${tagged} cheap`, stock: 5, price: 2, code: 'c-1' });
    dear = await newProduct({ name: `${tagged} dear`, stock: 1, price: 90, code: 'd-2' });
    await newProduct({ name: `${tagged} mid`, stock: 3, price: 40, code: "' OR 1=1 --" });
  });

  it('filters with {:name} placeholders bound, sorts, limits and offsets', async () => {
    const all = await app.findRecordsByFilter('products', 'name ~ {:tag} && price >= {:min}', '-price', 0, 0, { tag: tagged, min: 2 });
    expect(all.map((r) => r.getFloat('price'))).toEqual([90, 40, 2]);
    const page = await app.findRecordsByFilter('products', 'name ~ {:tag}', 'price', 1, 1, { tag: tagged });
    expect(page.map((r) => r.getFloat('price'))).toEqual([40]);
    const rest = await app.findRecordsByFilter('products', 'name ~ {:tag}', 'price', 0, 1, { tag: tagged });
    expect(rest.map((r) => r.getFloat('price'))).toEqual([40, 90]);
  });

  it('binds a placeholder value as a value, never as filter or SQL text', async () => {
    for (const hostile of ["' || 1=1 || '", '" || id != "', "x') OR 1=1 --"]) {
      expect(await app.findRecordsByFilter('products', 'name = {:v}', '', 0, 0, { v: hostile })).toEqual([]);
    }
    const odd = await app.findRecordsByFilter('products', 'code = {:v}', '', 0, 0, { v: "' OR 1=1 --" });
    expect(odd.map((r) => r.getString('name'))).toEqual([`${tagged} mid`]);
  });

  it('reads hidden fields, null, booleans and dates through placeholders', async () => {
    expect((await app.findFirstRecordByFilter('products', 'code = {:c}', { c: 'd-2' })).id).toBe(dear.id);
    expect(await app.countRecords('_superusers', 'created <= {:now}', { now: new Date(Date.now() + 60_000) })).toBeGreaterThan(0);
    expect(await app.countRecords('_superusers', 'created > {:now}', { now: new Date(Date.now() + 60_000) })).toBe(0);
    expect(await app.countRecords('products', 'name ~ {:tag} && code != {:nothing}', { tag: tagged, nothing: null })).toBe(3);
  });

  it('answers 400 for a bad filter, a missing placeholder or an unknown field, 404 for no match', async () => {
    for (const run of [
      () => app.findRecordsByFilter('products', 'price >>= 1'),
      () => app.findRecordsByFilter('products', 'price > {:min}', '', 0, 0, {}),
      () => app.findRecordsByFilter('products', 'nope = 1'),
      () => app.findRecordsByFilter('products', '', 'nope'),
      () => app.findFirstRecordByData('products', 'nope', 1),
      () => app.findAuthRecordByEmail('products', 'a@example.com'),
    ]) {
      const err = await run().catch((e: unknown) => e);
      expect(err, String(run)).toBeInstanceOf(AppError);
      expect((err as AppError).status, String(run)).toBe(400);
    }
    await expect(app.findFirstRecordByFilter('products', 'name = {:n}', { n: 'no such product' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(app.findRecordById('products', 'nosuchid1234567')).rejects.toBeInstanceOf(NotFoundError);
    await expect(app.findRecordById('no_such_collection', 'x')).rejects.toMatchObject({ status: 404 });
  });

  it('finds by ids in the order given, by data, counts, and by email', async () => {
    const found = await app.findRecordsByIds('products', [dear.id, 'missing', cheap.id, dear.id]);
    expect(found.map((r) => r.id)).toEqual([dear.id, cheap.id]);
    expect((await app.findFirstRecordByData('products', 'code', 'c-1')).id).toBe(cheap.id);
    expect(await app.countRecords('products', 'name ~ {:tag}', { tag: tagged })).toBe(3);
    const email = `${uniqueName('Mixed')}@Example.com`;
    const user = new RecordModel(app.findCollectionByNameOrId('users'), { email, password: 'secret-password-1', passwordConfirm: 'secret-password-1' });
    await app.save(user);
    expect((await app.findAuthRecordByEmail('users', email.toLowerCase())).id).toBe(user.id);
    await expect(app.findAuthRecordByEmail('users', 'nobody@example.com')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('expands relations and evaluates rules for a requester', async () => {
    const order = new RecordModel(app.findCollectionByNameOrId('orders'), { product: cheap.id, qty: 1 });
    await app.save(order);
    await app.expandRecord(order, 'product');
    expect(order.expandedOne('product')?.getString('name')).toBe(`${tagged} cheap`);
    expect((order.publicExport().expand as Record<string, { id: string }>).product.id).toBe(cheap.id);
    const guest = guestRequest();
    expect(await app.canAccessRecord(dear, guest, 'price > 50')).toBe(true);
    expect(await app.canAccessRecord(cheap, guest, 'price > 50')).toBe(false);
    expect(await app.canAccessRecord(cheap, guest, null)).toBe(false);
    expect(await app.canAccessRecord(cheap, guestRequest({ isSuperuser: true }), null)).toBe(true);
    expect(await app.canAccessRecord(cheap, guest, '')).toBe(true);
  });
});

describe('a model hook that reads and writes other records', () => {
  it('takes stock, prices the order and writes the audit trail in the request\'s transaction', async () => {
    const product = await newProduct({ name: uniqueName('p'), stock: 10, price: 2.5 });
    const pb = s.client();
    const order = await pb.collection('orders').create({ product: product.id, qty: 4, total: 0.01 });
    expect(order.total).toBe(10);
    expect(await stockOf(product.id)).toBe(6);
    expect(await app.countRecords('audit', 'note = {:n}', { n: `took 4 of ${product.id}` })).toBe(1);
    expect(committedOrders).toContain(order.id);
  });

  it('rolls back what the hook wrote when the write fails after it', async () => {
    const product = await newProduct({ name: uniqueName('p'), stock: 500, price: 1 });
    const before = committedOrders.length;
    // qty 150 passes the hook (enough stock) and then fails the field's max of 100.
    const res = await s.request('POST', '/api/collections/orders/records', { body: { product: product.id, qty: 150 } });
    expect(res.status).toBe(400);
    expect(res.body.data).toHaveProperty('qty');
    expect(await stockOf(product.id)).toBe(500);
    expect(await app.countRecords('audit', 'note ~ {:p}', { p: product.id })).toBe(0);
    expect(committedOrders.length).toBe(before);
  });

  it('answers the hook\'s ApiError and keeps nothing', async () => {
    const product = await newProduct({ name: uniqueName('p'), stock: 1, price: 1 });
    const res = await s.request('POST', '/api/collections/orders/records', { body: { product: product.id, qty: 2 } });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('Out of stock.');
    expect(await stockOf(product.id)).toBe(1);
    expect(await app.countRecords('orders', 'product = {:p}', { p: product.id })).toBe(0);
  });
});

describe('runInTransaction', () => {
  it('commits what the transaction saved, and after-success hooks run only after the commit', async () => {
    const product = await newProduct({ name: uniqueName('p'), stock: 3, price: 1 });
    let seenInside: boolean | undefined;
    const id = await app.runInTransaction(async (tx) => {
      const order = new RecordModel(tx.findCollectionByNameOrId('orders'), { product: product.id, qty: 1 });
      await tx.save(order);
      // Read inside the transaction: the order and the hook's stock change are visible to it.
      expect((await tx.findRecordById('orders', order.id)).getFloat('total')).toBe(1);
      expect((await tx.findRecordById('products', product.id)).getInt('stock')).toBe(2);
      seenInside = committedOrders.includes(order.id);
      return order.id;
    });
    expect(seenInside).toBe(false);
    expect(committedOrders).toContain(id);
    expect(await stockOf(product.id)).toBe(2);
  });

  it('rolls everything back when the function throws, hooks\' writes included', async () => {
    const product = await newProduct({ name: uniqueName('p'), stock: 3, price: 1 });
    let orderId = '';
    await expect(app.runInTransaction(async (tx) => {
      const order = new RecordModel(tx.findCollectionByNameOrId('orders'), { product: product.id, qty: 2 });
      await tx.save(order);
      orderId = order.id;
      throw new Error('payment declined');
    })).rejects.toThrow('payment declined');
    expect(orderId).not.toBe('');
    await expect(app.findRecordById('orders', orderId)).rejects.toBeInstanceOf(NotFoundError);
    expect(await stockOf(product.id)).toBe(3);
    expect(committedOrders).not.toContain(orderId);
  });

  it('reuses the outer transaction in nested calls: both commit or roll back together', async () => {
    const product = await newProduct({ name: uniqueName('p'), stock: 9, price: 1 });
    await expect(app.runInTransaction(async (tx) => {
      await tx.runInTransaction(async (inner) => {
        expect(inner.db()).toBe(tx.db());
        const p = await inner.findRecordById('products', product.id);
        await inner.save(p.set('stock', 1));
      });
      expect(await tx.countRecords('products', 'id = {:id} && stock = 1', { id: product.id })).toBe(1);
      throw new BadRequestError('undo');
    })).rejects.toBeInstanceOf(BadRequestError);
    expect(await stockOf(product.id)).toBe(9);
  });

  it('sells exactly the stock there is to 50 concurrent buyers with forUpdate', async () => {
    const product = await newProduct({ name: uniqueName('p'), stock: 40, price: 1 });
    const buy = () => app.runInTransaction(async (tx) => {
      const p = await tx.findRecordById('products', product.id, { forUpdate: true });
      const stock = p.getInt('stock');
      if (stock <= 0) return false;
      // Yield between the read and the write, as real checkout code does.
      await new Promise((resolve) => setTimeout(resolve, 1));
      await tx.save(p.set('stock', stock - 1));
      return true;
    });
    const sold = (await Promise.all(Array.from({ length: 50 }, buy))).filter(Boolean).length;
    expect(sold).toBe(40);
    expect(await stockOf(product.id)).toBe(0);
  });

  it('locks rows found by filter too', async () => {
    const product = await newProduct({ name: uniqueName('p'), stock: 20, price: 1 });
    const buy = () => app.runInTransaction(async (tx) => {
      const [p] = await tx.findRecordsByFilter('products', 'id = {:id} && stock > 0', '', 1, 0, { id: product.id }, { forUpdate: true });
      if (!p) return false;
      await new Promise((resolve) => setTimeout(resolve, 1));
      await tx.save(p.set('stock-', 1));
      return true;
    });
    const sold = (await Promise.all(Array.from({ length: 30 }, buy))).filter(Boolean).length;
    expect(sold).toBe(20);
    expect(await stockOf(product.id)).toBe(0);
  });
});

describe('helpers', () => {
  it('gives a copy of the settings and the logger', () => {
    const settings = app.settings();
    expect(settings.meta.appName).toBe('Plinth');
    settings.meta.appName = 'changed';
    expect(app.settings().meta.appName).toBe('Plinth');
    expect(typeof app.logger().info).toBe('function');
  });

  it('sends mail through the node\'s mailer from the settings\' sender', async () => {
    const to = `${uniqueName('m')}@example.com`;
    await app.newMailClient().send({ to: [{ address: to }], subject: 'Your order', html: '<p>Thanks!</p>', text: 'Thanks!' });
    const mail = await inbox.next(to);
    expect(mail.subject).toBe('Your order');
    expect(mail.from).toBe(app.settings().meta.senderAddress);
  });

  it('makes random strings, JWTs, HMACs and compares in constant time', async () => {
    const { security } = app;
    expect(security.randomString(24)).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(security.randomStringWithAlphabet(10, 'ab')).toMatch(/^[ab]{10}$/);
    const token = await security.createJWT({ sub: 'u1' }, 'k'.repeat(32), 60);
    expect(await security.parseJWT(token, 'k'.repeat(32))).toMatchObject({ sub: 'u1' });
    await expect(security.parseJWT(token, 'x'.repeat(32))).rejects.toMatchObject({ status: 400 });
    expect(security.hs256('data', 'key')).toBe('5031fe3d989c6d1537a013fa6e739da23463fdaec3b70137d828e36ace221bd0');
    expect(security.equal('abc', 'abc')).toBe(true);
    expect(security.equal('abc', 'abd')).toBe(false);
  });

  it('refuses outbound HTTP to loopback by default (400)', async () => {
    await expect(app.http.send({ url: 'http://127.0.0.1:1/' })).rejects.toMatchObject({ status: 400 });
  });
});

describe('outbound HTTP from app code', () => {
  let t: TestServer;
  let peer: Server;
  let peerUrl: string;

  beforeAll(async () => {
    peer = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url === '/slow') return void setTimeout(() => res.end('late'), 3000);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ method: req.method, type: req.headers['content-type'], body }));
      });
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    peerUrl = `http://127.0.0.1:${(peer.address() as AddressInfo).port}`;
    t = await startTestServer({}, { outbound: OutboundHttp.allowingLoopbackForTests() });
  });

  afterAll(async () => {
    await t?.close();
    peer?.closeAllConnections();
    await new Promise((resolve) => peer?.close(resolve));
  });

  it('sends a method, headers and a JSON body and reads the answer', async () => {
    const res = await t.node.http.send({ url: `${peerUrl}/hook`, method: 'POST', body: { paid: true } });
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({ method: 'POST', type: 'application/json', body: '{"paid":true}' });
  });

  it('gives up after the timeout with a 400', async () => {
    await expect(t.node.http.send({ url: `${peerUrl}/slow`, timeout: 0.2 })).rejects.toMatchObject({ status: 400 });
  });
});

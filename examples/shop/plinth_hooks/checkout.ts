// The shop's checkout as one route: stock is decremented without overselling, the
// price and total are computed on the server, and the confirmation mail is a job
// enqueued in the checkout's transaction: it exists only if the order commits, and it
// is retried until the mail server takes it.
import { BadRequestError, definePlugin, Record } from 'plinth';

interface CheckoutBody {
  items: { product: string; qty: number }[];
}

/** The most lines one order may have. */
const MAX_LINES = 50;

export default definePlugin((app) => {
  app.routerAdd('POST', '/api/shop/checkout', async (e) => {
    const body = await e.bindBody<CheckoutBody>();
    const items = parseItems(body);
    const user = e.auth!;
    const order = await app.runInTransaction(async (tx) => {
      let total = 0;
      const lines: { product: string; name: string; qty: number; price: number }[] = [];
      // Lock products in one order (by id) so two checkouts never wait on each other in a cycle.
      for (const { product, qty } of [...items].sort((a, b) => a.product.localeCompare(b.product))) {
        const p = await tx.findRecordById('products', product, { forUpdate: true });
        if (p.getInt('stock') < qty) throw new BadRequestError(`Not enough stock of ${p.getString('name')}.`);
        p.set('stock-', qty);
        await tx.save(p);
        const price = p.getFloat('price');
        lines.push({ product, name: p.getString('name'), qty, price });
        total += price * qty;
      }
      const o = new Record(tx.findCollectionByNameOrId('orders'), { user: user.id, items: lines, total: Math.round(total * 100) / 100, status: 'paid' });
      await tx.save(o);
      // The dedupe key makes a second enqueue for the same order a no-op.
      await tx.jobs.enqueue('shop-order-confirmation', { order: o.id }, { key: `order-confirmation:${o.id}` });
      return o;
    });
    return e.json(200, order.publicExport());
  }, app.apis.requireAuth('users'), app.apis.bodyLimit(64 * 1024));

  // Runs after the commit only (the job is part of the checkout's transaction); a failed
  // send is retried with backoff, up to 5 attempts.
  app.jobs.define<{ order: string }>('shop-order-confirmation', async (job) => {
    const order = await app.findRecordById('orders', job.payload.order);
    const user = await app.findRecordById('users', order.getString('user'));
    await app.newMailClient().send({
      from: { address: app.settings().meta.senderAddress, name: app.settings().meta.senderName },
      to: [{ address: user.getString('email') }],
      subject: `Order ${order.id} confirmed`,
      text: `Thank you! Your total is ${order.getFloat('total').toFixed(2)}.`,
    });
  }, { attempts: 5, backoff: 2_000 });
});

/** The checkout body's lines; a 400 naming the problem for anything else. */
function parseItems(body: CheckoutBody): { product: string; qty: number }[] {
  const items = body?.items;
  if (!Array.isArray(items) || items.length === 0) throw new BadRequestError('An order needs at least one item.');
  if (items.length > MAX_LINES) throw new BadRequestError(`An order has at most ${MAX_LINES} lines.`);
  const seen = new Set<string>();
  return items.map((item) => {
    if (typeof item?.product !== 'string' || item.product === '' || seen.has(item.product)) throw new BadRequestError('Each item needs a distinct product id.');
    if (!Number.isInteger(item.qty) || item.qty < 1 || item.qty > 1000) throw new BadRequestError('Each quantity must be a whole number from 1 to 1000.');
    seen.add(item.product);
    return { product: item.product, qty: item.qty };
  });
}

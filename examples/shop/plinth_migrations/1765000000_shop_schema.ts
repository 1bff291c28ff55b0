// The shop's schema: customers sign in (users), browse products, and place orders
// only through the checkout route (orders have no create rule).
import type { PlinthApp } from 'plinth';

export default {
  async up(app: PlinthApp) {
    await app.importCollections([
      {
        name: 'products',
        type: 'base',
        listRule: '',
        viewRule: '',
        fields: [
          { name: 'name', type: 'text', required: true, max: 200 },
          { name: 'price', type: 'number', required: true, min: 0 },
          { name: 'stock', type: 'number', onlyInt: true, min: 0 },
        ],
      },
      {
        name: 'orders',
        type: 'base',
        // A customer sees their own orders; nobody creates or edits one through the records API.
        listRule: 'user = @request.auth.id',
        viewRule: 'user = @request.auth.id',
        fields: [
          { name: 'user', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1, required: true },
          { name: 'items', type: 'json', required: true },
          { name: 'total', type: 'number', min: 0 },
          { name: 'status', type: 'select', values: ['paid', 'shipped'], maxSelect: 1 },
        ],
      },
    ]);
  },
  async down(app: PlinthApp) {
    for (const name of ['orders', 'products']) await app.delete(app.findCollectionByNameOrId(name));
  },
};

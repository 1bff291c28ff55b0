import { it } from 'vitest';
import { startTestServer } from './helpers/test-server.js';
it('probe', async () => {
  const s = await startTestServer(); const t = await s.adminToken();
  for (const body of [
    { name: 'p1', fields: [{ name: 'x', type: 'file', thumbs: ['0x0'] }] },
    { id: 'pbc_3142635823', name: 'p2' },
  ]) { const r = await s.request('POST', '/api/collections', { token: t, body }); console.log(r.status, r.text.slice(0, 500)); }
  await s.close();
});

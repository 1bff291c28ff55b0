import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../adapters/bus/memory-bus.js';
import { AppError } from '../../errors/app-error.js';
import type { AuthInfo } from '../rules/request-info.js';
import { RemoteSubscriptions, type ForwardedAuth } from './remote-subscriptions.js';

const USERS = { id: 'users_id', name: 'users' } as unknown as AuthInfo['collection'];

/** Two "nodes" on one bus; node B holds client `c1`, and knows one user whose tokenKey is `k1`. */
async function twoNodes(applyError?: AppError) {
  const bus = new MemoryBus();
  const applied: Array<{ clientId: string; subscriptions: readonly string[]; auth: AuthInfo | null; ip: string }> = [];
  const findAuth = async (a: ForwardedAuth): Promise<AuthInfo | null> =>
    a.collectionId === 'users_id' && a.recordId === 'u1' && a.tokenKey === 'k1' ? { collection: USERS, record: { id: 'u1', tokenKey: 'k1' } } : null;
  const node = (holds: (id: string) => boolean) => new RemoteSubscriptions({
    bus, holds, findAuth, onError: () => undefined,
    apply: (clientId, subscriptions, auth, ip) => {
      if (applyError) throw applyError;
      applied.push({ clientId, subscriptions, auth, ip });
    },
  });
  const a = node(() => false);
  const b = node((id) => id === 'c1');
  await a.start();
  await b.start();
  return { a, applied, stop: async () => { await a.stop(); await b.stop(); await bus.close(); } };
}

const user = (tokenKey: string): AuthInfo => ({ collection: USERS, record: { id: 'u1', tokenKey } });

describe('RemoteSubscriptions (subscribe calls through any node, docs/api.md §6.5)', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => { await stop?.(); });

  it('applies a call on the node holding the client, with the auth it loads again', async () => {
    const n = await twoNodes();
    stop = n.stop;
    await n.a.forward('c1', ['posts'], user('k1'), '10.0.0.1');
    expect(n.applied).toEqual([{ clientId: 'c1', subscriptions: ['posts'], auth: user('k1'), ip: '10.0.0.1' }]);
    await n.a.forward('c1', [], null, '10.0.0.1');
    expect(n.applied[1]).toMatchObject({ subscriptions: [], auth: null });
  });

  it('refuses an identity whose tokenKey changed meanwhile, with a 401', async () => {
    const n = await twoNodes();
    stop = n.stop;
    const err = await n.a.forward('c1', ['posts'], user('revoked'), '10.0.0.1').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 401 });
    expect(n.applied).toEqual([]);
  });

  it('answers what the holding node answered', async () => {
    const n = await twoNodes(new AppError(403, "The current and the previous request authorization don't match."));
    stop = n.stop;
    const err = await n.a.forward('c1', ['posts'], null, '10.0.0.1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 403, message: "The current and the previous request authorization don't match." });
  });

  it('is a 404 when no node holds the client', async () => {
    const n = await twoNodes();
    stop = n.stop;
    const err = await n.a.forward('nobody', ['posts'], null, '10.0.0.1').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404, message: 'Missing or invalid client id.' });
  });
});

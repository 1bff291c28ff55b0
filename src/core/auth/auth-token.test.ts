import { afterEach, describe, expect, it, vi } from 'vitest';
import { isAuthCollection, type AuthCollection } from '../collections/collection.js';
import { systemCollections, SUPERUSERS_ID } from '../collections/collection-defaults.js';
import { signRecordToken, verifyRecordToken } from './auth-token.js';

function superusers(): AuthCollection {
  const c = systemCollections().find((x) => x.id === SUPERUSERS_ID);
  if (!c || !isAuthCollection(c)) throw new Error('no _superusers collection');
  return c;
}

describe('verifyRecordToken, for a token it has verified before', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('still refuses it once it expires', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const c = superusers();
    const token = await signRecordToken(c, 'key-1', { id: 'r1', type: 'auth', collectionId: c.id }, 60);
    expect(await verifyRecordToken(c, 'key-1', token, 'auth')).toMatchObject({ id: 'r1' });
    vi.setSystemTime(new Date('2026-01-01T00:00:59Z'));
    expect(await verifyRecordToken(c, 'key-1', token, 'auth')).toMatchObject({ id: 'r1' });
    vi.setSystemTime(new Date('2026-01-01T00:01:00Z'));
    expect(await verifyRecordToken(c, 'key-1', token, 'auth')).toBeNull();
  });

  it('refuses it after the record\'s tokenKey or the collection secret changes', async () => {
    const c = superusers();
    const token = await signRecordToken(c, 'key-1', { id: 'r1', type: 'auth', collectionId: c.id });
    expect(await verifyRecordToken(c, 'key-1', token, 'auth')).not.toBeNull();
    expect(await verifyRecordToken(c, 'key-2', token, 'auth')).toBeNull();
    const rotated = { ...c, authToken: { ...c.authToken, secret: c.authToken.secret + 'x' } };
    expect(await verifyRecordToken(rotated, 'key-1', token, 'auth')).toBeNull();
    expect(await verifyRecordToken(c, 'key-1', token, 'auth')).not.toBeNull();
  });

  it('refuses it for another token type or collection', async () => {
    const c = superusers();
    const token = await signRecordToken(c, 'key-1', { id: 'r1', type: 'auth', collectionId: c.id });
    expect(await verifyRecordToken(c, 'key-1', token, 'auth')).not.toBeNull();
    // The file token type has its own secret, so the key text differs too.
    expect(await verifyRecordToken(c, 'key-1', token, 'file')).toBeNull();
    expect(await verifyRecordToken({ ...c, id: 'other' }, 'key-1', token, 'auth')).toBeNull();
  });
});

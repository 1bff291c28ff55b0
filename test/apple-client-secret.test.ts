/**
 * `POST /api/settings/apple/generate-client-secret` (docs/api.md §9) as
 * PocketBase's: superusers only, an ES256 JWT for Apple signed with the given
 * P-256 key, and PocketBase's form checks, each a 400 naming the field.
 */
import { generateKeyPairSync } from 'node:crypto';
import { jwtVerify, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { userToken } from './helpers/collections.js';

const PATH = '/api/settings/apple/generate-client-secret';
const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const privateKey = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const valid = { clientId: 'com.example.app', teamId: 'TEAM123456', keyId: 'KEY1234567', privateKey, duration: 3600 };

let s: TestServer;
let token: string;

beforeAll(async () => {
  s = await startTestServer();
  token = await s.adminToken();
});
afterAll(async () => {
  await s?.close();
});

describe('the Apple client secret', () => {
  it('401 for a guest, 403 for a user', async () => {
    expect((await s.request('POST', PATH, { body: valid })).status).toBe(401);
    expect((await s.request('POST', PATH, { token: await userToken(s), body: valid })).status).toBe(403);
  });

  it('is an ES256 JWT for Apple, signed with the given key, through the SDK', async () => {
    const pb = await s.admin();
    const { secret } = await pb.settings.generateAppleClientSecret(valid.clientId, valid.teamId, valid.keyId, privateKey, valid.duration);
    expect(decodeProtectedHeader(secret)).toEqual({ alg: 'ES256', kid: valid.keyId, typ: 'JWT' });
    const { payload } = await jwtVerify(secret, keys.publicKey, { audience: 'https://appleid.apple.com', issuer: valid.teamId, subject: valid.clientId });
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  it.each([
    [{ clientId: '' }, 'clientId', 'validation_required'],
    [{ clientId: 5 }, 'clientId', 'validation_not_a_string'],
    [{ teamId: '123456789' }, 'teamId', 'validation_length_invalid'],
    [{ keyId: '12345678901' }, 'keyId', 'validation_length_invalid'],
    [{ privateKey: undefined }, 'privateKey', 'validation_required'],
    [{ privateKey: 'not a key' }, 'privateKey', 'validation_match_invalid'],
    [{ duration: 0 }, 'duration', 'validation_required'],
    [{ duration: -1 }, 'duration', 'validation_min_greater_equal_than_required'],
    [{ duration: 15777001 }, 'duration', 'validation_max_less_equal_than_required'],
    [{ duration: 1.5 }, 'duration', 'validation_only_int_constraint'],
    [{ duration: '60' }, 'duration', 'validation_not_a_number'],
  ])('400 for %j naming %s', async (change, field, code) => {
    const res = await s.request('POST', PATH, { token, body: { ...valid, ...change } });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('Invalid client secret data.');
    expect(Object.keys(res.body.data)).toEqual([field]);
    expect(res.body.data[field].code).toBe(code);
  });

  it('accepts the longest duration, and refuses a key that cannot sign ES256 with a 400', async () => {
    expect((await s.request('POST', PATH, { token, body: { ...valid, duration: 15777000 } })).status).toBe(200);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const broken = '-----BEGIN PRIVATE KEY-----\ninvalid\n-----END PRIVATE KEY-----';
    for (const key of [p384, rsa, broken]) {
      const res = await s.request('POST', PATH, { token, body: { ...valid, privateKey: key } });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^Failed to generate client secret\. Raw error: \n/);
    }
  });
});

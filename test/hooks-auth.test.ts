/**
 * The auth request hooks (docs/hooks.md §2) at the HTTP boundary: each fires for
 * its auth route with PocketBase's event fields, tagged by the auth collection; a
 * handler may change the event (record, token, meta, password, new email), answer
 * itself, stop the action (204 unless it answered) or refuse with an ApiError.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from './helpers/test-server.js';
import type { SmtpInbox } from './helpers/smtp-inbox.js';
import { createCollection, uniqueName } from './helpers/record-scenarios.js';
import { BadRequestError, ForbiddenError } from '../src/errors/api-errors.js';
import type { HookHandle } from '../src/tools/hook.js';
import { HookHandles, newUser as newUserOf, PW, startMailTestServer } from './helpers/hook-test-server.js';

let s: TestServer;
let inbox: SmtpInbox;
const hooks = new HookHandles();
const track = (h: HookHandle): void => hooks.track(h);
const unbindAll = (): void => hooks.unbindAll();
const newUser = (collection?: string) => newUserOf(s, collection);

beforeAll(async () => {
  ({ s, inbox } = await startMailTestServer());
});
afterAll(async () => {
  await s?.close();
  await inbox?.close();
});

function signIn(identity: string, password = PW, collection = 'users') {
  return s.request('POST', `/api/collections/${collection}/auth-with-password`, { body: { identity, password } });
}

describe('onRecordAuthRequest', () => {
  it('runs for every successful auth response with record, token, meta and method; a handler changes what is answered', async () => {
    const u = await newUser();
    const seen: unknown[] = [];
    track(s.node.onRecordAuthRequest(async (e) => {
      seen.push({ id: e.record.id, method: e.authMethod, collection: e.collection.name, hasToken: e.token.length > 20, meta: e.meta });
      e.meta = { greeting: 'hello' };
      e.record.set('extra', 'custom').withCustomData(true);
      await e.next();
    }, 'users'));
    try {
      const r = await signIn(u.email);
      expect(r.status, r.text).toBe(200);
      expect(r.body.meta).toEqual({ greeting: 'hello' });
      expect(r.body.record).toMatchObject({ id: u.id, email: u.email, extra: 'custom' });
      const refreshed = await s.request('POST', '/api/collections/users/auth-refresh', { token: r.body.token });
      expect(refreshed.status, refreshed.text).toBe(200);
      expect(seen).toEqual([
        { id: u.id, method: 'password', collection: 'users', hasToken: true, meta: undefined },
        { id: u.id, method: '', collection: 'users', hasToken: true, meta: undefined },
      ]);

      // A collection the handler is not tagged with answers as before.
      const admin = await signIn('admin@example.com', 'admin-password-123', '_superusers');
      expect(admin.status).toBe(200);
      expect(admin.body.meta).toBeUndefined();
      expect(seen).toHaveLength(2);
    } finally {
      unbindAll();
    }
  });

  it('answers 204 when a handler does not go on, its own answer when it sets one, and its ApiError', async () => {
    const u = await newUser();
    track(s.node.onRecordAuthRequest(() => undefined, 'users'));
    try {
      const r = await signIn(u.email);
      expect(r.status).toBe(204);
      expect(r.text).toBe('');
    } finally {
      unbindAll();
    }
    track(s.node.onRecordAuthRequest((e) => e.json(202, { custom: e.record.id }), 'users'));
    try {
      const r = await signIn(u.email);
      expect(r.status).toBe(202);
      expect(r.body).toEqual({ custom: u.id });
    } finally {
      unbindAll();
    }
    track(s.node.onRecordAuthRequest(() => {
      throw new ForbiddenError('Not today.');
    }, 'users'));
    try {
      const r = await signIn(u.email);
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ status: 403, message: 'Not today.' });
    } finally {
      unbindAll();
    }
  });
});

describe('onRecordAuthWithPasswordRequest', () => {
  it('sees the identity, the field, the password and the record found (null when none), and may find the record itself', async () => {
    const u = await newUser();
    const seen: unknown[] = [];
    track(s.node.onRecordAuthWithPasswordRequest(async (e) => {
      seen.push({ identity: e.identity, identityField: e.identityField, password: e.password, record: e.record?.id ?? null });
      // A custom lookup: "member:<id>" names the record by id.
      if (e.record === null && e.identity.startsWith('member:')) e.record = await e.app.findRecordById('users', e.identity.slice(7));
      await e.next();
    }, 'users'));
    try {
      expect((await signIn(u.email)).status).toBe(200);
      const byId = await signIn(`member:${u.id}`);
      expect(byId.status, byId.text).toBe(200);
      expect(byId.body.record.id).toBe(u.id);
      // The password is still checked against the record the handler chose.
      expect((await signIn(`member:${u.id}`, 'wrong-password')).status).toBe(400);
      const unknown = await signIn('nobody@example.com');
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toBe('Failed to authenticate.');
      expect(seen).toEqual([
        { identity: u.email, identityField: '', password: PW, record: u.id },
        { identity: `member:${u.id}`, identityField: '', password: PW, record: null },
        { identity: `member:${u.id}`, identityField: '', password: 'wrong-password', record: null },
        { identity: 'nobody@example.com', identityField: '', password: PW, record: null },
      ]);
    } finally {
      unbindAll();
    }
  });

  it('stops the sign-in when a handler does not go on (204, no token) and refuses with its ApiError', async () => {
    const u = await newUser();
    let authResponses = 0;
    track(s.node.onRecordAuthRequest(async (e) => {
      authResponses++;
      await e.next();
    }));
    track(s.node.onRecordAuthWithPasswordRequest(() => undefined, 'users'));
    try {
      const r = await signIn(u.email);
      expect(r.status).toBe(204);
      expect(authResponses).toBe(0);
    } finally {
      unbindAll();
    }
    track(s.node.onRecordAuthWithPasswordRequest(() => {
      throw new BadRequestError('Sign-ins are paused.');
    }, 'users'));
    try {
      const r = await signIn(u.email);
      expect(r.status).toBe(400);
      expect(r.body.message).toBe('Sign-ins are paused.');
    } finally {
      unbindAll();
    }
  });
});

describe('onRecordAuthRefreshRequest', () => {
  it('sees the signed-in record and can stop the refresh', async () => {
    const u = await newUser();
    const { body } = await signIn(u.email);
    const seen: string[] = [];
    track(s.node.onRecordAuthRefreshRequest((e) => {
      seen.push(e.record.id);
    }, 'users'));
    try {
      const r = await s.request('POST', '/api/collections/users/auth-refresh', { token: body.token });
      expect(r.status).toBe(204);
      expect(seen).toEqual([u.id]);
      // A guest is refused before any handler runs.
      expect((await s.request('POST', '/api/collections/users/auth-refresh')).status).toBe(401);
      expect(seen).toHaveLength(1);
    } finally {
      unbindAll();
    }
  });
});

describe('the mailed flows', () => {
  it('onRecordRequestPasswordResetRequest runs for a known address only; not going on sends no mail', async () => {
    const u = await newUser();
    const seen: string[] = [];
    track(s.node.onRecordRequestPasswordResetRequest((e) => {
      seen.push(e.record.getString('email'));
    }, 'users'));
    try {
      const r = await s.request('POST', '/api/collections/users/request-password-reset', { body: { email: u.email } });
      expect(r.status).toBe(204);
      const unknown = await s.request('POST', '/api/collections/users/request-password-reset', { body: { email: 'nobody@example.com' } });
      expect(unknown.status).toBe(204);
      expect(seen).toEqual([u.email]);
    } finally {
      unbindAll();
    }
    // The stopped request sent nothing: the first mail the address gets is a later verification mail.
    await s.request('POST', '/api/collections/users/request-verification', { body: { email: u.email } });
    const mail = await inbox.next(u.email);
    expect(mail.subject).toContain('Verify');
  });

  it('onRecordRequestVerificationRequest and onRecordConfirmVerificationRequest see the record; confirming can be stopped', async () => {
    const u = await newUser();
    const seen: string[] = [];
    track(s.node.onRecordRequestVerificationRequest(async (e) => {
      seen.push(`request ${e.record.id}`);
      await e.next();
    }, 'users'));
    track(s.node.onRecordConfirmVerificationRequest((e) => {
      seen.push(`confirm ${e.record.id}`);
    }, 'users'));
    try {
      expect((await s.request('POST', '/api/collections/users/request-verification', { body: { email: u.email } })).status).toBe(204);
      const mail = await inbox.next(u.email);
      const token = /confirm-verification\/([A-Za-z0-9_.-]+)/.exec(mail.decoded)![1]!;
      expect((await s.request('POST', '/api/collections/users/confirm-verification', { body: { token } })).status).toBe(204);
      expect(seen).toEqual([`request ${u.id}`, `confirm ${u.id}`]);
      const admin = await s.admin();
      expect((await admin.collection('users').getOne(u.id)).verified).toBe(false);
    } finally {
      unbindAll();
    }
  });

  it('onRecordRequestEmailChangeRequest may change the new address; onRecordConfirmEmailChangeRequest sees it', async () => {
    const u = await newUser();
    const { body } = await signIn(u.email);
    const redirected = `redirected-${u.email}`;
    const seen: string[] = [];
    track(s.node.onRecordRequestEmailChangeRequest(async (e) => {
      seen.push(`request ${e.record.id} ${e.newEmail}`);
      e.newEmail = redirected;
      await e.next();
    }, 'users'));
    track(s.node.onRecordConfirmEmailChangeRequest(async (e) => {
      seen.push(`confirm ${e.record.id} ${e.newEmail}`);
      await e.next();
    }, 'users'));
    try {
      const r = await s.request('POST', '/api/collections/users/request-email-change', { body: { newEmail: `asked-${u.email}` }, token: body.token });
      expect(r.status, r.text).toBe(204);
      const mail = await inbox.next(redirected);
      const token = /confirm-email-change\/([A-Za-z0-9_.-]+)/.exec(mail.decoded)![1]!;
      const confirmed = await s.request('POST', '/api/collections/users/confirm-email-change', { body: { token, password: PW } });
      expect(confirmed.status, confirmed.text).toBe(204);
      expect(seen).toEqual([`request ${u.id} asked-${u.email}`, `confirm ${u.id} ${redirected}`]);
      const admin = await s.admin();
      expect((await admin.collection('users').getOne(u.id)).email).toBe(redirected);
    } finally {
      unbindAll();
    }
  });
});

describe('OTP', () => {
  it('onRecordRequestOTPRequest sees the record (null for an unknown address) and may choose the code; onRecordAuthWithOTPRequest sees the code record', async () => {
    const name = uniqueName('otpusers');
    await createCollection(s, { name, type: 'auth', fields: [], otp: { enabled: true, length: 6, duration: 300 } });
    const u = await newUser(name);
    const seen: unknown[] = [];
    track(s.node.onRecordRequestOTPRequest(async (e) => {
      seen.push({ record: e.record?.id ?? null, digits: /^\d{6}$/.test(e.password) });
      e.password = '424242';
      await e.next();
    }, name));
    track(s.node.onRecordAuthWithOTPRequest(async (e) => {
      seen.push({ record: e.record.id, otp: e.otp.id, recordRef: e.otp.getString('recordRef') });
      await e.next();
    }, name));
    try {
      const unknown = await s.request('POST', `/api/collections/${name}/request-otp`, { body: { email: 'nobody@example.com' } });
      expect(unknown.status).toBe(200);
      expect(unknown.body.otpId).toMatch(/^[a-z0-9]{15}$/);
      const r = await s.request('POST', `/api/collections/${name}/request-otp`, { body: { email: u.email } });
      expect(r.status).toBe(200);
      const mail = await inbox.next(u.email);
      expect(mail.decoded).toContain('424242');
      const auth = await s.request('POST', `/api/collections/${name}/auth-with-otp`, { body: { otpId: r.body.otpId, password: '424242' } });
      expect(auth.status, auth.text).toBe(200);
      expect(auth.body.record.id).toBe(u.id);
      expect(seen).toEqual([
        { record: null, digits: true },
        { record: u.id, digits: true },
        { record: u.id, otp: r.body.otpId, recordRef: u.id },
      ]);
    } finally {
      unbindAll();
    }
  });

  it('a request-otp handler that does not go on answers 204 and creates no code', async () => {
    const name = uniqueName('otpstop');
    await createCollection(s, { name, type: 'auth', fields: [], otp: { enabled: true, length: 6, duration: 300 } });
    const u = await newUser(name);
    track(s.node.onRecordRequestOTPRequest(() => undefined, name));
    try {
      const r = await s.request('POST', `/api/collections/${name}/request-otp`, { body: { email: u.email } });
      expect(r.status).toBe(204);
      const token = await s.adminToken();
      const otps = await s.request('GET', `/api/collections/_otps/records?filter=${encodeURIComponent(`recordRef='${u.id}'`)}`, { token });
      expect(otps.body.totalItems).toBe(0);
    } finally {
      unbindAll();
    }
  });
});

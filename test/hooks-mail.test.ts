/**
 * The mail hooks (docs/hooks.md §2) at the HTTP boundary, mail going over SMTP to
 * a real server on loopback: onMailerSend sees every mail and may edit it or
 * withhold it; each auth flow's record mail hook sees the record, the message and
 * the flow's meta (token, newEmail, otpId and code, alert info).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from './helpers/test-server.js';
import { linkToken, type SmtpInbox } from './helpers/smtp-inbox.js';
import { createCollection, uniqueName } from './helpers/record-scenarios.js';
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

/** Resolves with the value of `take()` once it is defined (a hook fires in the background). */
async function eventually<T>(take: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = take();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out');
}

describe('onMailerSend', () => {
  it('edits every mail before it leaves: recipient, subject, text and headers', async () => {
    const u = await newUser();
    const kinds: string[] = [];
    track(s.node.onMailerSend(async (e) => {
      kinds.push(e.message.kind ?? '');
      e.message.to = [{ address: `copy-${e.message.to[0]!.address}` }];
      e.message.subject = `[hooked] ${e.message.subject}`;
      e.message.headers = { 'X-Plinth-Hook': 'yes' };
      await e.next();
    }));
    try {
      expect((await s.request('POST', '/api/collections/users/request-verification', { body: { email: u.email } })).status).toBe(204);
      const mail = await inbox.next(`copy-${u.email}`);
      expect(mail.subject).toBe('[hooked] Verify your Plinth Test email');
      expect(mail.raw).toMatch(/^X-Plinth-Hook: yes/m);
      expect(kinds).toEqual(['verification']);
    } finally {
      unbindAll();
    }
  });

  it('withholds a mail when a handler does not go on', async () => {
    const u = await newUser();
    let withheld = 0;
    track(s.node.onMailerSend((e) => {
      if (e.message.kind === 'verification') withheld++;
      else return e.next();
    }));
    try {
      expect((await s.request('POST', '/api/collections/users/request-verification', { body: { email: u.email } })).status).toBe(204);
      await eventually(() => (withheld > 0 ? true : undefined));
      expect((await s.request('POST', '/api/collections/users/request-password-reset', { body: { email: u.email } })).status).toBe(204);
      // The first mail the address receives is the reset: the verification never left.
      const mail = await inbox.next(u.email);
      expect(mail.subject).toContain('Reset');
      expect(inbox.mails.filter((m) => m.to.includes(u.email))).toHaveLength(1);
    } finally {
      unbindAll();
    }
  });
});

describe('record mail hooks', () => {
  it('onMailerRecordVerificationSend and onMailerRecordPasswordResetSend see the record, the message and the token', async () => {
    const u = await newUser();
    const seen: Record<string, unknown>[] = [];
    const record = (hook: string) => async (e: any) => {
      seen.push({ hook, id: e.record.id, collection: e.collection.name, to: e.message.to[0].address, token: e.meta.token });
      e.message.subject = `${hook}!`;
      await e.next();
    };
    track(s.node.onMailerRecordVerificationSend(record('verification'), 'users'));
    track(s.node.onMailerRecordPasswordResetSend(record('reset'), 'users'));
    try {
      await s.request('POST', '/api/collections/users/request-verification', { body: { email: u.email } });
      const verification = await inbox.next(u.email);
      expect(verification.subject).toBe('verification!');
      await s.request('POST', '/api/collections/users/request-password-reset', { body: { email: u.email } });
      const reset = await inbox.next(u.email);
      expect(reset.subject).toBe('reset!');
      expect(seen).toEqual([
        { hook: 'verification', id: u.id, collection: 'users', to: u.email, token: linkToken(verification, 'verification') },
        { hook: 'reset', id: u.id, collection: 'users', to: u.email, token: linkToken(reset, 'password-reset') },
      ]);
    } finally {
      unbindAll();
    }
  });

  it('onMailerRecordEmailChangeSend sees the new address; not going on sends nothing', async () => {
    const u = await newUser();
    const { body } = await s.request('POST', '/api/collections/users/auth-with-password', { body: { identity: u.email, password: PW } });
    const meta: unknown[] = [];
    track(s.node.onMailerRecordEmailChangeSend((e) => {
      meta.push({ id: e.record.id, newEmail: e.meta.newEmail, token: typeof e.meta.token });
    }, 'users'));
    try {
      const r = await s.request('POST', '/api/collections/users/request-email-change', { body: { newEmail: `new-${u.email}` }, token: body.token });
      expect(r.status).toBe(204);
      expect(meta).toEqual([{ id: u.id, newEmail: `new-${u.email}`, token: 'string' }]);
    } finally {
      unbindAll();
    }
    // Nothing reached the new address: the next mail there is the one sent with no handler bound.
    await s.request('POST', '/api/collections/users/request-email-change', { body: { newEmail: `new-${u.email}` }, token: body.token });
    await inbox.next(`new-${u.email}`);
    expect(inbox.mails.filter((m) => m.to.includes(`new-${u.email}`))).toHaveLength(1);
  });

  it('onMailerRecordOTPSend sees the otpId and the code, and fires only for its collection', async () => {
    const name = uniqueName('otpmail');
    await createCollection(s, { name, type: 'auth', fields: [], otp: { enabled: true, length: 6, duration: 300 } });
    const u = await newUser(name);
    const other = await newUser('users');
    const seen: unknown[] = [];
    track(s.node.onMailerRecordOTPSend(async (e) => {
      seen.push({ id: e.record.id, otpId: e.meta.otpId, password: e.meta.password });
      await e.next();
    }, name));
    try {
      const r = await s.request('POST', `/api/collections/${name}/request-otp`, { body: { email: u.email } });
      const mail = await inbox.next(u.email);
      const code = /<strong>(\d{6})<\/strong>/.exec(mail.decoded)![1]!;
      expect(seen).toEqual([{ id: u.id, otpId: r.body.otpId, password: code }]);
      // The hook is tagged with one collection; an untagged one mails without it.
      await s.request('POST', '/api/collections/users/request-password-reset', { body: { email: other.email } });
      await inbox.next(other.email);
      expect(seen).toHaveLength(1);
    } finally {
      unbindAll();
    }
  });

  it('onMailerRecordAuthAlertSend sees the alert info', async () => {
    const u = await newUser();
    const seen: unknown[] = [];
    track(s.node.onMailerRecordAuthAlertSend(async (e) => {
      seen.push({ id: e.record.id, info: e.meta.info });
      await e.next();
    }, 'users'));
    try {
      const signIn = (ua: string) => s.request('POST', '/api/collections/users/auth-with-password', { body: { identity: u.email, password: PW }, headers: { 'User-Agent': ua } });
      expect((await signIn('Browser-One/1.0')).status).toBe(200);
      expect((await signIn('Browser-Two/2.0')).status).toBe(200);
      const mail = await inbox.next(u.email);
      expect(mail.subject).toBe('Login from a new location');
      expect(seen).toEqual([{ id: u.id, info: '127.0.0.1 Browser-Two/2.0' }]);
    } finally {
      unbindAll();
    }
  });
});

/**
 * What the hook tests share: a test server that sends mail to a loopback inbox,
 * new auth users, and hook handles unbound after each test.
 */
import type { HookHandle } from '../../src/tools/hook.js';
import { startSmtpInbox, type SmtpInbox } from './smtp-inbox.js';
import { startTestServer, type TestServer } from './test-server.js';

/** The password of every user `newUser` creates. */
export const PW = 'password123';

/** A test server whose mail reaches `inbox`, with the loopback IP out of the rate limits. */
export async function startMailTestServer(): Promise<{ s: TestServer; inbox: SmtpInbox }> {
  const s = await startTestServer();
  const inbox = await startSmtpInbox();
  const admin = await s.admin();
  await admin.settings.update({
    meta: { appName: 'Plinth Test', appURL: 'http://app.test', senderName: 'Plinth Mailer', senderAddress: 'noreply@plinth.test' },
    smtp: { enabled: true, host: '127.0.0.1', port: inbox.port, tls: false },
    rateLimits: { excludedIPs: ['127.0.0.1'] },
  });
  return { s, inbox };
}

let n = 0;

/** Creates an auth record with password PW as the superuser. */
export async function newUser(s: TestServer, collection = 'users'): Promise<{ id: string; email: string }> {
  n++;
  const email = `hook${n}-${Math.random().toString(36).slice(2, 7)}@example.com`;
  const admin = await s.admin();
  const r = await admin.collection(collection).create({ email, password: PW, passwordConfirm: PW });
  return { id: r.id, email };
}

/** Hook handles a test binds, unbound together when it ends. */
export class HookHandles {
  private readonly handles: HookHandle[] = [];

  track(h: HookHandle): void {
    this.handles.push(h);
  }

  unbindAll(): void {
    for (const h of this.handles.splice(0)) h.unbind();
  }
}

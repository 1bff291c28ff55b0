/**
 * A real SMTP server on loopback (npm smtp-server) that keeps every mail it
 * receives, for tests that read a link or a code out of a delivered mail.
 */
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/** One received mail: envelope, raw source and the decoded text of its parts. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  /** The raw source with quoted-printable and soft line breaks decoded. */
  decoded: string;
  subject: string;
  /** The SMTP user that authenticated, if any. */
  user?: string;
}

/** A running inbox. */
export interface SmtpInbox {
  port: number;
  mails: ReceivedMail[];
  /** Waits for the first mail (received so far or later) to `to` that matches, not yet taken. */
  next(to: string, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

/** The credentials the inbox accepts when a client authenticates. */
export const SMTP_USER = { username: 'mailer', password: 'mailer-secret' };

/** Starts an inbox on 127.0.0.1 with a free port; STARTTLS is off, auth optional. */
export async function startSmtpInbox(): Promise<SmtpInbox> {
  const mails: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER.username && auth.password === SMTP_USER.password) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const decoded = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          decoded,
          subject: /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? '',
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        for (const w of waiters.splice(0)) w();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    async next(to, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = mails.find((m) => !taken.has(m) && m.to.includes(to));
        if (found) {
          taken.add(found);
          return found;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no mail to ${to} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => { clearTimeout(timer); resolve(); });
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The token of a `…/confirm-<kind>/<TOKEN>` link in a mail. */
export function linkToken(mail: ReceivedMail, kind: 'verification' | 'password-reset' | 'email-change'): string {
  const m = new RegExp(`/_/#/auth/confirm-${kind}/([A-Za-z0-9_.-]+)`).exec(mail.decoded);
  if (!m) throw new Error(`no confirm-${kind} link in mail:\n${mail.decoded}`);
  return m[1]!;
}

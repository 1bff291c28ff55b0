/**
 * The Mailer adapters: SMTP (to a real server on loopback) and the `--dev` log fallback
 * meet the same contract; the default log fallback withholds the content; the settings mailer follows the settings and the
 * `PLINTH_SMTP_*` override, authenticates, and reports a dead server.
 */
import { describe, expect, it } from 'vitest';
import { SmtpMailer } from '../src/adapters/mail/smtp-mailer.js';
import { DevLogMailer, LogMailer } from '../src/adapters/mail/log-mailer.js';
import { SettingsMailer } from '../src/adapters/mail/settings-mailer.js';
import type { MailMessage } from '../src/core/mail/mailer.js';
import { resolveSmtpOptions } from '../src/core/mail/smtp-options.js';
import { defaultSettings } from '../src/core/settings/settings.js';
import { mailerContract } from './contracts/mailer-contract.js';
import { SMTP_USER, startSmtpInbox } from './helpers/smtp-inbox.js';

mailerContract('SMTP', async () => {
  const inbox = await startSmtpInbox();
  const mailer = new SmtpMailer({ host: '127.0.0.1', port: inbox.port, username: '', password: '', tls: false, authMethod: '', localName: '' });
  return {
    mailer,
    async delivered(to) {
      const mail = await inbox.next(to);
      return { from: mail.from, subject: mail.subject, content: mail.decoded };
    },
    close: () => inbox.close(),
  };
});

mailerContract('dev log', async () => {
  const entries: { mail: MailMessage }[] = [];
  const mailer = new DevLogMailer({ warn: (entry) => entries.push(entry as { mail: MailMessage }) });
  return {
    mailer,
    async delivered(to) {
      const entry = entries.find((e) => e.mail.to.some((a) => a.address === to));
      if (!entry) throw new Error(`nothing logged for ${to}`);
      return { from: entry.mail.from.address, subject: entry.mail.subject, content: `${entry.mail.html}\n${entry.mail.text}` };
    },
    close: async () => undefined,
  };
});

const message = (to: string): MailMessage => ({ from: { address: 'app@example.com' }, to: [{ address: to }], subject: 'S', html: '<p>x</p>', text: 'x' });

describe('LogMailer', () => {
  it('logs that a mail was withheld (kind, recipients, subject), never its content', async () => {
    const logged: { entry: any; text: string }[] = [];
    const mailer = new LogMailer({ warn: (entry, text) => logged.push({ entry, text }) });
    await mailer.send({ ...message('kept@example.com'), kind: 'otp', html: '<p>code 12345678</p>', text: 'code 12345678' });
    expect(logged).toHaveLength(1);
    expect(logged[0]!.entry).toEqual({ mail: { kind: 'otp', to: [{ address: 'kept@example.com' }], subject: 'S' } });
    expect(JSON.stringify(logged)).not.toContain('12345678');
  });
});

describe('SettingsMailer', () => {
  it('logs while SMTP is disabled and sends once it is enabled, authenticating when a user is set', async () => {
    const inbox = await startSmtpInbox();
    try {
      const settings = defaultSettings();
      const logged: unknown[] = [];
      const mailer = new SettingsMailer(() => resolveSmtpOptions(settings.smtp), new LogMailer({ warn: (entry) => logged.push(entry) }));
      await mailer.send(message('first@example.com'));
      expect(logged).toHaveLength(1);
      expect(inbox.mails).toHaveLength(0);

      Object.assign(settings.smtp, { enabled: true, host: '127.0.0.1', port: inbox.port, username: SMTP_USER.username, password: SMTP_USER.password, authMethod: 'PLAIN' });
      await mailer.send(message('second@example.com'));
      const mail = await inbox.next('second@example.com');
      expect(mail.user).toBe(SMTP_USER.username);
      expect(logged).toHaveLength(1);
    } finally {
      await inbox.close();
    }
  });

  it('uses the environment override even when the settings disable SMTP', async () => {
    const inbox = await startSmtpInbox();
    try {
      const settings = defaultSettings();
      const mailer = new SettingsMailer(() => resolveSmtpOptions(settings.smtp, { host: '127.0.0.1', port: inbox.port }), new LogMailer({ warn: () => { throw new Error('must not log'); } }));
      await mailer.send(message('env@example.com'));
      expect((await inbox.next('env@example.com')).to).toEqual(['env@example.com']);
    } finally {
      await inbox.close();
    }
  });

  it('rejects when the SMTP server refuses the credentials or is not there', async () => {
    const inbox = await startSmtpInbox();
    const port = inbox.port;
    try {
      const badAuth = new SmtpMailer({ host: '127.0.0.1', port, username: 'mailer', password: 'wrong', tls: false, authMethod: '', localName: '' });
      await expect(badAuth.send(message('x@example.com'))).rejects.toThrow();
    } finally {
      await inbox.close();
    }
    const dead = new SmtpMailer({ host: '127.0.0.1', port, username: '', password: '', tls: false, authMethod: '', localName: '' });
    await expect(dead.send(message('x@example.com'))).rejects.toThrow();
  });
});

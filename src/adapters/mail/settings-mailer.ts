/**
 * The Mailer of a running node: it looks at the SMTP settings at every send, so
 * `PATCH /api/settings` takes effect at once, and falls back to the log.
 */
import type { Mailer, MailMessage } from '../../core/mail/mailer.js';
import type { SmtpOptions } from '../../core/mail/smtp-options.js';
import { LogMailer, type MailLog } from './log-mailer.js';
import type { SmtpMailer } from './smtp-mailer.js';

/** SettingsMailer picks SMTP or the log per message from the current options. */
export class SettingsMailer implements Mailer {
  private readonly fallback: LogMailer;
  private current: { key: string; mailer: Promise<SmtpMailer> } | undefined;

  /** `smtp` returns the options in force, or null when SMTP is off. */
  constructor(private readonly smtp: () => SmtpOptions | null, log: MailLog) {
    this.fallback = new LogMailer(log);
  }

  /** Sends over SMTP when it is enabled, else logs the message. */
  async send(message: MailMessage): Promise<void> {
    const options = this.smtp();
    if (!options) return this.fallback.send(message);
    const key = JSON.stringify(options);
    // nodemailer loads only once SMTP is used: most embedded nodes never need it at start-up.
    if (this.current?.key !== key) this.current = { key, mailer: import('./smtp-mailer.js').then((m) => new m.SmtpMailer(options)) };
    return (await this.current.mailer).send(message);
  }
}

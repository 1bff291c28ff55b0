/**
 * The Mailer of a running node: it looks at the SMTP settings at every send, so
 * `PATCH /api/settings` takes effect at once, and falls back to another Mailer (the log).
 */
import type { Mailer, MailMessage } from '../../core/mail/mailer.js';
import type { SmtpOptions } from '../../core/mail/smtp-options.js';
import type { SmtpMailer } from './smtp-mailer.js';

/** SettingsMailer picks SMTP or the fallback per message from the current options. */
export class SettingsMailer implements Mailer {
  private current: { key: string; mailer: Promise<SmtpMailer> } | undefined;

  /** `smtp` returns the options in force, or null when SMTP is off; `fallback` takes the mail then. */
  constructor(private readonly smtp: () => SmtpOptions | null, private readonly fallback: Mailer) {}

  /** Sends over SMTP when it is enabled, else hands the message to the fallback. */
  async send(message: MailMessage): Promise<void> {
    const options = this.smtp();
    if (!options) return this.fallback.send(message);
    const key = JSON.stringify(options);
    // nodemailer loads only once SMTP is used: most embedded nodes never need it at start-up.
    if (this.current?.key !== key) this.current = { key, mailer: import('./smtp-mailer.js').then((m) => new m.SmtpMailer(options)) };
    return (await this.current.mailer).send(message);
  }
}

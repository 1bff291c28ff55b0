/**
 * A Mailer for nodes without SMTP: it writes the whole message to the log, so a
 * mail is never dropped silently and an operator can still read a link or code.
 */
import type { Mailer, MailMessage } from '../../core/mail/mailer.js';

/** The part of a pino logger the LogMailer needs. */
export interface MailLog {
  warn(entry: object, message: string): void;
}

/** LogMailer logs every message in full at level warn. */
export class LogMailer implements Mailer {
  constructor(private readonly log: MailLog) {}

  /** Logs the message: sender, recipients, subject, HTML and text bodies. */
  async send(message: MailMessage): Promise<void> {
    // NOTE: warn, not info: an undelivered mail is something an operator must see even
    // at a quiet log level.
    this.log.warn({ mail: message }, 'SMTP is not enabled: the mail was written to the log instead of being sent');
  }
}

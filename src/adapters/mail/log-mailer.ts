/**
 * Mailers for nodes without SMTP. By default a mail is withheld and only the fact is
 * logged (what kind, to whom, its subject); with `--dev` the whole message is logged, so
 * a developer can follow a link or read a code. A mail is never dropped silently.
 */
import type { Mailer, MailMessage } from '../../core/mail/mailer.js';

/** The part of a pino logger the log mailers need. */
export interface MailLog {
  warn(entry: object, message: string): void;
}

/**
 * LogMailer logs at level warn that a mail was not sent: its kind, recipients and subject.
 *
 * SECURITY: never its body. A reset link, a verification link or an OTP code in the log
 * would give whoever reads the logs (a log shipper, a shared console) the account.
 */
export class LogMailer implements Mailer {
  constructor(private readonly log: MailLog) {}

  /** Logs that the message was withheld, without its content. */
  async send(message: MailMessage): Promise<void> {
    // NOTE: warn, not info: an undelivered mail is something an operator must see even
    // at a quiet log level.
    const mail = { kind: message.kind ?? 'other', to: message.to, subject: message.subject };
    this.log.warn({ mail }, 'SMTP is not enabled: the mail was not sent (start with --dev to log its content)');
  }
}

/** DevLogMailer logs every message in full at level warn (`--dev` only). */
export class DevLogMailer implements Mailer {
  constructor(private readonly log: MailLog) {}

  /** Logs the message: kind, sender, recipients, subject, HTML and text bodies. */
  async send(message: MailMessage): Promise<void> {
    this.log.warn({ mail: message }, 'SMTP is not enabled: the mail was written to the log instead of being sent');
  }
}

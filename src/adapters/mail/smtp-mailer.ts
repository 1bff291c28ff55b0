/**
 * A Mailer that delivers over SMTP with nodemailer.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Mailer, MailMessage } from '../../core/mail/mailer.js';
import type { SmtpOptions } from '../../core/mail/smtp-options.js';

/** SmtpMailer sends each message over a fresh SMTP connection. */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(options: SmtpOptions) {
    this.transport = nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.tls,
      auth: options.username ? { user: options.username, pass: options.password, ...(options.authMethod ? { method: options.authMethod } : {}) } : undefined,
      name: options.localName || undefined,
      // NOTE: nodemailer waits up to two minutes by default; a request-* flow should
      // learn about a dead server sooner than that.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  }

  /** Sends one message; rejects with the SMTP error when the server refuses it. */
  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({
      from: message.from,
      to: message.to,
      subject: message.subject,
      html: message.html,
      text: message.text,
      ...(message.headers ? { headers: message.headers } : {}),
    });
  }
}

/**
 * The Mailer port: how the core hands a finished message to whatever delivers
 * it (SMTP, or the log when no SMTP server is configured).
 */

/** A mail address with an optional display name. */
export interface MailAddress {
  address: string;
  name?: string;
}

/** A MailMessage is one rendered email, ready to send. */
export interface MailMessage {
  /** What the mail is for (`verification`, `password-reset`, `otp`, …), for logs. */
  kind?: string;
  from: MailAddress;
  to: MailAddress[];
  subject: string;
  /** The HTML body. */
  html: string;
  /** The plain-text alternative of the HTML body. */
  text: string;
  /** Extra headers (a mail hook may add them). */
  headers?: Record<string, string>;
}

/** A Mailer delivers messages; it rejects when the message could not be handed over. */
export interface Mailer {
  /** Sends one message; resolves once the transport has accepted it. */
  send(message: MailMessage): Promise<void>;
}

/**
 * `app.newMailClient()` (docs/hooks.md §4, PocketBase's `$app.newMailClient()`):
 * sends a mail of app code through the node's mailer — SMTP from the settings or
 * the configuration, else the mail log — from the settings' sender by default.
 */
import type { MailAddress, Mailer } from '../core/mail/mailer.js';
import type { Settings } from '../core/settings/settings.js';

/** A mail of app code. */
export interface AppMailMessage {
  /** The settings' sender (meta.senderName, meta.senderAddress) when absent. */
  from?: MailAddress;
  to: MailAddress[] | MailAddress;
  subject: string;
  html?: string;
  text?: string;
}

/** The mail client of app code. */
export interface AppMailClient {
  /** Sends one mail; resolves once the transport accepted it. */
  send(message: AppMailMessage): Promise<void>;
}

/** A mail client over `mailer` with the sender of the current settings. */
export function createAppMailClient(mailer: Mailer, settings: () => Settings): AppMailClient {
  return {
    async send(message) {
      if (!message || typeof message.subject !== 'string') throw new TypeError('a mail needs a subject');
      const to = Array.isArray(message.to) ? message.to : [message.to];
      if (to.length === 0 || to.some((a) => !a || typeof a.address !== 'string' || a.address === '')) throw new TypeError('a mail needs at least one recipient address');
      const meta = settings().meta;
      await mailer.send({
        kind: 'app',
        from: message.from ?? { address: meta.senderAddress, name: meta.senderName },
        to,
        subject: message.subject,
        html: message.html ?? '',
        text: message.text ?? '',
      });
    },
  };
}

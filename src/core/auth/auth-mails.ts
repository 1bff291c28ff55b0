/**
 * The mails of the auth flows (spec §5.6, §5.8): each is rendered from the
 * collection's template with the application's name and URL, and handed to the
 * Mailer from the configured sender.
 */
import type { AuthCollection, EmailTemplate } from '../collections/collection.js';
import type { Mailer } from '../mail/mailer.js';
import { renderMailTemplate, type TemplateValues } from '../mail/mail-template.js';
import type { RecordValues } from '../records/record-store.js';
import type { Settings } from '../settings/settings.js';

/** AuthMails renders and sends the auth flows' mails. */
export class AuthMails {
  constructor(private readonly deps: { mailer: Mailer; settings: () => Settings }) {}

  /** The email-verification mail with its token (spec §5.8). */
  verification(c: AuthCollection, record: RecordValues, token: string): Promise<void> {
    return this.send(c, c.verificationTemplate, String(record.email), record, { token });
  }

  /** The password-reset mail with its token (spec §5.8). */
  passwordReset(c: AuthCollection, record: RecordValues, token: string): Promise<void> {
    return this.send(c, c.resetPasswordTemplate, String(record.email), record, { token });
  }

  /** The email-change confirmation, sent to the new address (spec §5.8). */
  emailChange(c: AuthCollection, record: RecordValues, newEmail: string, token: string): Promise<void> {
    return this.send(c, c.confirmEmailChangeTemplate, newEmail, record, { token });
  }

  /** The one-time password mail (spec §5.6). */
  otp(c: AuthCollection, record: RecordValues, to: string, otpId: string, otp: string): Promise<void> {
    return this.send(c, c.otp.emailTemplate, to, record, { otp, otpId });
  }

  /** The new-location sign-in alert (spec §5.1). */
  authAlert(c: AuthCollection, record: RecordValues, alertInfo: string): Promise<void> {
    return this.send(c, c.authAlert.emailTemplate, String(record.email), record, { alertInfo });
  }

  private send(c: AuthCollection, template: EmailTemplate, to: string, record: RecordValues, extra: Partial<TemplateValues>): Promise<void> {
    const { meta } = this.deps.settings();
    const rendered = renderMailTemplate(template, {
      appName: meta.appName,
      appURL: meta.appURL,
      record: { collection: c, values: record },
      ...extra,
    });
    return this.deps.mailer.send({
      from: { name: meta.senderName, address: meta.senderAddress },
      to: [{ address: to }],
      ...rendered,
    });
  }
}

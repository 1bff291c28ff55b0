/**
 * The mails of the auth flows (docs/api.md §5.6, §5.8): each is rendered from the
 * collection's template with the application's name and URL, and handed to the
 * Mailer from the configured sender.
 */
import type { AuthCollection, EmailTemplate } from '../collections/collection.js';
import type { Mailer } from '../mail/mailer.js';
import { MailHooks, sendRecordMail, type RecordMailHook } from '../mail/mail-hooks.js';
import { RecordModel } from '../records/record-model.js';
import { renderMailTemplate, type TemplateValues } from '../mail/mail-template.js';
import type { RecordValues } from '../records/record-store.js';
import type { Settings } from '../settings/settings.js';
import { randomInt } from 'node:crypto';
import { randomId } from '../../tools/ids.js';
import { signRecordToken } from './auth-token.js';

/** The templates `POST /api/settings/test/email` can send (docs/api.md §9). */
export const TEST_TEMPLATES = ['verification', 'password-reset', 'email-change', 'otp', 'login-alert'] as const;

/** One of TEST_TEMPLATES. */
export type TestTemplate = (typeof TEST_TEMPLATES)[number];

/** AuthMails renders and sends the auth flows' mails. */
export class AuthMails {
  private readonly hooks: MailHooks;

  constructor(private readonly deps: { mailer: Mailer; settings: () => Settings; hooks?: MailHooks }) {
    this.hooks = deps.hooks ?? new MailHooks();
  }

  /** The email-verification mail with its token (docs/api.md §5.8). */
  verification(c: AuthCollection, record: RecordValues, token: string): Promise<void> {
    return this.send('verification', c, c.verificationTemplate, String(record.email), record, { token }, 'onMailerRecordVerificationSend', { token });
  }

  /** The password-reset mail with its token (docs/api.md §5.8). */
  passwordReset(c: AuthCollection, record: RecordValues, token: string): Promise<void> {
    return this.send('password-reset', c, c.resetPasswordTemplate, String(record.email), record, { token }, 'onMailerRecordPasswordResetSend', { token });
  }

  /** The email-change confirmation, sent to the new address (docs/api.md §5.8). */
  emailChange(c: AuthCollection, record: RecordValues, newEmail: string, token: string): Promise<void> {
    return this.send('email-change', c, c.confirmEmailChangeTemplate, newEmail, record, { token }, 'onMailerRecordEmailChangeSend', { token, newEmail });
  }

  /** The one-time password mail (docs/api.md §5.6). */
  otp(c: AuthCollection, record: RecordValues, to: string, otpId: string, otp: string): Promise<void> {
    return this.send('otp', c, c.otp.emailTemplate, to, record, { otp, otpId }, 'onMailerRecordOTPSend', { otpId, password: otp });
  }

  /** The new-location sign-in alert (docs/api.md §5.1). */
  authAlert(c: AuthCollection, record: RecordValues, alertInfo: string): Promise<void> {
    return this.send('login-alert', c, c.authAlert.emailTemplate, String(record.email), record, { alertInfo }, 'onMailerRecordAuthAlertSend', { info: alertInfo });
  }

  /**
   * Sends one of the templates to `to` with sample values, for `POST /api/settings/test/email`
   * (docs/api.md §9). The sample record does not exist, so its token opens nothing.
   */
  async test(c: AuthCollection, template: TestTemplate, to: string): Promise<void> {
    const record: RecordValues = { id: randomId(15), email: to, tokenKey: randomId(50) };
    const claims = { id: String(record.id), collectionId: c.id, email: to };
    const token = (type: 'verification' | 'passwordReset' | 'emailChange') => signRecordToken(c, String(record.tokenKey), { ...claims, type, ...(type === 'emailChange' ? { newEmail: to } : {}) });
    switch (template) {
      case 'verification': return this.verification(c, record, await token('verification'));
      case 'password-reset': return this.passwordReset(c, record, await token('passwordReset'));
      case 'email-change': return this.emailChange(c, record, to, await token('emailChange'));
      case 'otp': return this.otp(c, record, to, randomId(15), '0'.repeat(c.otp.length).replace(/0/g, () => String(randomInt(10))));
      case 'login-alert': return this.authAlert(c, record, '127.0.0.1 Test browser');
    }
  }

  private send(
    kind: TestTemplate, c: AuthCollection, template: EmailTemplate, to: string, record: RecordValues, extra: Partial<TemplateValues>,
    hook: RecordMailHook, hookMeta: Record<string, unknown>,
  ): Promise<void> {
    const { meta } = this.deps.settings();
    const rendered = renderMailTemplate(template, {
      appName: meta.appName,
      appURL: meta.appURL,
      record: { collection: c, values: record },
      ...extra,
    });
    const message = { kind, from: { name: meta.senderName, address: meta.senderAddress }, to: [{ address: to }], ...rendered };
    return sendRecordMail(this.hooks, hook, this.deps.mailer, message, () => RecordModel.fromStored(c, record), hookMeta);
  }
}

/**
 * The default email templates of a new auth collection (docs/api.md §2.1). Placeholders
 * are replaced when a mail is sent: `{APP_NAME}`, `{APP_URL}`, `{TOKEN}`, `{OTP}`,
 * `{OTP_ID}`, `{ALERT_INFO}` and `{RECORD:fieldName}`.
 */
import type { EmailTemplate } from './collection.js';

// NOTE: the links point at the dashboard's confirm pages under `/_/#/auth/…`, the
// paths PocketBase's templates use, so existing front ends and mails keep working.

/** The default subject and body of the email-verification mail. */
export function defaultVerificationTemplate(): EmailTemplate {
  return {
    subject: 'Verify your {APP_NAME} email',
    body:
      '<p>Hello,</p>\n' +
      '<p>Thanks for signing up to {APP_NAME}. Please confirm your email address with the button below.</p>\n' +
      '<p>\n  <a class="btn" href="{APP_URL}/_/#/auth/confirm-verification/{TOKEN}" target="_blank" rel="noopener">Verify email</a>\n</p>\n' +
      '<p>Regards,<br/>\n{APP_NAME} team</p>',
  };
}

/** The default subject and body of the password-reset mail. */
export function defaultResetPasswordTemplate(): EmailTemplate {
  return {
    subject: 'Reset your {APP_NAME} password',
    body:
      '<p>Hello,</p>\n' +
      '<p>Someone asked to reset the password of your {APP_NAME} account. Use the button below to choose a new one.</p>\n' +
      '<p>\n  <a class="btn" href="{APP_URL}/_/#/auth/confirm-password-reset/{TOKEN}" target="_blank" rel="noopener">Reset password</a>\n</p>\n' +
      '<p><i>If you did not ask for this, you can ignore this email and your password stays the same.</i></p>\n' +
      '<p>Regards,<br/>\n{APP_NAME} team</p>',
  };
}

/** The default subject and body of the email-change confirmation mail. */
export function defaultConfirmEmailChangeTemplate(): EmailTemplate {
  return {
    subject: 'Confirm your {APP_NAME} new email address',
    body:
      '<p>Hello,</p>\n' +
      '<p>Please confirm the new email address of your {APP_NAME} account with the button below.</p>\n' +
      '<p>\n  <a class="btn" href="{APP_URL}/_/#/auth/confirm-email-change/{TOKEN}" target="_blank" rel="noopener">Confirm new email</a>\n</p>\n' +
      '<p><i>If you did not ask for this change, you can ignore this email.</i></p>\n' +
      '<p>Regards,<br/>\n{APP_NAME} team</p>',
  };
}

/** The default subject and body of the one-time-password mail. */
export function defaultOtpTemplate(): EmailTemplate {
  return {
    subject: 'OTP for {APP_NAME}',
    body:
      '<p>Hello,</p>\n' +
      '<p>Your one-time password is: <strong>{OTP}</strong></p>\n' +
      '<p><i>If you did not ask for a one-time password, you can ignore this email.</i></p>\n' +
      '<p>Regards,<br/>\n{APP_NAME} team</p>',
  };
}

/** The default subject and body of the new-login alert mail. */
export function defaultAuthAlertTemplate(): EmailTemplate {
  return {
    subject: 'Login from a new location',
    body:
      '<p>Hello,</p>\n' +
      '<p>We noticed a login to your {APP_NAME} account from a new location:</p>\n' +
      '<p><em>{ALERT_INFO}</em></p>\n' +
      '<p><strong>If this was not you, change your {APP_NAME} password right away to revoke access from all other locations.</strong></p>\n' +
      '<p>If this was you, you can ignore this email.</p>\n' +
      '<p>Regards,<br/>\n{APP_NAME} team</p>',
  };
}

/**
 * The SMTP server the mailer uses: the `smtp` settings (docs/api.md §9), with the
 * operator's `PLINTH_SMTP_*` environment overriding them key by key.
 */
import type { Settings } from '../settings/settings.js';
import type { SmtpOverride } from '../../config/config.js';

/** Where and how to deliver over SMTP. */
export interface SmtpOptions {
  host: string;
  port: number;
  username: string;
  password: string;
  /** Implicit TLS from the first byte (port 465); otherwise STARTTLS when offered. */
  tls: boolean;
  /** `PLAIN` or `LOGIN`; empty lets the client choose. */
  authMethod: string;
  /** The name sent in EHLO; empty uses the machine's. */
  localName: string;
}

/**
 * The SMTP options in force, or null when mail goes to the log instead. A host
 * set in the environment enables SMTP whatever the settings say, so a deployment
 * can be configured without touching the database.
 */
export function resolveSmtpOptions(smtp: Settings['smtp'], override: SmtpOverride = {}): SmtpOptions | null {
  const enabled = override.host !== undefined || smtp.enabled;
  if (!enabled) return null;
  return {
    host: override.host ?? smtp.host,
    port: override.port ?? smtp.port,
    username: override.username ?? smtp.username,
    password: override.password ?? smtp.password,
    tls: override.tls ?? smtp.tls,
    authMethod: smtp.authMethod,
    localName: smtp.localName,
  };
}

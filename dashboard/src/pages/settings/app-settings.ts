/**
 * The settings object of `GET /api/settings` (docs/api.md §9), as the dashboard edits it: the
 * server's own type, imported as a type only (nothing of the server is bundled). Secrets (the
 * SMTP password, the S3 secrets) come back blank; a blank one is never sent back.
 */
import type { RateLimitRule, S3Settings, Settings } from '../../../../src/core/settings/settings.js';

export type { RateLimitRule, S3Settings };
export type AppSettings = Settings;

/** What a section saves: some top-level keys of the settings. */
export type SettingsPatch = Partial<{ [K in keyof AppSettings]: unknown }>;

/** An S3 block to send: without its secret when left blank, so the saved one is kept. */
export function s3Patch(s3: S3Settings): Partial<S3Settings> {
  const { secret, ...rest } = s3;
  return secret ? { ...rest, secret } : rest;
}

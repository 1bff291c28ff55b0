/**
 * The settings object of `GET /api/settings` (docs/api.md §9), as the dashboard edits it.
 * Secrets (the SMTP password, the S3 secrets) come back blank; a blank one is never sent back.
 */

/** One rate-limit rule (docs/api.md §1.9). */
export interface RateLimitRule {
  label: string;
  audience: '' | '@guest' | '@auth';
  duration: number;
  maxRequests: number;
}

/** An S3 bucket: record files (`s3`) or backups (`backups.s3`). */
export interface S3Settings {
  enabled: boolean;
  bucket: string;
  region: string;
  endpoint: string;
  accessKey: string;
  secret: string;
  forcePathStyle: boolean;
}

export interface AppSettings {
  meta: { appName: string; appURL: string; senderName: string; senderAddress: string; hideControls: boolean; accentColor: string };
  logs: { maxDays: number; minLevel: number; logIP: boolean; logAuthId: boolean; maxDataSize: number };
  smtp: { enabled: boolean; host: string; port: number; username: string; password: string; authMethod: string; tls: boolean; localName: string };
  s3: S3Settings;
  backups: { cron: string; cronMaxKeep: number; s3: S3Settings };
  batch: { enabled: boolean; maxRequests: number; timeout: number; maxBodySize: number };
  rateLimits: { enabled: boolean; rules: RateLimitRule[]; excludedIPs: string[] };
  trustedProxy: { headers: string[]; useLeftmostIP: boolean };
  superuserIPs: string[];
}

/** What a section saves: some top-level keys of the settings. */
export type SettingsPatch = Partial<{ [K in keyof AppSettings]: unknown }>;

/** An S3 block to send: without its secret when left blank, so the saved one is kept. */
export function s3Patch(s3: S3Settings): Partial<S3Settings> {
  const { secret, ...rest } = s3;
  return secret ? { ...rest, secret } : rest;
}

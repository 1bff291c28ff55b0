/**
 * The application settings of docs/api.md §9 (`GET/PATCH /api/settings`), with their
 * defaults. Secrets (SMTP password, S3 secrets) are never returned to clients.
 */

/** A rate-limit rule (docs/api.md §1.9). */
export interface RateLimitRule {
  label: string;
  audience: '' | '@guest' | '@auth';
  duration: number;
  maxRequests: number;
}

/** S3-compatible storage settings. */
export interface S3Settings {
  enabled: boolean;
  bucket: string;
  region: string;
  endpoint: string;
  accessKey: string;
  secret: string;
  forcePathStyle: boolean;
}

/** Every setting of the application. */
export interface Settings {
  meta: { appName: string; appURL: string; senderName: string; senderAddress: string; hideControls: boolean; accentColor: string };
  /** Log storage (docs/operations.md §Logs); `maxDataSize` is PocketBase v0.40's cap of an entry's `data` in bytes. */
  logs: { maxDays: number; minLevel: number; logIP: boolean; logAuthId: boolean; maxDataSize: number };
  smtp: { enabled: boolean; host: string; port: number; username: string; password: string; authMethod: string; tls: boolean; localName: string };
  s3: S3Settings;
  backups: { cron: string; cronMaxKeep: number; s3: S3Settings };
  batch: { enabled: boolean; maxRequests: number; timeout: number; maxBodySize: number };
  rateLimits: { enabled: boolean; rules: RateLimitRule[]; excludedIPs: string[] };
  trustedProxy: { headers: string[]; useLeftmostIP: boolean };
  superuserIPs: string[];
}

function s3Defaults(): S3Settings {
  return { enabled: false, bucket: '', region: '', endpoint: '', accessKey: '', secret: '', forcePathStyle: false };
}

/** The settings of a new installation. */
export function defaultSettings(): Settings {
  return {
    meta: { appName: 'Plinth', appURL: 'http://127.0.0.1:8090', senderName: 'Support', senderAddress: 'support@example.com', hideControls: false, accentColor: '' },
    logs: { maxDays: 5, minLevel: 0, logIP: true, logAuthId: false, maxDataSize: 16 * 1024 },
    smtp: { enabled: false, host: 'smtp.example.com', port: 587, username: '', password: '', authMethod: '', tls: false, localName: '' },
    s3: s3Defaults(),
    backups: { cron: '', cronMaxKeep: 3, s3: s3Defaults() },
    batch: { enabled: false, maxRequests: 50, timeout: 3, maxBodySize: 128 * 1024 * 1024 },
    rateLimits: {
      enabled: false,
      rules: [
        { label: '*:auth', audience: '', duration: 3, maxRequests: 2 },
        { label: '*:create', audience: '', duration: 5, maxRequests: 20 },
        { label: '/api/batch', audience: '', duration: 1, maxRequests: 3 },
        { label: '/api/', audience: '', duration: 10, maxRequests: 300 },
      ],
      excludedIPs: [],
    },
    trustedProxy: { headers: [], useLeftmostIP: false },
    superuserIPs: [],
  };
}

/** The settings as a client sees them: secrets blanked. */
export function publicSettings(s: Settings): Settings {
  return {
    ...s,
    smtp: { ...s.smtp, password: '' },
    s3: { ...s.s3, secret: '' },
    backups: { ...s.backups, s3: { ...s.backups.s3, secret: '' } },
  };
}

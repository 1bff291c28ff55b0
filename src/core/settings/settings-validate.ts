/**
 * Validates settings before they are saved; errors nest like the settings
 * object (`data.smtp.host.code`).
 */
import { type ErrorData } from '../../errors/app-error.js';
import type { RateLimitRule, S3Settings, Settings } from './settings.js';
import { isIpOrCidr } from '../../tools/ip-list.js';
import { codeError } from '../../errors/code-error.js';
import { parseCronExpression } from '../jobs/cron-expression.js';

const required = () => codeError('validation_required');
const invalid = () => codeError('validation_invalid_value');

/** Returns per-setting errors, or null when the settings are valid. */
export function validateSettings(s: Settings): ErrorData | null {
  const errors: ErrorData = {};
  const meta: ErrorData = {};
  if (!s.meta.appName.trim()) meta.appName = required();
  if (!isUrl(s.meta.appURL)) meta.appURL = codeError('validation_invalid_url');
  if (!s.meta.senderName.trim()) meta.senderName = required();
  if (!/^[^\s@]+@[^\s@]+$/.test(s.meta.senderAddress)) meta.senderAddress = codeError('validation_is_email');
  add(errors, 'meta', meta);

  const smtp: ErrorData = {};
  if (s.smtp.enabled && !s.smtp.host.trim()) smtp.host = required();
  if (s.smtp.enabled && !(Number.isInteger(s.smtp.port) && s.smtp.port > 0 && s.smtp.port < 65536)) smtp.port = invalid();
  if (!['', 'PLAIN', 'LOGIN'].includes(s.smtp.authMethod)) smtp.authMethod = codeError('validation_in_invalid');
  add(errors, 'smtp', smtp);

  add(errors, 'logs', validateLogs(s.logs));
  add(errors, 's3', validateS3(s.s3));
  const backups: ErrorData = {};
  if (!(Number.isInteger(s.backups.cronMaxKeep) && s.backups.cronMaxKeep >= 1)) backups.cronMaxKeep = invalid();
  // Scheduled backups (docs/operations.md, Backups): five cron fields or a macro, '' for none.
  if (s.backups.cron !== '' && !isCronExpression(s.backups.cron)) backups.cron = invalid();
  add(backups, 's3', validateS3(s.backups.s3));
  add(errors, 'backups', backups);

  const batch: ErrorData = {};
  if (!(Number.isInteger(s.batch.maxRequests) && s.batch.maxRequests >= 1)) batch.maxRequests = invalid();
  if (!(Number.isInteger(s.batch.timeout) && s.batch.timeout >= 1)) batch.timeout = invalid();
  if (!(Number.isInteger(s.batch.maxBodySize) && s.batch.maxBodySize >= 0)) batch.maxBodySize = invalid();
  add(errors, 'batch', batch);

  const rules: ErrorData = {};
  s.rateLimits.rules.forEach((r, i) => add(rules, String(i), validateRule(r)));
  const rateLimits: ErrorData = {};
  add(rateLimits, 'rules', rules);
  add(rateLimits, 'excludedIPs', validateIpList(s.rateLimits.excludedIPs));
  add(errors, 'rateLimits', rateLimits);
  add(errors, 'superuserIPs', validateIpList(s.superuserIPs));
  return Object.keys(errors).length > 0 ? errors : null;
}

/** PocketBase's bounds of `settings.logs` (docs/operations.md §Logs). */
function validateLogs(logs: Settings['logs']): ErrorData {
  const errors: ErrorData = {};
  if (!(Number.isInteger(logs.maxDays) && logs.maxDays >= 0 && logs.maxDays <= 10_000)) errors.maxDays = invalid();
  if (!(Number.isInteger(logs.minLevel) && logs.minLevel >= -100 && logs.minLevel <= 100)) errors.minLevel = invalid();
  if (!(Number.isInteger(logs.maxDataSize) && logs.maxDataSize >= 0)) errors.maxDataSize = invalid();
  return errors;
}

function validateS3(s3: S3Settings): ErrorData {
  const errors: ErrorData = {};
  if (!s3.enabled) return errors;
  if (!s3.bucket) errors.bucket = required();
  if (!s3.region) errors.region = required();
  if (!isUrl(s3.endpoint)) errors.endpoint = codeError('validation_invalid_url');
  if (!s3.accessKey) errors.accessKey = required();
  if (!s3.secret) errors.secret = required();
  return errors;
}

function validateRule(r: RateLimitRule): ErrorData {
  const errors: ErrorData = {};
  if (!/^(\*|\w+):\w+$|^(GET |POST |PUT |PATCH |DELETE |HEAD )?\/\S*$/.test(r.label)) errors.label = invalid();
  if (!['', '@guest', '@auth'].includes(r.audience)) errors.audience = codeError('validation_in_invalid');
  if (!(Number.isInteger(r.duration) && r.duration >= 1)) errors.duration = invalid();
  if (!(Number.isInteger(r.maxRequests) && r.maxRequests >= 1)) errors.maxRequests = invalid();
  return errors;
}

function add(parent: ErrorData, key: string, child: ErrorData): void {
  if (Object.keys(child).length > 0) parent[key] = child;
}

function isUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Each entry of an IP list must be an IP address or a CIDR range (errors keyed by index). */
function validateIpList(list: string[]): ErrorData {
  const errors: ErrorData = {};
  list.forEach((entry, i) => {
    if (!isIpOrCidr(entry)) errors[String(i)] = invalid();
  });
  return errors;
}

function isCronExpression(value: unknown): boolean {
  try {
    parseCronExpression(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Apple client secret generator of `POST /api/settings/apple/generate-client-secret`
 * (docs/api.md §9), as PocketBase's form: Sign in with Apple
 * takes as client secret an ES256 JWT signed with the developer's private key, which
 * expires within six months.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { AppError, badRequest, type ErrorData } from '../../../errors/app-error.js';
import { codeError } from '../../../errors/code-error.js';
import { lazyModule } from '../../../tools/lazy-module.js';

const joseSign = lazyModule(() => import('jose/jwt/sign'));

/** The longest a secret may stay valid, in seconds (about six months, Apple's limit). */
export const MAX_APPLE_SECRET_DURATION = 15_777_000;

/** The audience Apple expects in a client secret. */
const APPLE_AUDIENCE = 'https://appleid.apple.com';

const PEM_BEGIN = '-----BEGIN PRIVATE KEY----';
const PEM_END = '-----END PRIVATE KEY-----';

/** A checked generator form. */
interface AppleSecretForm {
  clientId: string;
  teamId: string;
  keyId: string;
  privateKey: string;
  duration: number;
}

/**
 * Generates a client secret from a request body: each bad field is a 400 naming it, a key
 * that is not a P-256 PKCS#8 key a 400 quoting why. The key is used once and never kept.
 */
export async function generateAppleClientSecret(body: Record<string, unknown>): Promise<string> {
  const form = checkForm(body);
  let key: KeyObject;
  try {
    key = createPrivateKey(form.privateKey.trim());
  } catch (err) {
    throw rawError(err instanceof Error ? err.message : String(err));
  }
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1') throw rawError('the private key must be an ECDSA P-256 key');
  const { SignJWT } = await joseSign();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: form.keyId, typ: 'JWT' })
    .setIssuer(form.teamId)
    .setSubject(form.clientId)
    .setAudience([APPLE_AUDIENCE])
    .setIssuedAt(now)
    .setExpirationTime(now + form.duration)
    .sign(key);
}

function rawError(message: string): AppError {
  return badRequest(`Failed to generate client secret. Raw error: \n${message}`);
}

/** PocketBase's validation of the form, field by field. */
function checkForm(body: Record<string, unknown>): AppleSecretForm {
  const errors: ErrorData = {};
  const text = (key: string, exactLength?: number): string => {
    const value = body[key];
    if (value !== undefined && value !== null && typeof value !== 'string') {
      errors[key] = codeError('validation_not_a_string');
      return '';
    }
    const s = value ?? '';
    if (s === '') errors[key] = codeError('validation_required');
    else if (exactLength !== undefined && [...s].length !== exactLength) errors[key] = codeError('validation_length_invalid', { min: exactLength });
    return s;
  };
  const clientId = text('clientId');
  const teamId = text('teamId', 10);
  const keyId = text('keyId', 10);
  const privateKey = text('privateKey');
  if (privateKey !== '' && !errors.privateKey && !looksLikePem(privateKey)) errors.privateKey = codeError('validation_match_invalid');
  const duration = checkDuration(body.duration, errors);
  if (Object.keys(errors).length > 0) throw new AppError(400, 'Invalid client secret data.', errors);
  return { clientId, teamId, keyId, privateKey, duration };
}

/** Whether the text holds a PKCS#8 PEM block (PocketBase's pattern, without a regular expression). */
function looksLikePem(text: string): boolean {
  const begin = text.indexOf(PEM_BEGIN);
  return begin >= 0 && text.lastIndexOf(PEM_END) > begin + PEM_BEGIN.length;
}

function checkDuration(value: unknown, errors: ErrorData): number {
  if (value === undefined || value === null || value === 0) {
    errors.duration = codeError('validation_required');
  } else if (typeof value !== 'number' || !Number.isFinite(value)) {
    errors.duration = codeError('validation_not_a_number');
  } else if (!Number.isInteger(value)) {
    errors.duration = codeError('validation_only_int_constraint');
  } else if (value < 1) {
    errors.duration = codeError('validation_min_greater_equal_than_required', { threshold: 1 });
  } else if (value > MAX_APPLE_SECRET_DURATION) {
    errors.duration = codeError('validation_max_less_equal_than_required', { threshold: MAX_APPLE_SECRET_DURATION });
  } else {
    return value;
  }
  return 0;
}

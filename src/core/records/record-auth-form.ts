/**
 * The auth-record form rules of docs/api.md §3.7: password and passwordConfirm on
 * create; oldPassword, email and verified on update; and password hashing done
 * before a write's transaction opens.
 */
import type { Executor } from '../../db/database.js';
import { type ErrorData } from '../../errors/app-error.js';
import type { Collection } from '../collections/collection.js';
import { checkPassword, hashPassword } from '../auth/password-hash.js';
import type { RequestInfo } from '../rules/request-info.js';
import type { RecordAccess } from './record-access.js';
import { plainPassword, type ResolvedBody } from './record-body.js';
import type { RecordValues } from './record-store.js';
import { codeError } from '../../errors/code-error.js';

/** Checks password and passwordConfirm of a new auth record. */
export function validateAuthCreate(c: Collection, resolved: ResolvedBody, errors: ErrorData): void {
  if (c.type !== 'auth') return;
  if (!resolved.touched.has('password') || resolved.values.password === '') errors.password ??= codeError('validation_required');
  const confirm = plainPassword(resolved.extras.passwordConfirm);
  if (confirm === '') errors.passwordConfirm = codeError('validation_required');
  else if (confirm !== resolved.values.password) errors.passwordConfirm = mismatch();
}

/**
 * The auth form rules of an update (docs/api.md §3.7, PocketBase's RecordUpsert): a password
 * change needs `passwordConfirm`, and `oldPassword` from non-managers; sending only
 * `passwordConfirm` or `oldPassword` still asks for the password.
 */
export async function validateAuthUpdate(access: RecordAccess, trx: Executor, c: Collection, old: RecordValues, resolved: ResolvedBody, password: string, req: RequestInfo, errors: ErrorData): Promise<void> {
  const manager = await access.canManage(trx, c, old, true, req);
  const v = resolved.values;
  if (!manager) {
    if (v.email !== old.email) errors.email = mismatch();
    if (v.verified !== old.verified) errors.verified = mismatch();
  }
  const confirm = plainPassword(resolved.extras.passwordConfirm);
  const oldPassword = plainPassword(resolved.extras.oldPassword);
  const blank = () => codeError('validation_required');
  if (password === '' && (confirm !== '' || oldPassword !== '')) errors.password ??= blank();
  if (confirm === '' && (password !== '' || oldPassword !== '')) errors.passwordConfirm = blank();
  else if (password !== '' && confirm !== password) errors.passwordConfirm = mismatch();
  if (manager || (password === '' && confirm === '')) return;
  if (oldPassword === '') errors.oldPassword = blank();
  else if (!(await checkPassword(String(old.password), oldPassword)).ok) {
    errors.oldPassword = codeError('validation_invalid_old_password');
  }
}

/**
 * Hashes the plain passwords a body submits before the write's transaction opens:
 * argon2 takes tens of milliseconds, and on SQLite the transaction holds the only
 * connection. A hash of a body that then fails validation is simply dropped.
 */
export async function prehashPasswords(c: Collection, body: Record<string, unknown>): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const f of c.fields) {
    const plain = plainPassword(body[f.name]);
    if (isHashable(f.type, plain)) hashes.set(plain, await hashPassword(plain));
  }
  return hashes;
}

/** Whether prehashPasswords would hash anything of `body`. */
export function hasPasswordToHash(c: Collection, body: Record<string, unknown>): boolean {
  return c.fields.some((f) => isHashable(f.type, plainPassword(body[f.name])));
}

function isHashable(type: string, plain: string): boolean {
  return type === 'password' && plain !== '' && plain.length <= 256;
}

/** Replaces the plain passwords the body set with their hashes. */
export function applyHashes(c: Collection, values: RecordValues, touched: ReadonlySet<string>, hashes: Map<string, string>): void {
  for (const f of c.fields) {
    const plain = values[f.name];
    if (f.type !== 'password' || !touched.has(f.name) || typeof plain !== 'string' || plain === '') continue;
    const hash = hashes.get(plain);
    // The body went through validation (max ≤ 71 characters), so its plain text was hashed above.
    if (!hash) throw new Error('password was not hashed before the write');
    values[f.name] = hash;
  }
}

/**
 * The submitted new password of an auth update. An empty one means "no change"
 * (PocketBase ignores it), so the stored hash is kept and the field counts as untouched.
 */
export function keepPasswordIfEmpty(resolved: ResolvedBody, old: RecordValues): string {
  if (!resolved.touched.has('password')) return '';
  const password = plainPassword(resolved.values.password);
  if (password === '') {
    resolved.values.password = old.password;
    resolved.touched.delete('password');
  }
  return password;
}

/** The error of a value that must equal another. */
export function mismatch() {
  return codeError('validation_values_mismatch');
}

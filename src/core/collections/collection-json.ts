/**
 * The collection JSON clients see (docs/api.md §2.1): PocketBase's key order, only the
 * keys of the collection's type, and no secrets.
 */
import type { Collection, EmailTemplate, Field } from './collection.js';

const TOKEN_KEYS = ['authToken', 'passwordResetToken', 'emailChangeToken', 'verificationToken', 'fileToken'] as const;

/** The names of an auth collection's token settings, each holding a write-only `secret`. */
export const TOKEN_OPTION_KEYS: readonly string[] = TOKEN_KEYS;

/**
 * The public JSON of a collection. SECURITY: token `secret`s and OAuth2
 * `clientSecret`s are write-only and never leave the server, whoever asks.
 */
export function toPublicJSON(c: Collection): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: c.id,
    listRule: c.listRule,
    viewRule: c.viewRule,
    createRule: c.createRule,
    updateRule: c.updateRule,
    deleteRule: c.deleteRule,
    name: c.name,
    type: c.type,
    fields: (c.fields ?? []).map(fieldJSON),
    indexes: [...(c.indexes ?? [])],
    created: c.created,
    updated: c.updated,
    system: c.system,
  };
  if (c.type === 'view') out.viewQuery = c.viewQuery ?? '';
  if (c.type !== 'auth') return out;

  const oauth2 = c.oauth2;
  out.authRule = c.authRule ?? null;
  out.manageRule = c.manageRule ?? null;
  out.authAlert = { enabled: c.authAlert?.enabled ?? false, emailTemplate: template(c.authAlert?.emailTemplate) };
  out.oauth2 = {
    providers: (oauth2?.providers ?? []).map(providerJSON),
    mappedFields: {
      id: oauth2?.mappedFields?.id ?? '',
      name: oauth2?.mappedFields?.name ?? '',
      username: oauth2?.mappedFields?.username ?? '',
      avatarURL: oauth2?.mappedFields?.avatarURL ?? '',
    },
    enabled: oauth2?.enabled ?? false,
  };
  out.passwordAuth = {
    enabled: c.passwordAuth?.enabled ?? false,
    identityFields: [...(c.passwordAuth?.identityFields ?? [])],
  };
  out.mfa = { enabled: c.mfa?.enabled ?? false, duration: c.mfa?.duration ?? 0, rule: c.mfa?.rule ?? '' };
  out.otp = {
    enabled: c.otp?.enabled ?? false,
    duration: c.otp?.duration ?? 0,
    length: c.otp?.length ?? 0,
    emailTemplate: template(c.otp?.emailTemplate),
  };
  for (const key of TOKEN_KEYS) out[key] = { duration: c[key]?.duration ?? 0 };
  out.verificationTemplate = template(c.verificationTemplate);
  out.resetPasswordTemplate = template(c.resetPasswordTemplate);
  out.confirmEmailChangeTemplate = template(c.confirmEmailChangeTemplate);
  return out;
}

function template(t: EmailTemplate | undefined): EmailTemplate {
  return { subject: t?.subject ?? '', body: t?.body ?? '' };
}

// NOTE: PocketBase serialises each field through a map, so field keys come out
// sorted; clients diffing schemas (type generators, the dashboard) see the same.
function fieldJSON(f: Field): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(f).sort()) {
    const value = f[key];
    out[key] = value !== null && typeof value === 'object' ? structuredClone(value) : value;
  }
  return out;
}

function providerJSON(p: Record<string, unknown>): Record<string, unknown> {
  return {
    pkce: p.pkce ?? null,
    name: p.name ?? '',
    clientId: p.clientId ?? '',
    authURL: p.authURL ?? '',
    tokenURL: p.tokenURL ?? '',
    userInfoURL: p.userInfoURL ?? '',
    displayName: p.displayName ?? '',
    extra: p.extra && typeof p.extra === 'object' ? structuredClone(p.extra) : null,
  };
}

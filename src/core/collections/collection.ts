/**
 * The collection model: the JSON of docs/api.md §2.1 as the server keeps it. A
 * collection is a real table; its fields are its columns.
 */

/** The three kinds of collection. */
export type CollectionType = 'base' | 'auth' | 'view';

/** The names of the field types of docs/api.md §2.5. */
export type FieldTypeName =
  | 'text' | 'number' | 'bool' | 'email' | 'url' | 'editor' | 'date' | 'autodate'
  | 'select' | 'file' | 'relation' | 'json' | 'password' | 'geoPoint';

/**
 * A Field is one field definition: the common properties of docs/api.md §2.3 plus the
 * type's own options (`min`, `maxSelect`, `collectionId`, …) as flat keys.
 */
export interface Field {
  id: string;
  name: string;
  type: FieldTypeName;
  system: boolean;
  hidden: boolean;
  presentable: boolean;
  required?: boolean;
  help?: string;
  /** Who may read the field (docs/field-rules.md); absent: whoever the collection's rules let read the record. */
  readRule?: Rule;
  /** Who may set the field in a create or update body (docs/field-rules.md); absent: the collection's rules alone. */
  writeRule?: Rule;
  [option: string]: unknown;
}

/** A rule: null locks to superusers, "" lets everyone in, otherwise a filter expression. */
export type Rule = string | null;

/** An email template of an auth collection. */
export interface EmailTemplate {
  subject: string;
  body: string;
}

/** A token setting of an auth collection; `secret` is never returned to clients. */
export interface TokenConfig {
  duration: number;
  secret: string;
}

/** The options only auth collections carry (docs/api.md §2.1). */
export interface AuthOptions {
  authRule: Rule;
  manageRule: Rule;
  authAlert: { enabled: boolean; emailTemplate: EmailTemplate };
  oauth2: {
    enabled: boolean;
    mappedFields: { id: string; name: string; username: string; avatarURL: string };
    providers: Record<string, unknown>[];
  };
  passwordAuth: { enabled: boolean; identityFields: string[] };
  mfa: { enabled: boolean; duration: number; rule: string };
  otp: { enabled: boolean; duration: number; length: number; emailTemplate: EmailTemplate };
  authToken: TokenConfig;
  passwordResetToken: TokenConfig;
  emailChangeToken: TokenConfig;
  verificationToken: TokenConfig;
  fileToken: TokenConfig;
  verificationTemplate: EmailTemplate;
  resetPasswordTemplate: EmailTemplate;
  confirmEmailChangeTemplate: EmailTemplate;
}

/** A Collection as stored: common keys, plus `viewQuery` for views and AuthOptions for auth. */
export interface Collection extends Partial<AuthOptions> {
  id: string;
  name: string;
  type: CollectionType;
  system: boolean;
  listRule: Rule;
  viewRule: Rule;
  createRule: Rule;
  updateRule: Rule;
  deleteRule: Rule;
  fields: Field[];
  indexes: string[];
  created: string;
  updated: string;
  viewQuery?: string;
  /**
   * For a view: its columns that hold an auth record's email, each with the view
   * columns that decide who may see it. Derived from the view query on every save,
   * never taken from input, and never part of the collection JSON.
   */
  viewEmailGuards?: Record<string, EmailGuard>;
}

/** How one email column is guarded: what decides whether a viewer may see it (see email-visibility.ts). */
export interface EmailGuard {
  /** The column holding the row's `emailVisibility`; null when the row has none (then only owners and superusers see it). */
  visibility: string | null;
  /** The column holding the id of the auth record the email belongs to; null when unknown. */
  ownerId: string | null;
  /** The auth collection the email belongs to (an owner is a record of that collection). */
  ownerCollectionId: string;
}

/** An auth collection: every AuthOptions key is present. */
export type AuthCollection = Collection & AuthOptions & { type: 'auth' };

/** Tests whether a collection is an auth collection. */
export function isAuthCollection(c: Collection): c is AuthCollection {
  return c.type === 'auth';
}

/** The field of the given name (case-sensitive), or undefined. */
export function findField(c: Collection, name: string): Field | undefined {
  return c.fields.find((f) => f.name === name);
}

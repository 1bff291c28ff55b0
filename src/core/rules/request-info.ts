/**
 * RequestInfo is what a rule may know of the request (`@request.*`, docs/api.md §4.2).
 * The HTTP layer builds it; core code never sees an HTTP request.
 */
import type { Collection } from '../collections/collection.js';

/** The `@request.context` values of docs/api.md §3.9. */
export type RequestContext = 'default' | 'expand' | 'realtime' | 'protectedFile' | 'batch' | 'oauth2' | 'otp' | 'password';

/** The authenticated record of a request: its collection and its stored field values. */
export interface AuthInfo {
  collection: Collection;
  /** Field values as in the record JSON (all fields, hidden ones included). */
  record: Record<string, unknown>;
  /** The token the request carried, with its verified claims; absent for internal auth. */
  token?: { raw: string; claims: { refreshable?: boolean } };
}

/** RequestInfo is the request as rules see it. */
export interface RequestInfo {
  /** The signed-in record, or null for a guest. */
  auth: AuthInfo | null;
  /** Whether the signed-in record is a superuser (superusers bypass rules). */
  isSuperuser: boolean;
  method: string;
  context: RequestContext;
  /** First value of each query parameter. */
  query: Record<string, string>;
  /** Header names snake-cased and lower-cased (`X-Token` → `x_token`), first value. */
  headers: Record<string, string>;
  /** The normalised request body (record create/update: after modifiers and hidden-field stripping). */
  body: Record<string, unknown>;
  /** The client's IP address (after trusted proxies); absent for internal requests. */
  ip?: string;
}

/** A guest GET with nothing in it; a convenient base for tests and internal calls. */
export function guestRequest(overrides: Partial<RequestInfo> = {}): RequestInfo {
  return { auth: null, isSuperuser: false, method: 'GET', context: 'default', query: {}, headers: {}, body: {}, ...overrides };
}

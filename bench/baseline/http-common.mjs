/**
 * What both raw baseline servers share: minimal JSON HTTP plumbing and the record
 * JSON shape. Kept deliberately plain: the baselines measure the raw limit.
 */

import { createHmac, timingSafeEqual } from 'node:crypto';

export class HttpError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

export function send(res, status, body) {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

export function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > 1 << 20) reject(new HttpError(413, 'Request entity too large.'));
      else chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {});
      } catch {
        reject(new HttpError(400, 'Invalid JSON body.'));
      }
    });
    req.on('error', reject);
  });
}

export function toJson(c, row) {
  const out = { collectionId: c.id, collectionName: c.name };
  for (const f of c.fields) {
    if (f.type === 'password' || f.hidden) continue;
    if (c.type === 'auth' && f.name === 'email' && !row.emailVisibility) continue;
    out[f.name] = f.type === 'bool' ? row[f.name] === 1 || row[f.name] === true : row[f.name];
  }
  return out;
}

/** Checks a body against the collection's field types; unknown fields are ignored like Plinth does. */
export function validated(c, body) {
  const out = {};
  for (const [name, value] of Object.entries(body)) {
    const f = c.fieldTypes.get(name);
    if (!f || f.system || f.type === 'autodate') continue;
    const ok = f.type === 'number'
      ? typeof value === 'number' && Number.isFinite(value) && (!f.onlyInt || Number.isInteger(value))
      : typeof value === 'string' && (!f.max || value.length <= f.max);
    if (!ok) throw new HttpError(400, 'Failed to validate record.');
    out[name] = value;
  }
  return out;
}

/**
 * The unverified parts of an auth token and the auth collection it names, or null:
 * the caller loads the user row its own way, then calls `signatureMatches`.
 */
export function readToken(header, collections) {
  if (!header) return null;
  const [h, p, sig] = header.split('.');
  if (!sig) return null;
  let claims;
  try {
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const c = [...collections.values()].find((x) => x.id === claims.collectionId);
  if (!c || c.type !== 'auth' || claims.type !== 'auth' || !(claims.exp > Date.now() / 1000)) return null;
  return { c, claims, signed: `${h}.${p}`, sig };
}

/** Whether the token's HS256 signature is the user's (tokenKey + collection secret), in constant time. */
export function signatureMatches(token, user) {
  const expected = createHmac('sha256', user.tokenKey + token.c.authToken.secret).update(token.signed).digest();
  const given = Buffer.from(token.sig, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The auth response of a signed-in user: an HS256 token signed like Plinth's, and the record with its email. */
export function authResponse(c, user) {
  const b64url = (text) => Buffer.from(text).toString('base64url');
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ id: user.id, type: 'auth', collectionId: c.id, refreshable: true, exp: Math.floor(Date.now() / 1000) + c.authToken.duration }));
  const sig = createHmac('sha256', user.tokenKey + c.authToken.secret).update(`${header}.${payload}`).digest('base64url');
  return { token: `${header}.${payload}.${sig}`, record: { ...toJson(c, user), email: user.email } };
}

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

/**
 * The keyset (cursor) part of a baseline list, as Plinth pages with `cursor`: a condition after
 * the last row's (sort value, id), ORDER BY the sort column then the id in its direction, and
 * the next cursor from the extra row read. `bind` adds a parameter and returns its placeholder.
 */
export function keysetPage(col, desc, cursor, bind) {
  const op = desc ? '<' : '>';
  const dir = desc ? 'DESC' : 'ASC';
  let where = null;
  if (cursor) {
    const [value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // NOTE: the sort column's bound first, on its own (`score <= ?`), as Plinth writes it: an index on the
    // column then serves the seek; behind the OR alone, SQLite reads the kind's rows from the top.
    where = col
      ? `("root".${col} ${op}= ${bind(value)} AND ("root".${col} ${op} ${bind(value)} OR ("root".${col} = ${bind(value)} AND "root"."id" ${op} ${bind(id)})))`
      : `("root"."id" ${op} ${bind(id)})`;
  }
  const orderBy = `${col ? `"root".${col} ${dir}, ` : ''}"root"."id" ${dir}`;
  const next = (rows, perPage, sortName) => {
    if (rows.length <= perPage) return null;
    const last = rows[perPage - 1];
    return Buffer.from(JSON.stringify([sortName ? last[sortName] : null, last.id])).toString('base64url');
  };
  return { where, orderBy, next };
}

const AGGREGATE_ITEM = /^(count|sum|avg|min|max)\((\w*)\)$/;

/**
 * The SQL of a baseline aggregate (`groupBy` of one column, `count()`, `sum|avg|min|max(column)`,
 * a `sort` by one output key), as Plinth's aggregate endpoint answers it; null columns are refused.
 */
export function aggregateQuery(c, query, ident) {
  const group = query.get('groupBy') ?? '';
  if (group !== '' && !c.columns.has(group)) throw new HttpError(400, 'Unsupported groupBy.');
  const items = (query.get('aggregate') || 'count()').split(',').map((text) => {
    const m = AGGREGATE_ITEM.exec(text.trim());
    if (!m || (m[1] !== 'count' && !c.columns.has(m[2]))) throw new HttpError(400, 'Unsupported aggregate.');
    const key = m[1] === 'count' ? 'count' : `${m[1]}_${m[2]}`;
    const cast = (x) => `CAST(${x} AS DOUBLE PRECISION)`;
    const expr = m[1] === 'count' ? 'COUNT(*)' : m[1] === 'sum' || m[1] === 'avg' ? `${m[1].toUpperCase()}(${cast(ident(m[2]))})` : `${m[1].toUpperCase()}(${ident(m[2])})`;
    return { key, expr };
  });
  const keys = [...(group ? [group] : []), ...items.map((i) => i.key)];
  const sort = /^(-?)(\w+)$/.exec(query.get('sort') ?? '');
  const sortKey = sort && keys.includes(sort[2]) ? sort[2] : null;
  const select = [...(group ? [`${ident(group)} AS ${ident(group)}`] : []), ...items.map((i) => `${i.expr} AS ${ident(i.key)}`)].join(', ');
  const order = [...(sortKey ? [`${ident(sortKey)} ${sort[1] ? 'DESC' : 'ASC'}`] : []), ...(group ? [`${ident(group)} ASC`] : [])];
  const perPage = Math.min(Math.max(Number(query.get('perPage') ?? 30) || 30, 1), 1000);
  const page = Math.max(Number(query.get('page') ?? 1) || 1, 1);
  const text = `SELECT ${select} FROM ${ident(c.name)} ${group ? `GROUP BY ${ident(group)}` : ''} ${order.length ? `ORDER BY ${order.join(', ')}` : ''} LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`;
  const shape = (rows) => ({
    page, perPage,
    items: rows.map((r) => Object.fromEntries(keys.map((k) => [k, typeof r[k] === 'string' && k === 'count' ? Number(r[k]) : r[k]]))),
  });
  return { text, shape };
}

/**
 * The search text of S1 as Plinth reads it (docs/search.md §2), for the shapes the workload sends: words, `"phrases"`
 * and `-exclusions`, each word lower-cased letters and digits. No stop-word list: S1's searches hold none.
 * Returns `{ include, exclude }`, each a list of `{ words, phrase }`.
 */
export function parseSearch(text) {
  const query = { include: [], exclude: [] };
  let i = 0;
  while (i < text.length) {
    const negated = text[i] === '-';
    if (negated) i++;
    const phrase = text[i] === '"';
    const end = phrase ? (text.indexOf('"', i + 1) + 1 || text.length) : (text.indexOf(' ', i) + 1 || text.length);
    const words = text.slice(i, end).toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
    if (words.length > 0) (negated ? query.exclude : query.include).push({ words, phrase });
    i = end;
  }
  return query;
}

/**
 * The `@rank` tiers of a search over `n` searchable fields, highest first (docs/search.md §3): each subset of the
 * fields (bit i: field i) whose rank is the sum of its fields' weights (n − i), grouped by rank.
 */
export function rankTiers(n) {
  const byRank = new Map();
  for (let mask = (1 << n) - 1; mask >= 0; mask--) {
    let rank = 0;
    for (let i = 0; i < n; i++) if (mask & (1 << i)) rank += n - i;
    byRank.set(rank, [...(byRank.get(rank) ?? []), mask]);
  }
  return [...byRank.entries()].sort((a, b) => b[0] - a[0]).map(([rank, masks]) => ({ rank, masks }));
}

/** The searchable fields of a collection, in field order. */
export const searchableColumns = (c) => c.fields.filter((f) => f.searchable).map((f) => f.name);

/** S1's filter: `search('…')` alone, or null for any other filter. */
export function searchFilter(filter) {
  return filter.startsWith("search('") && filter.endsWith("')") ? filter.slice(8, -2) : null;
}

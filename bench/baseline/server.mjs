/**
 * The raw baseline of the benchmark: a minimal node:http server over
 * better-sqlite3 with prepared statements and JSON.stringify, answering the
 * benchmark's requests on the same paths and over the same database file as
 * Plinth, with the same argon2id parameters for logins and the same HS256
 * tokens. It is the physical limit of Node + SQLite on the machine, not a
 * product: it understands only the request shapes of the workloads.
 *
 *   node bench/baseline/server.mjs --port=18091 --db=path/to/data.db
 */
import { randomInt } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { verify } from '@node-rs/argon2';
import Database from 'better-sqlite3';
import {
  aggregateQuery, authResponse, HttpError, keysetPage, parseSearch, rankTiers, readBody, readToken, searchableColumns, searchFilter, send, signatureMatches, toJson, validated,
} from './http-common.mjs';

const { values: args } = parseArgs({ options: { port: { type: 'string' }, db: { type: 'string' } } });
const db = new Database(args.db);
// The same connection settings as Plinth's src/db/connect-sqlite.ts.
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 10000');
db.pragma('cache_size = -32000');
db.pragma('temp_store = MEMORY');

/** Collection definitions as Plinth stored them: ids, rules, token secrets, columns. */
const collections = new Map();
for (const row of db.prepare('SELECT data FROM _collections').all()) {
  const c = JSON.parse(row.data);
  if (c.type === 'view') continue;
  const columns = new Set(db.prepare(`PRAGMA table_info("${c.name.replace(/"/g, '""')}")`).all().map((col) => col.name));
  collections.set(c.name, { ...c, columns, fieldTypes: new Map(c.fields.map((f) => [f.name, f])) });
}

const statements = new Map();
/** A prepared statement, prepared once per SQL text. */
function stmt(sqlText) {
  let s = statements.get(sqlText);
  if (!s) statements.set(sqlText, (s = db.prepare(sqlText)));
  return s;
}
const ident = (name) => `"${name}"`;

function collectionOf(name) {
  const c = collections.get(name);
  if (!c) throw new HttpError(404, 'Missing collection context.');
  return c;
}


const now = () => new Date().toISOString().replace('T', ' ');
const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const newId = () => Array.from({ length: 15 }, () => ID_CHARS[randomInt(36)]).join('');

/** The signed-in user of an Authorization header (HS256 with tokenKey + secret, as Plinth signs), or null. */
function authenticate(header) {
  const token = readToken(header, collections);
  if (!token) return null;
  const user = stmt(`SELECT * FROM ${ident(token.c.name)} WHERE "id" = ?`).get(String(token.claims.id));
  return user && signatureMatches(token, user) ? { collection: token.c, user } : null;
}

function list(c, query, auth) {
  if (c.listRule === null) throw new HttpError(403, 'Only superusers can perform this action.');
  const search = searchFilter(query.get('filter') ?? '');
  if (search !== null) return searchPage(c, search, query);
  const where = [];
  const params = [];
  const filter = /^\((\w+)='([^']*)'\)$/.exec(query.get('filter') ?? '');
  if (filter && c.columns.has(filter[1])) {
    where.push(`("root".${ident(filter[1])} = ?)`);
    params.push(filter[2]);
  } else if (query.get('filter')) {
    throw new HttpError(400, 'Unsupported filter.');
  }
  if (c.listRule === 'owner = @request.auth.id') {
    where.push('("root"."owner" = ?)');
    params.push(auth ? auth.user.id : '');
  } else if (c.listRule !== '') {
    throw new HttpError(403, 'Unsupported rule.');
  }
  const sort = /^(-?)(\w+)$/.exec(query.get('sort') ?? '');
  const order = sort && c.columns.has(sort[2]) ? `"root".${ident(sort[2])} ${sort[1] ? 'DESC' : 'ASC'}, ` : '';
  const perPage = Math.min(Math.max(Number(query.get('perPage') ?? 30) || 30, 1), 1000);
  if (query.has('cursor')) {
    const sortName = order ? sort[2] : null;
    const keyset = keysetPage(sortName && ident(sortName), Boolean(sort?.[1]), query.get('cursor'), (v) => (params.push(v), '?'));
    if (keyset.where) where.push(keyset.where);
    const rows = stmt(`SELECT root.* FROM ${ident(c.name)} AS root ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${keyset.orderBy} LIMIT ?`).all(...params, perPage + 1);
    const items = rows.slice(0, perPage).map((r) => toJson(c, r));
    return { page: 1, perPage, totalItems: -1, totalPages: -1, items, nextCursor: keyset.next(rows, perPage, sortName) };
  }
  const page = Math.max(Number(query.get('page') ?? 1) || 1, 1);
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  // The same tie-break as Plinth: insertion order in the direction of the last sort term.
  const tieBreak = sort && sort[1] ? 'DESC' : 'ASC';
  const rows = stmt(`SELECT root.* FROM ${ident(c.name)} AS root ${whereSql} ORDER BY ${order}"root"."_rowid_" ${tieBreak} LIMIT ? OFFSET ?`)
    .all(...params, perPage, (page - 1) * perPage);
  let totalItems = -1;
  if (query.get('skipTotal') !== '1' && query.get('skipTotal') !== 'true') {
    totalItems = stmt(`SELECT COUNT(*) AS n FROM ${ident(c.name)} AS root ${whereSql}`).get(...params).n;
  }
  const totalPages = totalItems < 0 ? -1 : Math.ceil(totalItems / perPage);
  return { page, perPage, totalItems, totalPages, items: rows.map((r) => toJson(c, r)) };
}

/**
 * S1: `search('…')` sorted by `-@rank`, from the FTS5 table Plinth keeps for the collection (`_search_<id>`, same
 * tokenizer, same rows): one FTS5 query per `@rank` tier, highest first, each in rowid order (newest first, the
 * tie-break of `-@rank`) until the page is full, the FTS5 texts Plinth's dialect builds (docs/search.md §6.1).
 */
function searchPage(c, text, query) {
  if (c.listRule !== '' || query.get('sort') !== '-@rank' || query.has('cursor')) throw new HttpError(400, 'Unsupported search.');
  const columns = searchableColumns(c);
  const fts = ident(`_search_${c.id}`);
  const search = parseSearch(text);
  const perPage = Math.min(Math.max(Number(query.get('perPage') ?? 30) || 30, 1), 1000);
  const items = [];
  if (search.include.length > 0) {
    for (const tier of rankTiers(columns.length)) {
      const rows = stmt(`SELECT root.* FROM ${fts} JOIN ${ident(c.name)} AS root ON root.rowid = ${fts}.rowid AND ${fts} MATCH ? ORDER BY ${fts}.rowid DESC LIMIT ?`)
        .all(tierMatch(columns, search, tier.masks), perPage - items.length);
      items.push(...rows.map((r) => toJson(c, r)));
      if (items.length >= perPage) break;
    }
  }
  return { page: 1, perPage, totalItems: -1, totalPages: -1, items };
}

/** An FTS5 term: a quoted word as a prefix, or a quoted phrase. */
const ftsTerm = (t) => `"${t.words.join(' ')}"${t.phrase ? '' : '*'}`;
const ftsAll = (terms) => terms.map(ftsTerm).join(' AND ');

/** The FTS5 text of one tier: the include part within each column of a mask and in none of the others, no exclusion. */
function tierMatch(columns, search, masks) {
  // The FTS5 columns are named by position (c0, c1, …), not after the fields (docs/search.md §4.1).
  const inColumn = columns.map((_, i) => `({c${i}} : (${ftsAll(search.include)}))`);
  const excluded = search.exclude.length > 0 ? [`(${search.exclude.map(ftsTerm).join(' OR ')})`] : [];
  return masks.map((mask) => {
    const within = inColumn.filter((_, i) => mask & (1 << i));
    const not = [...inColumn.filter((_, i) => !(mask & (1 << i))), ...excluded];
    const must = (within.length > 0 ? within : [`(${ftsAll(search.include)})`]).join(' AND ');
    return not.length > 0 ? `((${must}) NOT (${not.join(' OR ')}))` : `(${must})`;
  }).join(' OR ');
}

function aggregate(c, query) {
  if (c.listRule !== '') throw new HttpError(403, 'Unsupported rule.');
  const { text, shape } = aggregateQuery(c, query, ident);
  return shape(stmt(text).all());
}

function view(c, id, auth) {
  if (c.viewRule === null) throw new HttpError(403, 'Only superusers can perform this action.');
  const row = stmt(`SELECT * FROM ${ident(c.name)} WHERE "id" = ?`).get(id);
  if (!row || (c.viewRule === 'owner = @request.auth.id' && row.owner !== auth?.user.id)) throw new HttpError(404, 'The requested resource wasn\'t found.');
  return toJson(c, row);
}

function create(c, body, auth) {
  if (!auth) throw new HttpError(400, 'Failed to create record.');
  const values = { id: newId(), ...validated(c, body), created: now(), updated: now() };
  const names = Object.keys(values);
  stmt(`INSERT INTO ${ident(c.name)} (${names.map(ident).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`).run(...Object.values(values));
  return toJson(c, { ...Object.fromEntries(c.fields.map((f) => [f.name, f.type === 'number' ? 0 : ''])), ...values });
}

function update(c, id, body, auth) {
  if (!auth) throw new HttpError(404, 'The requested resource wasn\'t found.');
  const row = stmt(`SELECT * FROM ${ident(c.name)} WHERE "id" = ?`).get(id);
  if (!row) throw new HttpError(404, 'The requested resource wasn\'t found.');
  const changes = { ...validated(c, body), updated: now() };
  const names = Object.keys(changes);
  stmt(`UPDATE ${ident(c.name)} SET ${names.map((n) => `${ident(n)} = ?`).join(', ')} WHERE "id" = ?`).run(...Object.values(changes), id);
  return toJson(c, { ...row, ...changes });
}

async function login(c, body) {
  if (typeof body.identity !== 'string' || typeof body.password !== 'string') throw new HttpError(400, 'Failed to authenticate.');
  const found = stmt(`SELECT "id" AS id FROM ${ident(c.name)} WHERE lower("email") = lower(?) LIMIT 1`).get(body.identity);
  const user = found && stmt(`SELECT * FROM ${ident(c.name)} WHERE "id" = ?`).get(found.id);
  const ok = user ? await verify(user.password, body.password).catch(() => false) : false;
  if (!ok) throw new HttpError(400, 'Failed to authenticate.');
  return authResponse(c, user);
}

const RECORDS = /^\/api\/collections\/([^/]+)\/records(?:\/([^/]+))?$/;
const LOGIN = /^\/api\/collections\/([^/]+)\/auth-with-password$/;

async function handle(req, res) {
  const [path, qs = ''] = req.url.split('?', 2);
  if (path === '/api/health') return send(res, 200, { message: 'API is healthy.', code: 200, data: {} });
  const auth = authenticate(req.headers.authorization);
  const login_ = LOGIN.exec(path);
  if (login_ && req.method === 'POST') return send(res, 200, await login(collectionOf(login_[1]), await readBody(req)));
  const m = RECORDS.exec(path);
  if (!m) throw new HttpError(404, 'The requested resource wasn\'t found.');
  const c = collectionOf(decodeURIComponent(m[1]));
  const id = m[2] && decodeURIComponent(m[2]);
  if (req.method === 'GET' && id === 'aggregate') return send(res, 200, aggregate(c, new URLSearchParams(qs)));
  if (req.method === 'GET' && !id) return send(res, 200, list(c, new URLSearchParams(qs), auth));
  if (req.method === 'GET') return send(res, 200, view(c, id, auth));
  if (req.method === 'POST' && !id) return send(res, 200, create(c, await readBody(req), auth));
  if (req.method === 'PATCH' && id) return send(res, 200, update(c, id, await readBody(req), auth));
  throw new HttpError(405, 'Method not allowed.');
}

const server = createServer((req, res) => {
  handle(req, res).catch((err) => {
    const status = err instanceof HttpError ? err.status : 500;
    if (status === 500) console.error(err);
    send(res, status, { status, message: status === 500 ? 'Something went wrong.' : err.message, data: {} });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(args.port), '127.0.0.1');
const stop = () => server.close(() => { db.close(); process.exit(0); });
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

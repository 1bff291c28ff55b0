/**
 * The raw baseline of the benchmark on PostgreSQL: a minimal node:http server
 * over a `pg` Pool (as many connections as Plinth's pool) with named prepared
 * statements and JSON.stringify, answering the benchmark's requests on the same
 * paths over the same database as Plinth, with the SQL text Plinth's PostgreSQL
 * dialect sends for each workload, the same argon2id verification and the same
 * HS256 tokens. It is the physical limit of Node + PostgreSQL on the machine,
 * not a product: it understands only the request shapes of the workloads.
 *
 *   DATABASE_URL=postgres://… node bench/baseline/server-postgres.mjs --port=18091
 */
import { randomInt } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { verify } from '@node-rs/argon2';
import pg from 'pg';
import {
  aggregateQuery, authResponse, HttpError, keysetPage, parseSearch, readBody, readToken, searchableColumns, searchFilter, send, signatureMatches, toJson, validated,
} from './http-common.mjs';

const { values: args } = parseArgs({ options: { port: { type: 'string' } } });
if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is not set');
// NOTE: 10 connections, Plinth's pool size (src/db/connect-postgres.ts), so neither side
// gets more parallelism inside PostgreSQL than the other.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool.on('error', () => undefined);

const statements = new Map();
/** Runs `text` as a named prepared statement (prepared once per connection and SQL text). */
async function query(text, values) {
  let name = statements.get(text);
  if (!name) statements.set(text, (name = `b${statements.size + 1}`));
  return (await pool.query({ name, text, values })).rows;
}
const ident = (name) => `"${name.replace(/"/g, '""')}"`;

/** Collection definitions as Plinth stored them: ids, rules, token secrets, columns. */
const collections = new Map();
for (const row of (await pool.query('SELECT data FROM _collections')).rows) {
  const c = JSON.parse(row.data);
  if (c.type === 'view') continue;
  const columns = new Set((await pool.query(
    'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', [c.name],
  )).rows.map((col) => col.name));
  collections.set(c.name, { ...c, columns, fieldTypes: new Map(c.fields.map((f) => [f.name, f])) });
}

function collectionOf(name) {
  const c = collections.get(name);
  if (!c) throw new HttpError(404, 'Missing collection context.');
  return c;
}


const now = () => new Date().toISOString().replace('T', ' ');
const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const newId = () => Array.from({ length: 15 }, () => ID_CHARS[randomInt(36)]).join('');
const byId = (c, id) => query(`SELECT * FROM ${ident(c.name)} WHERE "id" = $1`, [id]).then((rows) => rows[0]);

/** The signed-in user of an Authorization header (HS256 with tokenKey + secret, as Plinth signs), or null. */
async function authenticate(header) {
  const token = readToken(header, collections);
  if (!token) return null;
  const user = await byId(token.c, String(token.claims.id));
  return user && signatureMatches(token, user) ? { collection: token.c, user } : null;
}

/**
 * Plinth's list SQL on PostgreSQL: the rule's condition, then the filter's; the sort
 * with SQLite's NULL placement (DESC NULLS LAST / ASC NULLS FIRST); insertion order
 * (`_rowid_`) breaking ties in the direction of the last sort term.
 */
async function list(c, query_, auth) {
  if (c.listRule === null) throw new HttpError(403, 'Only superusers can perform this action.');
  const search = searchFilter(query_.get('filter') ?? '');
  if (search !== null) return searchPage(c, search, query_);
  const where = [];
  const params = [];
  const bind = (value) => (params.push(value), `$${params.length}`);
  if (c.listRule === 'owner = @request.auth.id') {
    where.push(`("root"."owner" = ${bind(auth ? auth.user.id : '')})`);
  } else if (c.listRule !== '') {
    throw new HttpError(403, 'Unsupported rule.');
  }
  const filter = /^\((\w+)='([^']*)'\)$/.exec(query_.get('filter') ?? '');
  if (filter && c.columns.has(filter[1])) {
    where.push(`("root".${ident(filter[1])} = ${bind(filter[2])})`);
  } else if (query_.get('filter')) {
    throw new HttpError(400, 'Unsupported filter.');
  }
  const sort = /^(-?)(\w+)$/.exec(query_.get('sort') ?? '');
  const desc = Boolean(sort?.[1]);
  const order = sort && c.columns.has(sort[2]) ? `"root".${ident(sort[2])} ${desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}, ` : '';
  const perPage = Math.min(Math.max(Number(query_.get('perPage') ?? 30) || 30, 1), 1000);
  if (query_.has('cursor')) {
    const sortName = order ? sort[2] : null;
    const keyset = keysetPage(sortName && ident(sortName), desc, query_.get('cursor'), bind);
    if (keyset.where) where.push(keyset.where);
    const orderBy = desc ? keyset.orderBy.replace(' DESC,', ' DESC NULLS LAST,') : keyset.orderBy;
    const rows = await query(`SELECT root.* FROM ${ident(c.name)} AS root${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${orderBy} LIMIT ${bind(perPage + 1)}`, params);
    const items = rows.slice(0, perPage).map((r) => toJson(c, r));
    return { page: 1, perPage, totalItems: -1, totalPages: -1, items, nextCursor: keyset.next(rows, perPage, sortName) };
  }
  const page = Math.max(Number(query_.get('page') ?? 1) || 1, 1);
  const whereSql = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const filterParams = [...params];
  const rows = await query(
    `SELECT root.* FROM ${ident(c.name)} AS root${whereSql} ORDER BY ${order}"root"."_rowid_" ${desc ? 'DESC' : 'ASC'} LIMIT ${bind(perPage)} OFFSET ${bind((page - 1) * perPage)}`,
    params,
  );
  let totalItems = -1;
  if (query_.get('skipTotal') !== '1' && query_.get('skipTotal') !== 'true') {
    totalItems = Number((await query(`SELECT COUNT(*) AS n FROM ${ident(c.name)} AS root${whereSql}`, filterParams))[0].n);
  }
  const totalPages = totalItems < 0 ? -1 : Math.ceil(totalItems / perPage);
  return { page, perPage, totalItems, totalPages, items: rows.map((r) => toJson(c, r)) };
}

/**
 * S1: `search('…')` sorted by `-@rank`, with the SQL Plinth's PostgreSQL dialect sends when it ranks every match
 * (docs/search.md §4.2, §6.3): the GIN index of the fields' prefix entries finds the candidate rows, the stored field
 * vectors (`__search_0`, …) decide and give the rank, insertion order breaks ties.
 */
async function searchPage(c, text, query_) {
  if (c.listRule !== '' || query_.get('sort') !== '-@rank' || query_.has('cursor')) throw new HttpError(400, 'Unsupported search.');
  const columns = searchableColumns(c);
  const search = parseSearch(text);
  const perPage = Math.min(Math.max(Number(query_.get('perPage') ?? 30) || 30, 1), 1000);
  if (search.include.length === 0) return { page: 1, perPage, totalItems: -1, totalPages: -1, items: [] };
  const params = [];
  const term = (t) => {
    params.push(t.words.join(' '));
    return t.phrase ? `phraseto_tsquery('english'::regconfig, $${params.length}::text)` : `to_tsquery('english'::regconfig, quote_literal($${params.length}::text) || ':*')`;
  };
  // Plinth's SQL text exactly (every occurrence of a word its own parameter), as it sends it.
  const vectors = columns.map((_, i) => `"root"."__search_${i}"`);
  const tsquery = `(${[...search.include.map(term), ...search.exclude.map((t) => `!! ${term(t)}`)].join(' && ')})`;
  params.push(search.include.map((t) => t.words.join(' ')), columns.map((_, i) => i));
  const entries = `plinth_search_entries_v1($${params.length - 1}::text[], $${params.length}::int[])`;
  const rank = vectors.map((vector, i) => `(CASE WHEN ${vector} @@ (${search.include.map(term).join(' && ')}) THEN ${columns.length - i} ELSE 0 END)`);
  params.push(perPage, 0);
  const rows = await query(
    `SELECT root.* FROM ${ident(c.name)} AS root WHERE ((${vectors.join(' || ')}) @@ ${tsquery} AND plinth_search_prefixes_v1(ARRAY[${vectors.join(', ')}]) @@ ${entries}) ORDER BY (${rank.join(' + ')}) DESC NULLS LAST, "root"."_rowid_" DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return { page: 1, perPage, totalItems: -1, totalPages: -1, items: rows.map((r) => toJson(c, r)) };
}

async function aggregate(c, query_) {
  if (c.listRule !== '') throw new HttpError(403, 'Unsupported rule.');
  const { text, shape } = aggregateQuery(c, query_, ident);
  return shape(await query(text, []));
}

async function view(c, id, auth) {
  if (c.viewRule === null) throw new HttpError(403, 'Only superusers can perform this action.');
  const row = await byId(c, id);
  if (!row || (c.viewRule === 'owner = @request.auth.id' && row.owner !== auth?.user.id)) throw new HttpError(404, 'The requested resource wasn\'t found.');
  return toJson(c, row);
}

async function create(c, body, auth) {
  if (!auth) throw new HttpError(400, 'Failed to create record.');
  const values = { id: newId(), ...validated(c, body), created: now(), updated: now() };
  const names = Object.keys(values);
  await query(`INSERT INTO ${ident(c.name)} (${names.map(ident).join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`, Object.values(values));
  return toJson(c, { ...Object.fromEntries(c.fields.map((f) => [f.name, f.type === 'number' ? 0 : ''])), ...values });
}

async function update(c, id, body, auth) {
  if (!auth) throw new HttpError(404, 'The requested resource wasn\'t found.');
  const row = await byId(c, id);
  if (!row) throw new HttpError(404, 'The requested resource wasn\'t found.');
  const changes = { ...validated(c, body), updated: now() };
  const names = Object.keys(changes);
  await query(
    `UPDATE ${ident(c.name)} SET ${names.map((n, i) => `${ident(n)} = $${i + 1}`).join(', ')} WHERE "id" = $${names.length + 1}`,
    [...Object.values(changes), id],
  );
  return toJson(c, { ...row, ...changes });
}

async function login(c, body) {
  if (typeof body.identity !== 'string' || typeof body.password !== 'string') throw new HttpError(400, 'Failed to authenticate.');
  const [found] = await query(`SELECT "id" AS id FROM ${ident(c.name)} WHERE lower("email") = lower($1) LIMIT 1`, [body.identity]);
  const user = found && await byId(c, found.id);
  const ok = user ? await verify(user.password, body.password).catch(() => false) : false;
  if (!ok) throw new HttpError(400, 'Failed to authenticate.');
  return authResponse(c, user);
}

const RECORDS = /^\/api\/collections\/([^/]+)\/records(?:\/([^/]+))?$/;
const LOGIN = /^\/api\/collections\/([^/]+)\/auth-with-password$/;

async function handle(req, res) {
  const [path, qs = ''] = req.url.split('?', 2);
  if (path === '/api/health') return send(res, 200, { message: 'API is healthy.', code: 200, data: {} });
  const login_ = LOGIN.exec(path);
  if (login_ && req.method === 'POST') return send(res, 200, await login(collectionOf(login_[1]), await readBody(req)));
  const auth = await authenticate(req.headers.authorization);
  const m = RECORDS.exec(path);
  if (!m) throw new HttpError(404, 'The requested resource wasn\'t found.');
  const c = collectionOf(decodeURIComponent(m[1]));
  const id = m[2] && decodeURIComponent(m[2]);
  if (req.method === 'GET' && id === 'aggregate') return send(res, 200, await aggregate(c, new URLSearchParams(qs)));
  if (req.method === 'GET' && !id) return send(res, 200, await list(c, new URLSearchParams(qs), auth));
  if (req.method === 'GET') return send(res, 200, await view(c, id, auth));
  if (req.method === 'POST' && !id) return send(res, 200, await create(c, await readBody(req), auth));
  if (req.method === 'PATCH' && id) return send(res, 200, await update(c, id, await readBody(req), auth));
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
const stop = () => server.close(() => { pool.end().then(() => process.exit(0)); });
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

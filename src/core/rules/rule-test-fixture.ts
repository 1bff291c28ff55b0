/**
 * A small database for the rule compiler tests: users (auth), teams, posts,
 * comments and a locked vault, as real SQLite tables with a handful of rows.
 */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect as KyselySqliteDialect, sql, type RawBuilder } from 'kysely';
import { SqliteDialect } from '../../db/dialect/sqlite/sqlite-dialect.js';
import type { Collection, Field, FieldTypeName } from '../collections/collection.js';
import { MemorySchema } from '../collections/schema.js';
import { guestRequest, type RequestInfo } from './request-info.js';
import { createRuleCompiler, type CompileMode, type RuleCompiler } from './rule-compiler.js';

function field(name: string, type: FieldTypeName, extra: Partial<Field> = {}): Field {
  return { id: `f_${name}`, name, type, system: false, hidden: false, presentable: false, ...extra };
}

function collection(id: string, name: string, type: Collection['type'], fields: Field[], listRule: string | null = ''): Collection {
  return {
    id, name, type, system: false, listRule, viewRule: listRule, createRule: null, updateRule: null, deleteRule: null,
    fields: [field('id', 'text', { primaryKey: true }), ...fields], indexes: [], created: '', updated: '',
  };
}

export const users = collection('pbc_users', 'users', 'auth', [
  field('email', 'email'), field('emailVisibility', 'bool'), field('verified', 'bool'),
  field('password', 'password', { hidden: true }), field('tokenKey', 'text', { hidden: true }),
  field('name', 'text'), field('role', 'text'), field('team', 'relation', { collectionId: 'pbc_teams', maxSelect: 1 }),
]);
export const teams = collection('pbc_teams', 'teams', 'base', [field('name', 'text')], 'name != "hidden"');
export const vault = collection('pbc_vault', 'vault', 'base', [field('name', 'text')], null);
export const posts = collection('pbc_posts', 'posts', 'base', [
  field('title', 'text'), field('tags', 'select', { maxSelect: 5, values: ['a', 'b', 'c'] }),
  field('author', 'relation', { collectionId: 'pbc_users', maxSelect: 1 }),
  field('editors', 'relation', { collectionId: 'pbc_users', maxSelect: 10 }),
  field('meta', 'json'), field('published', 'bool'), field('views', 'number'), field('created', 'date'),
  field('geo', 'geoPoint'), field('secret', 'text', { hidden: true }),
  field('vault', 'relation', { collectionId: 'pbc_vault', maxSelect: 1 }),
]);
export const comments = collection('pbc_comments', 'comments', 'base', [
  field('post', 'relation', { collectionId: 'pbc_posts', maxSelect: 1 }), field('body', 'text'), field('likes', 'number'),
]);

const DDL = `
CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT DEFAULT '' NOT NULL, emailVisibility BOOLEAN DEFAULT FALSE NOT NULL,
  verified BOOLEAN DEFAULT FALSE NOT NULL, password TEXT DEFAULT '' NOT NULL, tokenKey TEXT DEFAULT '' NOT NULL,
  name TEXT DEFAULT '' NOT NULL, role TEXT DEFAULT '' NOT NULL, team TEXT DEFAULT '' NOT NULL);
CREATE TABLE teams (id TEXT PRIMARY KEY, name TEXT DEFAULT '' NOT NULL);
CREATE TABLE vault (id TEXT PRIMARY KEY, name TEXT DEFAULT '' NOT NULL);
CREATE TABLE posts (id TEXT PRIMARY KEY, title TEXT DEFAULT '' NOT NULL, tags JSON DEFAULT '[]' NOT NULL,
  author TEXT DEFAULT '' NOT NULL, editors JSON DEFAULT '[]' NOT NULL, meta JSON DEFAULT NULL,
  published BOOLEAN DEFAULT FALSE NOT NULL, views NUMERIC DEFAULT 0 NOT NULL, created TEXT DEFAULT '' NOT NULL,
  geo JSON DEFAULT '{"lon":0,"lat":0}' NOT NULL, secret TEXT DEFAULT '' NOT NULL, vault TEXT DEFAULT '' NOT NULL);
CREATE TABLE comments (id TEXT PRIMARY KEY, post TEXT DEFAULT '' NOT NULL, body TEXT DEFAULT '' NOT NULL, likes NUMERIC DEFAULT 0 NOT NULL);
INSERT INTO teams VALUES ('t1', 'red'), ('t2', 'hidden');
INSERT INTO vault VALUES ('v1', 'gold');
INSERT INTO users (id, email, emailVisibility, verified, name, role, team) VALUES
  ('u1', 'a@x.com', 1, 1, 'Alice', 'admin', 't1'), ('u2', 'b@x.com', 0, 0, 'Bob', 'user', 't2'), ('u3', '', 0, 0, '', '', '');
INSERT INTO posts (id, title, tags, author, editors, meta, published, views, created, geo, secret, vault) VALUES
  ('p1', 'Hello world', '["a","b"]', 'u1', '["u1","u2"]', '{"a":{"b":[1,{"c":"x"}]},"n":5}', 1, 10, '2024-01-15 10:00:00.000Z', '{"lon":23.32,"lat":42.69}', 's1', 'v1'),
  ('p2', '50% off', '["b"]', 'u2', '["u2"]', '{"n":7}', 0, 0, '2023-06-01 00:00:00.000Z', '{"lon":0,"lat":0}', '', ''),
  ('p3', 'a_b\\c', '[]', '', '[]', NULL, 0, 3, '', '{"lon":23.33,"lat":42.7}', '', ''),
  ('p4', '', '["a"]', 'u3', '["u1"]', '"plain"', 1, -1, '2025-03-03 12:00:00.000Z', '{"lon":-10,"lat":5}', '', '');
INSERT INTO comments VALUES ('c1', 'p1', 'nice', 5), ('c2', 'p1', 'meh', 0), ('c3', 'p2', 'ok', 2);
`;

/** The opened fixture: the Kysely handle, the compiler and query helpers. */
export interface RuleFixture {
  db: Kysely<any>;
  compiler: RuleCompiler;
  /** The ids of the posts matching `filter`, sorted. */
  match(filter: string, opts?: { request?: RequestInfo; mode?: CompileMode; collection?: Collection }): Promise<string[]>;
  /** The ids of the posts in the order of `sort`. */
  sorted(sort: string, opts?: { request?: RequestInfo; mode?: CompileMode }): Promise<string[]>;
  /** SQL text and parameters of a compiled condition. */
  compile(expr: RawBuilder<unknown>): { sql: string; parameters: readonly unknown[] };
}

/** A signed-in request of one of the fixture's users. */
export function userRequest(id: string, overrides: Partial<RequestInfo> = {}): RequestInfo {
  const rows: Record<string, Record<string, unknown>> = {
    u1: { id: 'u1', email: 'a@x.com', emailVisibility: true, verified: true, name: 'Alice', role: 'admin', team: 't1' },
    u2: { id: 'u2', email: 'b@x.com', emailVisibility: false, verified: false, name: 'Bob', role: 'user', team: 't2' },
  };
  return guestRequest({ auth: { collection: users, record: rows[id]! }, ...overrides });
}

/** Opens a fresh in-memory fixture database. */
export function openRuleFixture(): RuleFixture {
  const raw = new Database(':memory:');
  raw.exec(DDL);
  const db = new Kysely<any>({ dialect: new KyselySqliteDialect({ database: raw }) });
  const schema = new MemorySchema();
  schema.replaceAll([users, teams, vault, posts, comments]);
  const compiler = createRuleCompiler({ dialect: new SqliteDialect(), schema });
  return {
    db,
    compiler,
    async match(filter, opts = {}) {
      const c = opts.collection ?? posts;
      const cond = compiler.compileFilter(filter, {
        collection: c, rootAlias: 'root', request: opts.request ?? guestRequest(), mode: opts.mode ?? 'rule',
      });
      const { rows } = await sql<{ id: string }>`SELECT root.id FROM ${sql.table(c.name)} AS root WHERE ${cond} ORDER BY root.id`.execute(db);
      return rows.map((r) => r.id);
    },
    async sorted(sort, opts = {}) {
      const order = compiler.compileSort(sort, { collection: posts, rootAlias: 'root', request: opts.request ?? guestRequest(), mode: opts.mode ?? 'rule' });
      const { rows } = await sql<{ id: string }>`SELECT root.id FROM posts AS root ORDER BY ${sql.join(order)}`.execute(db);
      return rows.map((r) => r.id);
    },
    compile(expr) {
      const q = expr.compile(db);
      return { sql: q.sql, parameters: q.parameters };
    },
  };
}

/**
 * Field readRules in client filters and sorts (docs/field-rules.md §3), compiled and run on
 * SQLite: a field behind a readRule reads as NULL where the rule fails, a comparison with it
 * is false there, a `null` readRule makes the field non-filterable, and paths that read the
 * field whole are refused. Rules themselves are not held to field rules.
 */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect as KyselySqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { SqliteDialect } from '../../db/dialect/sqlite/sqlite-dialect.js';
import { isFilterError } from '../../filter/filter-error.js';
import type { Collection, Field, FieldTypeName } from '../collections/collection.js';
import { MemorySchema } from '../collections/schema.js';
import { guestRequest, type RequestInfo } from './request-info.js';
import { createRuleCompiler, type CompileMode } from './rule-compiler.js';

function field(name: string, type: FieldTypeName, extra: Partial<Field> = {}): Field {
  return { id: `f_${name}`, name, type, system: false, hidden: false, presentable: false, ...extra };
}

function collection(id: string, name: string, fields: Field[]): Collection {
  return {
    id, name, type: 'base', system: false, listRule: '', viewRule: '', createRule: null, updateRule: null, deleteRule: null,
    fields: [field('id', 'text', { primaryKey: true }), ...fields], indexes: [], created: '', updated: '',
  };
}

const people = collection('pbc_people', 'people', [field('name', 'text')]);
const staff = collection('pbc_staff', 'staff', [
  field('owner', 'relation', { collectionId: 'pbc_people', maxSelect: 1 }),
  field('salary', 'number', { readRule: 'owner = @request.auth.id' }),
  field('secret', 'text', { readRule: null }),
  field('open', 'text', { readRule: '' }),
  field('boss', 'relation', { collectionId: 'pbc_people', maxSelect: 1, readRule: 'owner = @request.auth.id' }),
  field('tags', 'select', { maxSelect: 3, values: ['a', 'b'], readRule: 'owner = @request.auth.id' }),
  field('profile', 'json', { readRule: 'owner = @request.auth.id' }),
]);

const DDL = `
CREATE TABLE people (id TEXT PRIMARY KEY, name TEXT DEFAULT '' NOT NULL);
CREATE TABLE staff (id TEXT PRIMARY KEY, owner TEXT DEFAULT '' NOT NULL, salary NUMERIC DEFAULT 0 NOT NULL,
  secret TEXT DEFAULT '' NOT NULL, open TEXT DEFAULT '' NOT NULL, boss TEXT DEFAULT '' NOT NULL,
  tags JSON DEFAULT '[]' NOT NULL, profile JSON DEFAULT NULL);
INSERT INTO people VALUES ('u1', 'Ann'), ('u2', 'Ben');
INSERT INTO staff VALUES ('s1', 'u1', 100, 'x', 'o1', 'u2', '["a"]', '{"band":3}'), ('s2', 'u2', 50, 'y', 'o2', 'u1', '["b"]', '{"band":1}');
`;

const raw = new Database(':memory:');
raw.exec(DDL);
const db = new Kysely<any>({ dialect: new KyselySqliteDialect({ database: raw }) });
const schema = new MemorySchema();
schema.replaceAll([people, staff]);
const compiler = createRuleCompiler({ dialect: new SqliteDialect(), schema });

const as = (id: string): RequestInfo => guestRequest({ auth: { collection: people, record: { id } } });

async function match(filter: string, request: RequestInfo, mode: CompileMode = 'clientFilter'): Promise<string[]> {
  const cond = compiler.compileFilter(filter, { collection: staff, rootAlias: 'root', request, mode });
  const { rows } = await sql<{ id: string }>`SELECT root.id FROM staff AS root WHERE ${cond} ORDER BY root.id`.execute(db);
  return rows.map((r) => r.id);
}

async function sorted(sort: string, request: RequestInfo): Promise<string[]> {
  const order = compiler.compileSort(sort, { collection: staff, rootAlias: 'root', request, mode: 'clientFilter' });
  const { rows } = await sql<{ id: string }>`SELECT root.id FROM staff AS root ORDER BY ${sql.join(order)}`.execute(db);
  return rows.map((r) => r.id);
}

function refused(filter: string, request: RequestInfo): boolean {
  try {
    compiler.compileFilter(filter, { collection: staff, rootAlias: 'root', request, mode: 'clientFilter' });
    return false;
  } catch (err) {
    return isFilterError(err);
  }
}

describe('a readRule in a client filter', () => {
  it.each([
    ['salary > 0', 'u1', ['s1']],
    ['salary > 0', 'u2', ['s2']],
    ['salary = null', 'u1', []],
    ['salary != 100', 'u1', []],
    ['salary:lower = "100"', 'u1', ['s1']],
    ['profile.band > 0', 'u2', ['s2']],
    ['tags:length > 0', 'u1', ['s1']],
    ['tags ?= "b"', 'u1', []],
    ['open != ""', 'u1', ['s1', 's2']],
  ])('%s as %s matches %j', async (filter, user, ids) => {
    expect(await match(filter, as(user))).toEqual(ids);
  });

  it('matches nothing guarded for a guest', async () => {
    expect(await match('salary > 0', guestRequest())).toEqual([]);
  });

  it.each(['secret = "x"', 'secret:lower = "x"', 'boss.name = "Ben"', 'boss.id = "u2"', 'tags:each = "a"'])(
    'refuses %s', (filter) => {
      expect(refused(filter, as('u1'))).toBe(true);
    },
  );

  it('lets superusers and rules use every field', async () => {
    expect(await match('secret = "x" && salary > 0', guestRequest({ isSuperuser: true }))).toEqual(['s1']);
    expect(await match('secret = "y" && boss.name = "Ann"', guestRequest(), 'rule')).toEqual(['s2']);
  });

  it('sorts a field the requester may not read as empty', async () => {
    expect(await sorted('-salary', as('u2'))).toEqual(['s2', 's1']);
    expect(await sorted('-salary', as('u1'))).toEqual(['s1', 's2']);
    await expect(sorted('secret', as('u1'))).rejects.toSatisfy(isFilterError);
  });
});

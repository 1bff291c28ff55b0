/**
 * Building a view collection (docs/api.md §2.1): its query is checked, the view created
 * in the schema change's transaction to learn its columns, and its fields derived from
 * them; `dryRunView` does the same in a transaction that is always rolled back.
 */
import { sql } from 'kysely';
import type { Db, Executor } from '../../db/database.js';
import { badRequest, isAppError } from '../../errors/app-error.js';
import { codeError } from '../../errors/code-error.js';
import { isServiceUnavailable, unavailable } from '../../errors/service-unavailable.js';
import { randomId } from '../../tools/ids.js';
import { fieldStorage } from '../fields/field-storage.js';
import type { Collection } from './collection.js';
import { normalizeNewCollection } from './collection-normalize.js';
import { errorText } from './collection-transaction.js';
import type { Schema } from './schema.js';
import type { SchemaDdl } from './schema-ddl.js';
import { deriveViewFields } from './view-fields.js';
import { viewQueryProblem } from './view-query.js';

/** The longest query `meta/dry-run-view` accepts (docs/api.md §2). */
const MAX_VIEW_QUERY_LENGTH = 5000;

/**
 * Creates the view of `next` (replacing the one of `old`) to learn its columns, then
 * derives its fields (docs/api.md §2.1); `all` is the schema its query is checked against.
 */
export async function buildView(ddl: SchemaDdl, trx: Executor, next: Collection, old: Collection | undefined, all: readonly Collection[]): Promise<Collection> {
  const failed = old ? 'Failed to update collection.' : 'Failed to create collection.';
  if (!next.viewQuery || !/^\s*select\s/i.test(next.viewQuery)) {
    throw badRequest(failed, { viewQuery: codeError('validation_invalid_view_query') });
  }
  const problem = viewQueryProblem(next.viewQuery, all);
  if (problem) throw badRequest(failed, { viewQuery: codeError('validation_invalid_view_query', undefined, problem) });
  if (old) await ddl.drop(trx, old);
  await createViewChecked(ddl, trx, next);
  const columns = await ddl.viewColumns(trx, next.name);
  return { ...next, ...deriveViewFields(next, columns, all, old) };
}

/** Creates a view and reads it once; a query the database refuses is a 400 on `viewQuery`. */
async function createViewChecked(ddl: SchemaDdl, trx: Executor, c: Collection): Promise<void> {
  try {
    // NOTE: a savepoint keeps a failed CREATE VIEW from poisoning the transaction on PostgreSQL.
    await sql.raw('SAVEPOINT plinth_view').execute(trx);
    await ddl.create(trx, c, fieldStorage);
    await sql`SELECT * FROM ${sql.table(c.name)} LIMIT 0`.execute(trx);
    await sql.raw('RELEASE SAVEPOINT plinth_view').execute(trx);
  } catch (err) {
    await sql.raw('ROLLBACK TO SAVEPOINT plinth_view').execute(trx);
    if (isAppError(err)) throw err;
    throw badRequest('Failed to create collection.', {
      viewQuery: codeError('validation_invalid_view_query'),
    }, err);
  }
}

/** What `dryRunView` needs. */
export interface DryRunViewDeps {
  db: Db;
  ddl: SchemaDdl;
  schema: Schema;
  /** Throws a 400 with `message` unless the derived view collection is valid. */
  assertValid(c: Collection, message: string): void;
}

/**
 * Derives the fields of a view query and reads up to 10 of its rows without saving
 * anything (docs/api.md §2 `meta/dry-run-view`): the view is created in a transaction
 * that is always rolled back.
 */
export async function dryRunView(deps: DryRunViewDeps, query: unknown): Promise<{ collection: Collection; rows: Record<string, unknown>[] }> {
  const message = 'Failed to dry run the view query.';
  if (typeof query !== 'string' || query.trim() === '') {
    throw badRequest(message, { query: codeError('validation_required') });
  }
  if (query.length > MAX_VIEW_QUERY_LENGTH) {
    throw badRequest(message, { query: codeError('validation_length_too_long', { max: MAX_VIEW_QUERY_LENGTH }) });
  }
  const name = `_dry_run_${randomId(10)}`;
  let draft = normalizeNewCollection({ name, type: 'view', viewQuery: query }, deps.schema.all().map((c) => c.id));
  let rows: Record<string, unknown>[] = [];
  const rollback = new Error('dry run rollback');
  try {
    await deps.db.transaction().execute(async (trx) => {
      draft = await buildView(deps.ddl, trx, draft, undefined, deps.schema.all());
      deps.assertValid(draft, message);
      rows = (await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(name)} LIMIT 10`.execute(trx)).rows;
      throw rollback;
    });
  } catch (err) {
    if (err !== rollback) {
      if (isAppError(err)) throw err;
      if (isServiceUnavailable(err)) throw unavailable(err);
      throw badRequest(`${message} Raw error: ${errorText(err)}`, {}, err);
    }
  }
  return { collection: draft, rows };
}

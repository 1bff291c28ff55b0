/** Inserts `rows` catalog rows (bench/lib/data.mjs) into `table` through SQL, 500 to a statement. */
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.js';
import { catalogRows } from '../lib/data.mjs';

type CatalogRow = { id: string; name: string; description: string; price: number };

export async function insertCatalog(db: Db, table: string, rows: number): Promise<void> {
  const t0 = performance.now();
  let batch: CatalogRow[] = [];
  const flush = async () => {
    await sql`INSERT INTO ${sql.table(table)} (id, name, description, price) VALUES ${sql.join(batch.map((r) => sql`(${r.id}, ${r.name}, ${r.description}, ${r.price})`))}`.execute(db);
    batch = [];
  };
  for (const row of catalogRows(4, rows) as Iterable<CatalogRow>) {
    batch.push(row);
    if (batch.length === 500) await flush();
  }
  if (batch.length > 0) await flush();
  console.log(`inserted ${rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** Resolves once no search index of the database is still filling (docs/search.md §4.1, §4.2). */
export async function searchFilled(db: Db, postgres: boolean): Promise<void> {
  const pending = postgres
    ? sql<{ n: number }>`SELECT count(*)::int AS n FROM _plinth_search_fill`
    : sql<{ n: number }>`SELECT count(*) AS n FROM _plinth_search WHERE done < start`;
  // No such table: no index was ever filled there.
  while (await pending.execute(db).then(({ rows }) => Number(rows[0]?.n), () => 0) > 0) await new Promise((r) => setTimeout(r, 250));
}

/**
 * The database a test runs on. `PLINTH_TEST_DIALECT=postgres` with
 * `PLINTH_TEST_DATABASE_URL` set runs the suite on PostgreSQL: each test file
 * gets a database of its own, created here and dropped when its server closes.
 * Otherwise tests run on SQLite in a temporary directory.
 */
import { randomBytes } from 'node:crypto';

/** The engine the suite runs on. */
export type TestDialect = 'sqlite' | 'postgres';

/** The engine chosen by `PLINTH_TEST_DIALECT` (default sqlite). */
export function testDialect(): TestDialect {
  const value = (process.env.PLINTH_TEST_DIALECT ?? '').trim().toLowerCase();
  if (value === '' || value === 'sqlite') return 'sqlite';
  if (value === 'postgres' || value === 'postgresql' || value === 'pg') return 'postgres';
  throw new Error(`PLINTH_TEST_DIALECT: "${value}" is neither sqlite nor postgres`);
}

/** The server URL PostgreSQL tests connect to, or undefined when none is configured. */
export function postgresTestUrl(): string | undefined {
  const url = process.env.PLINTH_TEST_DATABASE_URL?.trim();
  return url ? url : undefined;
}

/** Why a PostgreSQL-only test is skipped, printed once per file. */
export function postgresSkipReason(): string | undefined {
  if (postgresTestUrl()) return undefined;
  const reason = 'PLINTH_TEST_DATABASE_URL is not set: PostgreSQL tests are skipped';
  console.log(`[skip] ${reason}`);
  return reason;
}

/** A fresh database on the test server: its URL and a way to drop it. */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * Creates `plinth_test_<random>` on the server of PLINTH_TEST_DATABASE_URL. The
 * database name is generated here (hex), so splicing it into DDL is safe.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = postgresTestUrl();
  if (!base) throw new Error('PLINTH_TEST_DIALECT=postgres needs PLINTH_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)');
  const pg = (await import('pg')).default;
  const name = `plinth_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    // NOTE: a linguistic collation (ICU en-US, PostgreSQL 15+) where the server has one,
    // so the suite proves that sorting and matching do not depend on the database's
    // locale (the dialect compares text byte-wise); a plain database elsewhere.
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'`)
      .catch(() => admin.query(`CREATE DATABASE ${name}`));
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      try {
        // FORCE (PostgreSQL 13+) ends connections a failed test may have left open.
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

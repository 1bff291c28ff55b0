/**
 * A PostgreSQL database of the calling test file's own and a connection to it: created before
 * the file's tests (in the describe block that calls this), closed and dropped after them.
 */
import { afterAll, beforeAll } from 'vitest';
import { connectPostgres, type PostgresConnection } from '../../src/db/connect-postgres.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface PostgresTestConnection {
  /** The database (its URL, for a second connection). */
  readonly database: TestDatabase;
  readonly conn: PostgresConnection;
}

export function postgresTestConnection(): PostgresTestConnection {
  let database: TestDatabase | undefined;
  let conn: PostgresConnection | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    conn = await connectPostgres(database.url);
  });
  afterAll(async () => {
    await conn?.close();
    await database?.drop();
  });
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the test database is used before its beforeAll ran');
    return value;
  };
  return {
    get database() {
      return ready(database);
    },
    get conn() {
      return ready(conn);
    },
  };
}

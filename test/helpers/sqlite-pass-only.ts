/**
 * For a test file whose work does not depend on the engine under test: it spawns Plinth on
 * SQLite itself (the CLI, the bundle, library mode, the hooks folder) or drives the
 * dashboard in a browser over the HTTP API, whose engine-dependent behaviour the API tests
 * cover on both engines. The PostgreSQL pass (PLINTH_TEST_DIALECT=postgres) would only
 * repeat it, so it runs in the SQLite pass alone; this is the printed reason to skip.
 */
import { testDialect } from './test-database.js';

export function sqlitePassOnly(what: string): string | undefined {
  if (testDialect() !== 'postgres') return undefined;
  const reason = `${what}: independent of PLINTH_TEST_DIALECT, run in the SQLite pass only`;
  console.log(`[skip] ${reason}`);
  return reason;
}

/**
 * One backup or restore at a time across nodes (docs/operations.md, "One backup at a
 * time"): two nodes on one PostgreSQL database; while node A writes a backup, node B
 * refuses a backup and a restore with PocketBase's 400 and reports `canBackup: false`,
 * and takes one once A is done. Needs PLINTH_TEST_DATABASE_URL; skipped with a printed
 * reason otherwise (an embedded SQLite node is the only node).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from './helpers/test-database.js';
import { startTestServer, type TestServer } from './helpers/test-server.js';

const skip = postgresSkipReason();
if (skip) console.log(`backups across nodes skipped: ${skip}`);

const BUSY = { status: 400, body: { status: 400, message: 'Try again later - another backup/restore operation has already been started.', data: {} } };

describe.skipIf(skip)('two nodes on one PostgreSQL database', () => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    a = await startTestServer({ databaseUrl: database.url });
    b = await startTestServer({ databaseUrl: database.url });
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.drop();
  });

  it('runs one backup or restore at a time across both', async () => {
    const tokenB = await b.adminToken();
    expect((await b.request('POST', '/api/backups', { token: tokenB, body: { name: 'on_b.zip' } })).status).toBe(204);
    // 64 MiB of incompressible files in A's storage keep its backup running far longer than B's requests take.
    mkdirSync(join(a.dir, 'storage', 'bulk_test', 'r1'), { recursive: true });
    writeFileSync(join(a.dir, 'storage', 'bulk_test', 'r1', 'blob.bin'), randomBytes(64 << 20));
    const running = a.node.backups.create('on_a.zip');
    // A holds the lock once its first query ran: wait for B to see it.
    let canBackup = true;
    for (let i = 0; i < 100 && canBackup; i++) {
      canBackup = (await b.request('GET', '/api/health', { token: tokenB })).body.data.canBackup;
      if (canBackup) await new Promise((r) => setTimeout(r, 20));
    }
    expect(canBackup).toBe(false);
    expect(await b.request('POST', '/api/backups', { token: tokenB, body: {} })).toMatchObject(BUSY);
    expect(await b.request('POST', '/api/backups/on_b.zip/restore', { token: tokenB })).toMatchObject(BUSY);
    expect(await running).toBe('on_a.zip');
    expect((await b.request('GET', '/api/health', { token: tokenB })).body.data.canBackup).toBe(true);
    expect((await b.request('POST', '/api/backups', { token: tokenB, body: { name: 'after_a.zip' } })).status).toBe(204);
  }, 60_000);
});

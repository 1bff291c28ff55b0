/**
 * Starting Plinth on PostgreSQL (`DATABASE_URL`): several nodes on one fresh
 * database, and a database that cannot be reached. Skipped with a printed reason
 * without PLINTH_TEST_DATABASE_URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createPlinth } from '../src/app/create-plinth.js';
import type { PlinthConfig } from '../src/config/config.js';
import { ConfigError } from '../src/config/config-error.js';
import { createTestDatabase, postgresSkipReason } from './helpers/test-database.js';

const skip = postgresSkipReason();
const scratch = mkdtempSync(join(tmpdir(), 'plinth-pg-start-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function config(name: string, databaseUrl: string): PlinthConfig {
  return {
    http: { host: '127.0.0.1', port: 0 }, dir: join(scratch, name), origins: ['*'], dev: false, logLevel: 'silent',
    bodyLimit: 1024 * 1024, queryTimeout: 30, databaseUrl,
  };
}

describe.skipIf(skip !== undefined)('starting on PostgreSQL', () => {
  it('lets three nodes start together on one fresh database, which then has one set of system collections', async () => {
    const database = await createTestDatabase();
    try {
      const started = await Promise.allSettled([0, 1, 2].map((i) => createPlinth(config(`n${i}`, database.url), { logger: false })));
      const nodes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      try {
        expect(started.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
        await nodes[0]!.superusers.upsert('first@example.com', 'first-password-1');
        // Every node reads the same database: the superuser created on one exists on the others.
        for (const node of nodes) expect(await node.superusers.count()).toBe(1);
        const res = await nodes[1]!.http.inject({ method: 'GET', url: '/api/health' });
        expect(res.statusCode).toBe(200);
      } finally {
        await Promise.all(nodes.map((n) => n.close()));
      }
    } finally {
      await database.drop();
    }
  });

  it('runs its sessions without parallel workers or JIT, unless DATABASE_URL sets options of its own', async () => {
    const database = await createTestDatabase();
    const settings = async (url: string) => {
      const node = await createPlinth(config('sessions', url), { logger: false });
      try {
        const { rows } = await sql<{ workers: string; jit: string }>`SELECT current_setting('max_parallel_workers_per_gather') AS workers, current_setting('jit') AS jit`.execute(node.db());
        return rows[0];
      } finally {
        await node.close();
      }
    };
    try {
      expect(await settings(database.url)).toEqual({ workers: '0', jit: 'off' });
      const own = new URL(database.url);
      own.searchParams.set('options', '-c max_parallel_workers_per_gather=2');
      expect(await settings(own.toString())).toEqual({ workers: '2', jit: expect.any(String) });
    } finally {
      await database.drop();
    }
  });

  it('stops with a ConfigError naming DATABASE_URL and the reason when the database does not exist', async () => {
    const url = new URL(process.env.PLINTH_TEST_DATABASE_URL!);
    url.pathname = '/plinth_no_such_database';
    const err = await createPlinth(config('missing', url.toString()), { logger: false }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/^DATABASE_URL: cannot connect to PostgreSQL at .*\/plinth_no_such_database: database "plinth_no_such_database" does not exist/);
  });
});

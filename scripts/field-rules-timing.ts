/**
 * A quick single-client timing of field readRules on a list of 500 records
 * (docs/field-rules.md §Cost): the same list without field rules, with two rules that do
 * not read the record (evaluated once per request), and with two that do (verdict
 * columns of the list query). Not a benchmark: one client, one process, a few hundred
 * requests; `npm run bench` is where throughput is measured.
 *
 *   npx tsx scripts/field-rules-timing.ts                 # SQLite in a temporary folder
 *   PLINTH_TEST_DIALECT=postgres PLINTH_TEST_DATABASE_URL=postgres://… npx tsx scripts/field-rules-timing.ts
 *                                                         # a database of its own on that server, dropped after
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createPlinth } from '../src/app/create-plinth.js';
import type { PlinthConfig } from '../src/config/config.js';
import { createTestDatabase, testDialect, type TestDatabase } from '../test/helpers/test-database.js';

const RECORDS = 1000;
const REQUESTS = 300;
const PASSWORD = 'timing-password-123';

const VARIANTS: Record<string, { salary?: string; notes?: string }> = {
  'no field rules': {},
  'rules of the request only': { salary: '@request.auth.id != ""', notes: '@request.auth.verified = false' },
  'rules of the record': { salary: 'owner = @request.auth.id', notes: 'owner = @request.auth.id || level > 5' },
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'plinth-frules-'));
  const database: TestDatabase | undefined = testDialect() === 'postgres' ? await createTestDatabase() : undefined;
  const config: PlinthConfig = {
    http: { host: '127.0.0.1', port: 0 }, dir, origins: ['*'], dev: false, logLevel: 'silent',
    bodyLimit: 32 * 1024 * 1024, queryTimeout: 30, databaseUrl: database?.url,
  };
  const node = await createPlinth(config, { logger: false });
  await node.superusers.upsert('admin@example.com', PASSWORD);
  const { url } = await node.listen();
  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(url + path, {
      method, body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: token } : {}) },
    });
    const json = await res.json().catch(() => undefined);
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  try {
    const admin = (await call('POST', '/api/collections/_superusers/auth-with-password', undefined, { identity: 'admin@example.com', password: PASSWORD })).token;
    const user = await call('POST', '/api/collections/users/records', admin, { email: 'u@example.com', password: PASSWORD, passwordConfirm: PASSWORD });
    const token = (await call('POST', '/api/collections/users/auth-with-password', undefined, { identity: 'u@example.com', password: PASSWORD })).token;
    for (const [label, rules] of Object.entries(VARIANTS)) {
      const name = `timing_${Object.keys(VARIANTS).indexOf(label)}`;
      const guarded = (rule: string | undefined) => (rule === undefined ? {} : { readRule: rule });
      await call('POST', '/api/collections', admin, {
        name, listRule: '', viewRule: '',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
          { name: 'level', type: 'number' },
          { name: 'salary', type: 'number', ...guarded(rules.salary) },
          { name: 'notes', type: 'text', ...guarded(rules.notes) },
        ],
      });
      await fillRecords(call, admin, name, user.id as string);
    }
    // Round-robin over the variants, so that what else the machine does weighs on each alike.
    const paths = Object.keys(VARIANTS).map((_, i) => `/api/collections/timing_${i}/records?perPage=500&skipTotal=1`);
    for (let i = 0; i < 20; i++) for (const path of paths) await call('GET', path, token);
    const times: number[][] = paths.map(() => []);
    for (let i = 0; i < REQUESTS; i++) {
      for (const [v, path] of paths.entries()) {
        const start = performance.now();
        await call('GET', path, token);
        times[v]!.push(performance.now() - start);
      }
    }
    for (const [v, label] of Object.keys(VARIANTS).entries()) {
      const sorted = times[v]!.sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(2);
      console.log(`${label.padEnd(28)} median ${at(0.5)} ms   p95 ${at(0.95)} ms   (list of 500, ${REQUESTS} requests)`);
    }
  } finally {
    await node.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Creates RECORDS records through batches of 50 (every other one owned by the timing user). */
async function fillRecords(call: (m: string, p: string, t?: string, b?: unknown) => Promise<any>, admin: string, name: string, owner: string): Promise<void> {
  await call('PATCH', '/api/settings', admin, { batch: { enabled: true, maxRequests: 50, timeout: 10, maxBodySize: 0 } });
  for (let i = 0; i < RECORDS; i += 50) {
    const requests = Array.from({ length: 50 }, (_, j) => ({
      method: 'POST', url: `/api/collections/${name}/records`,
      body: { title: `record ${i + j}`, owner: (i + j) % 2 === 0 ? owner : '', level: (i + j) % 10, salary: i + j, notes: `note ${i + j}` },
    }));
    await call('POST', '/api/batch', admin, { requests });
  }
}

await main();

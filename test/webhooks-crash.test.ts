/**
 * A node SIGKILLed during deliveries loses none of them (docs/webhooks.md §6): the outbox
 * rows are committed with the writes, and a second node on the same data delivers what the
 * first held once its claims expire — the delivery in flight again, with the same
 * `webhook-id` (at least once). On PostgreSQL when PLINTH_TEST_DIALECT=postgres, else SQLite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, requestJson } from './helpers/plinth-process.js';
import { createTestDatabase, testDialect, type TestDatabase } from './helpers/test-database.js';
import { startReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';
import { eventually } from './helpers/jobs.js';

const EMAIL = 'hooks@example.com';
const PASSWORD = 'hooks-password-123';
const RECORDS = 20;
const mainFile = fileURLToPath(new URL('./helpers/webhook-node-main.ts', import.meta.url));
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const scratch = mkdtempSync(join(tmpdir(), 'plinth-webhooks-crash-'));
const children: ChildProcess[] = [];
let database: TestDatabase | undefined;
let receiver: WebhookReceiver;

beforeAll(async () => {
  if (testDialect() === 'postgres') database = await createTestDatabase();
  receiver = await startReceiver();
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await receiver.close();
  await database?.drop();
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

/** Starts a node on the shared data; resolves with its URL and process. */
function startNode(): Promise<{ url: string; child: ChildProcess; exited: Promise<void> }> {
  const env = childEnv({ NODE_DIR: join(scratch, 'data'), NODE_EMAIL: EMAIL, NODE_PASSWORD: PASSWORD, DATABASE_URL: database?.url ?? '' });
  const child = spawn(process.execPath, ['--import', tsxLoader, mainFile], { cwd: scratch, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (chunk) => (err += chunk));
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /Server started at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve({ url: match[1]!, child, exited });
    });
    child.on('exit', (code) => reject(new Error(`node exited ${code}\n${out}\n${err}`)));
  });
}

describe('webhook deliveries across a SIGKILL', () => {
  it('delivers every committed event after the node delivering them was killed', async () => {
    // The first delivery hangs: the node is killed while it holds it.
    receiver.answer = (_req, n) => (n === 0 ? 'hang' : { status: 204 });
    const first = await startNode();
    const auth = await requestJson(`${first.url}/api/collections/_superusers/auth-with-password`, 'POST', { identity: EMAIL, password: PASSWORD });
    const token = auth.body.token as string;
    const c = await requestJson(`${first.url}/api/collections`, 'POST', { name: 'orders', type: 'base', fields: [{ name: 'n', type: 'number' }] }, token);
    expect(c.status).toBe(200);
    const w = await requestJson(`${first.url}/api/webhooks`, 'POST', { name: 'crash', url: receiver.url, events: ['orders.create'] }, token);
    expect(w.status).toBe(200);
    const ids: string[] = [];
    for (let n = 0; n < RECORDS; n++) {
      const r = await requestJson(`${first.url}/api/collections/orders/records`, 'POST', { n }, token);
      expect(r.status).toBe(200);
      ids.push(r.body.id);
    }
    await receiver.waitFor(1);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startNode();
    const delivered = () => new Set(receiver.received.filter((_, i) => i > 0).map((g) => (g.json as any).record.id));
    await eventually(() => (ids.every((id) => delivered().has(id)) ? true : undefined), 'every event delivered', 60_000);
    // The delivery that was in flight went again, under the same webhook-id.
    const held = receiver.received[0]!;
    const again = receiver.received.filter((g) => g.headers['webhook-id'] === held.headers['webhook-id']);
    expect(again.length).toBeGreaterThanOrEqual(2);
    const secondAuth = await requestJson(`${second.url}/api/collections/_superusers/auth-with-password`, 'POST', { identity: EMAIL, password: PASSWORD });
    const log = await eventually(async () => {
      const r = await requestJson(`${second.url}/api/webhooks/${w.body.id}/deliveries?perPage=100`, 'GET', undefined, secondAuth.body.token);
      return r.body.items.length === RECORDS && r.body.items.every((d: { status: string }) => d.status === 'done') ? r.body.items : undefined;
    }, 'every delivery done');
    expect(log).toHaveLength(RECORDS);
    second.child.kill('SIGTERM');
    await second.exited;
  }, 120_000);
});

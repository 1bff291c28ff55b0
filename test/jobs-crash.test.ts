/**
 * At-least-once across process deaths (docs/jobs.md §3, §7), with real `plinth serve`
 * processes and a hooks file whose job writes its side effect to a log:
 * - SIGKILL mid-job: a second node on the same data runs the job again once the
 *   visibility timeout passed (`--jobVisibilityTimeout=1`); the side effect happens
 *   once, the dedupe key keeps one row.
 * - SIGTERM: a job that finishes within the grace period finishes; one that does
 *   not is given back at once (queued, its attempt not counted) and runs on the next node.
 * - `--dev`: a reload of the hooks file replaces the job's handler; a job enqueued
 *   under the old file runs with the new one.
 * On PostgreSQL when PLINTH_TEST_DIALECT=postgres, else SQLite.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, requestJson, runPlinth, startPlinth, type PlinthProcess } from './helpers/plinth-process.js';
import { createTestDatabase, testDialect, type TestDatabase } from './helpers/test-database.js';
import { eventually } from './helpers/jobs.js';

const EMAIL = 'jobs@example.com';
const PASSWORD = 'jobs-password-123';

// The job logs `start`, then — unless JOB_MODE=block — `done` (after 1.5 s with JOB_MODE=slow).
const HOOKS = `
import { appendFileSync } from 'node:fs';
export default (app) => {
  app.jobs.define('mail', async (ctx) => {
    const log = process.env.JOB_LOG;
    appendFileSync(log, 'start ' + ctx.payload.order + ' ' + process.pid + '\\n');
    if (process.env.JOB_MODE === 'block') await new Promise(() => {});
    if (process.env.JOB_MODE === 'slow') await new Promise((r) => setTimeout(r, 1500));
    appendFileSync(log, 'done ' + ctx.payload.order + ' ' + process.pid + '\\n');
    return { pid: process.pid };
  }, { attempts: 5 });
  app.routerAdd('POST', '/test/enqueue/{order}', async (e) => {
    const order = e.request.pathValue('order');
    return e.json(200, await app.jobs.enqueue('mail', { order }, { key: 'mail:' + order }));
  });
};
`;

const scratch = mkdtempSync(join(tmpdir(), 'plinth-jobs-crash-'));
const dir = join(scratch, 'data');
const hooksDir = join(scratch, 'hooks');
const log = join(scratch, 'jobs.log');
const nodes: PlinthProcess[] = [];
let database: TestDatabase | undefined;
let baseEnv: Record<string, string> = {};
let token = '';

beforeAll(async () => {
  mkdirSync(hooksDir);
  writeFileSync(join(hooksDir, 'jobs.mjs'), HOOKS);
  if (testDialect() === 'postgres') {
    database = await createTestDatabase();
    baseEnv = { DATABASE_URL: database.url };
  }
  const upsert = await runPlinth(['superuser', 'upsert', EMAIL, PASSWORD, `--dir=${dir}`], childEnv(baseEnv), scratch);
  expect(upsert.code, upsert.out).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const node of nodes) if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
  await Promise.all(nodes.map((n) => n.exited));
  await database?.drop();
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

/** Starts a node on the shared data with the job in `mode`. */
async function serve(mode: 'block' | 'slow' | 'fast', visibility: string): Promise<PlinthProcess> {
  const env = childEnv({ ...baseEnv, JOB_LOG: log, JOB_MODE: mode });
  const node = await startPlinth([`--dir=${dir}`, `--hooksDir=${hooksDir}`, `--jobVisibilityTimeout=${visibility}`, '--jobPollInterval=0.2'], env, scratch);
  nodes.push(node);
  const auth = await requestJson(`${node.url}/api/collections/_superusers/auth-with-password`, 'POST', { identity: EMAIL, password: PASSWORD });
  expect(auth.status).toBe(200);
  token = auth.body.token;
  return node;
}

function logLines(order: string): string[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').split('\n').filter((l) => l.split(' ')[1] === order);
}

async function jobOf(node: PlinthProcess, id: string): Promise<any> {
  const res = await requestJson(`${node.url}/api/jobs/${id}`, 'GET', undefined, token);
  expect(res.status).toBe(200);
  return res.body;
}

describe('jobs across process deaths', () => {
  it('runs a job again on another node after its worker was SIGKILLed mid-job, with one side effect', async () => {
    const first = await serve('block', '1');
    const enqueued = await requestJson(`${first.url}/test/enqueue/k1`, 'POST');
    expect(enqueued.status).toBe(200);
    const id = enqueued.body.id;
    await eventually(() => (logLines('k1').length === 1 ? true : undefined), 'the first attempt to start');
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await serve('fast', '1');
    const done = await eventually(async () => {
      const job = await jobOf(second, id);
      return job.status === 'done' ? job : undefined;
    }, 'the job to run again');
    expect(done.attempts).toBe(2);
    expect(done.result).toEqual({ pid: second.child.pid });
    const lines = logLines('k1');
    expect(lines).toEqual([`start k1 ${first.child.pid}`, `start k1 ${second.child.pid}`, `done k1 ${second.child.pid}`]);
    // The same key again: the same job, no second row, no second side effect.
    const again = await requestJson(`${second.url}/test/enqueue/k1`, 'POST');
    expect(again.body.id).toBe(id);
    const listed = await requestJson(`${second.url}/api/jobs?name=mail`, 'GET', undefined, token);
    expect(listed.body.items.filter((j: { key: string }) => j.key === 'mail:k1')).toHaveLength(1);
    await second.stop();
  }, 120_000);

  it('on SIGTERM lets a running job finish within the grace period', async () => {
    const first = await serve('slow', '60');
    const { body } = await requestJson(`${first.url}/test/enqueue/t1`, 'POST');
    await eventually(() => (logLines('t1').length === 1 ? true : undefined), 'the job to start');
    await first.stop();
    expect(logLines('t1')).toEqual([`start t1 ${first.child.pid}`, `done t1 ${first.child.pid}`]);
    const next = await serve('fast', '60');
    expect(await jobOf(next, body.id)).toMatchObject({ status: 'done', attempts: 1 });
    await next.stop();
  }, 120_000);

  it('on SIGTERM gives back a job that outlasts the grace period, and the next node runs it at once', async () => {
    const first = await serve('block', '60');
    const { body } = await requestJson(`${first.url}/test/enqueue/t2`, 'POST');
    await eventually(() => (logLines('t2').length === 1 ? true : undefined), 'the job to start');
    await first.stop();
    expect(first.child.exitCode).toBe(0);
    // Given back, not left to a 60 s visibility timeout: the next node runs it now.
    const next = await serve('fast', '60');
    const done = await eventually(async () => {
      const job = await jobOf(next, body.id);
      return job.status === 'done' ? job : undefined;
    }, 'the given-back job to run');
    expect(done.attempts).toBe(1);
    expect(logLines('t2')).toEqual([`start t2 ${first.child.pid}`, `start t2 ${next.child.pid}`, `done t2 ${next.child.pid}`]);
    await next.stop();
  }, 120_000);
});

describe('jobs across a --dev reload', () => {
  const version = (v: string): string => `
export default (app) => {
  app.jobs.define('versioned', async () => '${v}');
  app.routerAdd('GET', '/test/version', (e) => e.json(200, { version: '${v}' }));
  app.routerAdd('POST', '/test/later', async (e) => e.json(200, await app.jobs.enqueue('versioned', {}, { delay: 3_600_000 })));
};
`;

  it('replaces the handler of a job defined by a reloaded hooks file', async () => {
    const devHooks = join(scratch, 'dev-hooks');
    mkdirSync(devHooks);
    writeFileSync(join(devHooks, 'versioned.mjs'), version('v1'));
    const env = childEnv({ ...baseEnv });
    const node = await startPlinth([`--dir=${dir}`, `--hooksDir=${devHooks}`, '--dev', '--jobPollInterval=0.2'], env, scratch);
    nodes.push(node);
    const auth = await requestJson(`${node.url}/api/collections/_superusers/auth-with-password`, 'POST', { identity: EMAIL, password: PASSWORD });
    const admin = auth.body.token;
    const { body: job } = await requestJson(`${node.url}/test/later`, 'POST');
    expect(job.status).toBe('queued');
    writeFileSync(join(devHooks, 'versioned.mjs'), version('v2'));
    await eventually(async () => ((await requestJson(`${node.url}/test/version`, 'GET').catch(() => undefined))?.body?.version === 'v2' ? true : undefined), 'the reload');
    expect((await requestJson(`${node.url}/api/jobs/${job.id}/retry`, 'POST', undefined, admin)).status).toBe(200);
    const done = await eventually(async () => {
      const r = await requestJson(`${node.url}/api/jobs/${job.id}`, 'GET', undefined, admin);
      return r.body.status === 'done' ? r.body : undefined;
    }, 'the job to run');
    expect(done.result).toBe('v2');
    await node.stop();
    expect(node.child.exitCode).toBe(0);
  }, 120_000);
});

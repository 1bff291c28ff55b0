/**
 * Without SMTP a flow's mail is never dropped silently (docs/api.md §9 smtp), but its content
 * stays out of the log: the log says that a mail was withheld (kind, recipient,
 * subject). Only a node started with `--dev` writes the whole mail, link included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { createPlinth, type PlinthNode } from '../src/app/create-plinth.js';
import { createTestDatabase, testDialect, type TestDatabase } from './helpers/test-database.js';

/** A node whose warn-level log lines are kept, as parsed JSON and as raw text. */
interface LoggedNode {
  node: PlinthNode;
  lines: Record<string, any>[];
  raw: string[];
  inject(url: string, payload: unknown, token?: string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

const nodes: LoggedNode[] = [];

async function startLoggedNode(dev: boolean): Promise<LoggedNode> {
  const dir = mkdtempSync(join(tmpdir(), 'plinth-mail-log-'));
  const lines: Record<string, any>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      done();
    },
  });
  let database: TestDatabase | undefined;
  if (testDialect() === 'postgres') database = await createTestDatabase();
  const node = await createPlinth(
    { http: { host: '127.0.0.1', port: 0 }, dir, origins: ['*'], dev, logLevel: 'warn', bodyLimit: 1024 * 1024, queryTimeout: 30, databaseUrl: database?.url },
    { logger: { level: 'warn', stream } },
  );
  await node.superusers.upsert('admin@example.com', 'admin-password-123');
  const inject = (url: string, payload: unknown, token?: string) =>
    node.http.inject({ method: 'POST', url, payload: payload as object, headers: token ? { authorization: token } : {} });
  const logged: LoggedNode = {
    node, lines, raw, inject,
    async close() {
      await node.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  nodes.push(logged);
  return logged;
}

afterAll(async () => {
  for (const n of nodes) await n.close();
});

/** Signs in the superuser and creates a user with OTP on; returns the superuser token. */
async function setUp(n: LoggedNode, email: string): Promise<string> {
  const admin = (await n.inject('/api/collections/_superusers/auth-with-password', { identity: 'admin@example.com', password: 'admin-password-123' })).json().token as string;
  const otp = await n.node.http.inject({ method: 'PATCH', url: '/api/collections/users', payload: { otp: { enabled: true } }, headers: { authorization: admin } });
  expect(otp.statusCode).toBe(200);
  const created = await n.inject('/api/collections/users/records', { email, password: 'password123', passwordConfirm: 'password123' }, admin);
  expect(created.statusCode).toBe(200);
  return admin;
}

/** Waits for the log lines of `count` mails (mails are made after the answer). */
async function mailLines(n: LoggedNode, count: number): Promise<Record<string, any>[]> {
  for (let i = 0; i < 200 && n.lines.filter((l) => l.mail).length < count; i++) await new Promise((res) => setTimeout(res, 20));
  const found = n.lines.filter((l) => l.mail);
  expect(found.length, JSON.stringify(n.lines)).toBe(count);
  return found;
}

describe('without --dev', () => {
  it('logs that the reset and OTP mails were withheld, never their link or code', async () => {
    const n = await startLoggedNode(false);
    await setUp(n, 'withheld@example.com');
    expect((await n.inject('/api/collections/users/request-password-reset', { email: 'withheld@example.com' })).statusCode).toBe(204);
    expect((await n.inject('/api/collections/users/request-otp', { email: 'withheld@example.com' })).statusCode).toBe(200);
    const [reset, otp] = await mailLines(n, 2);
    for (const entry of [reset!, otp!]) {
      expect(entry.level).toBe(40);
      expect(Object.keys(entry.mail).sort()).toEqual(['kind', 'subject', 'to']);
      expect(entry.mail.to).toEqual([{ address: 'withheld@example.com' }]);
      expect(entry.msg).toContain('not sent');
    }
    expect(reset!.mail).toMatchObject({ kind: 'password-reset', subject: 'Reset your Plinth password' });
    expect(otp!.mail.kind).toBe('otp');
    const all = n.raw.join('\n');
    expect(all).not.toContain('confirm-password-reset');
    // No token (three base64url parts) and no code: the content never reached the log.
    expect(all).not.toMatch(/ey[\w-]+\.[\w-]+\.[\w-]+/);
    expect(all).not.toMatch(/"(html|text)"/);
  });
});

describe('with --dev', () => {
  it('logs the whole password-reset mail, and the logged link works', async () => {
    const n = await startLoggedNode(true);
    await setUp(n, 'logged@example.com');
    const r = await n.inject('/api/collections/users/request-password-reset', { email: 'logged@example.com' });
    expect(r.statusCode).toBe(204);
    const [entry] = await mailLines(n, 1);
    expect(entry!.level).toBe(40);
    expect(entry!.mail.kind).toBe('password-reset');
    expect(entry!.mail.to).toEqual([{ address: 'logged@example.com' }]);
    expect(entry!.mail.from).toEqual({ name: 'Support', address: 'support@example.com' });
    expect(entry!.mail.subject).toBe('Reset your Plinth password');
    expect(entry!.mail.html).toMatch(/http:\/\/127\.0\.0\.1:8090\/_\/#\/auth\/confirm-password-reset\/[\w-]+\.[\w-]+\.[\w-]+/);
    expect(entry!.mail.text).toContain('Reset password (http://127.0.0.1:8090/_/#/auth/confirm-password-reset/');

    const token = /confirm-password-reset\/([\w.-]+)"/.exec(entry!.mail.html)![1];
    const confirm = await n.inject('/api/collections/users/confirm-password-reset', { token, password: 'password456', passwordConfirm: 'password456' });
    expect(confirm.statusCode).toBe(204);
  });
});

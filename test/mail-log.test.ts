/**
 * Without SMTP, a flow's mail is written to the log in full — never dropped
 * silently — so an operator can still read the link (issue 3, spec §9 smtp).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPlinth, type PlinthNode } from '../src/app/create-plinth.js';

let node: PlinthNode;
let dir: string;
const lines: Record<string, any>[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'plinth-mail-log-'));
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  node = await createPlinth(
    { http: { host: '127.0.0.1', port: 0 }, dir, origins: ['*'], dev: false, logLevel: 'warn', bodyLimit: 1024 * 1024, queryTimeout: 30 },
    { logger: { level: 'warn', stream } },
  );
  await node.superusers.upsert('admin@example.com', 'admin-password-123');
});
afterAll(async () => {
  await node?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('logs the whole password-reset mail, link included, when SMTP is not enabled', async () => {
  const inject = (url: string, payload: unknown, token?: string) =>
    node.http.inject({ method: 'POST', url, payload: payload as object, headers: token ? { authorization: token } : {} });
  const admin = (await inject('/api/collections/_superusers/auth-with-password', { identity: 'admin@example.com', password: 'admin-password-123' })).json().token as string;
  const created = await inject('/api/collections/users/records', { email: 'logged@example.com', password: 'password123', passwordConfirm: 'password123' }, admin);
  expect(created.statusCode).toBe(200);

  const r = await inject('/api/collections/users/request-password-reset', { email: 'logged@example.com' });
  expect(r.statusCode).toBe(204);
  // The mail is made after the answer, so wait for its log line.
  for (let i = 0; i < 100 && !lines.some((l) => l.mail); i++) await new Promise((res) => setTimeout(res, 20));
  const entry = lines.find((l) => l.mail);
  expect(entry, JSON.stringify(lines)).toBeDefined();
  expect(entry!.level).toBe(40);
  expect(entry!.mail.to).toEqual([{ address: 'logged@example.com' }]);
  expect(entry!.mail.from).toEqual({ name: 'Support', address: 'support@example.com' });
  expect(entry!.mail.subject).toBe('Reset your Plinth password');
  expect(entry!.mail.html).toMatch(/http:\/\/127\.0\.0\.1:8090\/_\/#\/auth\/confirm-password-reset\/[\w-]+\.[\w-]+\.[\w-]+/);
  expect(entry!.mail.text).toContain('Reset password (http://127.0.0.1:8090/_/#/auth/confirm-password-reset/');

  // The logged link works: its token resets the password.
  const token = /confirm-password-reset\/([\w.-]+)"/.exec(entry!.mail.html)![1];
  const confirm = await inject('/api/collections/users/confirm-password-reset', { token, password: 'password456', passwordConfirm: 'password456' });
  expect(confirm.statusCode).toBe(204);
});

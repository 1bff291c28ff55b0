/**
 * Starts a real Plinth node on a free loopback port over a fresh temporary data
 * directory, with one superuser, for HTTP scenarios and SDK flows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { createPlinth, type PlinthNode, type PlinthOptions } from '../../src/app/create-plinth.js';
import type { PlinthConfig } from '../../src/config/config.js';
import type { Plugin } from '../../src/app/plinth-app.js';
import { createTestDatabase, testDialect, type TestDatabase } from './test-database.js';

/** The superuser every test server starts with. */
export const SUPERUSER = { email: 'admin@example.com', password: 'admin-password-123' };

/** A running test server. */
export interface TestServer {
  node: PlinthNode;
  url: string;
  dir: string;
  /** A fresh SDK client, not signed in. */
  client(): PocketBase;
  /** An SDK client signed in as the superuser. */
  admin(): Promise<PocketBase>;
  /** A superuser token for raw requests. */
  adminToken(): Promise<string>;
  /** fetch against the server with JSON handling; returns status, headers and parsed body. */
  request(method: string, path: string, options?: { body?: unknown; token?: string; headers?: Record<string, string> }): Promise<{ status: number; headers: Headers; body: any; text: string }>;
  close(): Promise<void>;
}

/** Code-only options of a test server: PlinthOptions seams, and plugins run when it starts. */
export type TestServerOptions = Omit<PlinthOptions, 'logger'> & { plugins?: Plugin[] };

/** Starts a test server; `options` are code-only seams such as a loosened outbound HTTP guard, and plugins. */
export async function startTestServer(overrides: Partial<PlinthConfig> = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'plinth-test-'));
  const config: PlinthConfig = {
    http: { host: '127.0.0.1', port: 0 },
    dir,
    origins: ['*'],
    dev: false,
    logLevel: 'silent',
    bodyLimit: 32 * 1024 * 1024,
    queryTimeout: 30,
    ...overrides,
  };
  // PLINTH_TEST_DIALECT=postgres: a database of this file's own, dropped on close.
  let database: TestDatabase | undefined;
  if (testDialect() === 'postgres' && overrides.databaseUrl === undefined) {
    database = await createTestDatabase();
    config.databaseUrl = database.url;
  }
  const { plugins = [], ...plinthOptions } = options;
  const node = await createPlinth(config, { ...plinthOptions, logger: false });
  for (const plugin of plugins) node.use(plugin);
  await node.superusers.upsert(SUPERUSER.email, SUPERUSER.password);
  const { url } = await node.listen();
  let token: string | undefined;
  const server: TestServer = {
    node,
    url,
    dir,
    client: () => new PocketBase(url),
    async admin() {
      const pb = new PocketBase(url);
      pb.autoCancellation(false);
      await pb.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
      return pb;
    },
    async adminToken() {
      if (!token) token = (await server.admin()).authStore.token;
      return token;
    },
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.Authorization = options.token;
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['Content-Type'] ??= 'application/json';
      }
      const res = await fetch(url + path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = undefined;
      try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async close() {
      await node.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/**
 * `plinth typegen` (docs/typegen.md): writes TypeScript types of the collections for the
 * `pocketbase` SDK, read from a running server (`--url`, with a superuser's token or
 * credentials) or from a data directory (`--dir`, the server need not run).
 */
import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config/load-config.js';
import type { Collection } from '../core/collections/collection.js';
import { generateSdkTypes } from '../core/typegen/sdk-types.js';
import type { CliContext } from './cli-context.js';
import { helpText } from './help.js';
import { parseCommandArgs, type CommandOptions } from './parse-command-args.js';
import { UsageError } from './usage-error.js';
import { withDataDir } from './with-data-dir.js';

const TYPEGEN_OPTIONS = {
  dir: { type: 'string' },
  out: { type: 'string' },
  url: { type: 'string' },
  token: { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies CommandOptions;

/** How long one request to the server may take. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Collections read per page from the server; pages are read until the last. */
const PAGE_SIZE = 200;

/** Runs `plinth typegen`; resolves with the exit code. */
export async function runTypegen(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, TYPEGEN_OPTIONS, 'typegen');
  if (values.help) {
    ctx.stdout(helpText('typegen'));
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`typegen: unexpected argument "${positionals[0]}"`, 'typegen');
  const str = (name: string, env: string): string | undefined => {
    const value = values[name] ?? ctx.env[env];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const out = resolve(ctx.cwd, str('out', 'PLINTH_TYPEGEN_OUT') ?? 'pocketbase-types.ts');
  const url = str('url', 'PLINTH_TYPEGEN_URL');
  if (url !== undefined && values.dir !== undefined) throw new UsageError('typegen: give --url or --dir, not both', 'typegen');
  const write = async (collections: readonly Collection[]): Promise<string> => {
    await writeFile(out, generateSdkTypes(collections));
    return `Wrote the types of ${collections.length} collections to ${out}`;
  };
  if (url === undefined) {
    const config = loadConfig({ dir: values.dir }, ctx.env, ctx.cwd);
    // Reading types must not create a data directory where a mistyped --dir points.
    if (config.databaseUrl === undefined && !existsSync(join(config.dir, 'data.db'))) {
      ctx.stderr(`Error: no data directory at ${config.dir} (no data.db there); give --dir, or --url of a running server\n`);
      return 1;
    }
    return withDataDir(ctx, config, async (plinth) => {
      if (!plinth.findAllCollections) throw new Error('this build cannot list collections');
      return write(plinth.findAllCollections());
    });
  }
  const server = parseServerUrl(url);
  const token = str('token', 'PLINTH_TYPEGEN_TOKEN') ?? (await signIn(server, str('email', 'PLINTH_TYPEGEN_EMAIL'), str('password', 'PLINTH_TYPEGEN_PASSWORD')));
  ctx.stdout(`${await write(await fetchCollections(server, token))}\n`);
  return 0;
}

function parseServerUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url: "${text}" is not a URL`, 'typegen');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('--url: must be an http or https address', 'typegen');
  return url;
}

/**
 * The address of `path` on the server: under the server address's own path, if it has one
 * (a server a reverse proxy serves at `https://example.com/pb`), as the SDK and pocketbase-typegen read it.
 */
function endpoint(server: URL, path: string): URL {
  const base = server.pathname.endsWith('/') ? server.pathname.slice(0, -1) : server.pathname;
  return new URL(`${base}${path}`, server);
}

/** A superuser token from `email` and `password`. */
async function signIn(server: URL, email: string | undefined, password: string | undefined): Promise<string> {
  if (email === undefined || password === undefined) {
    throw new UsageError('typegen --url needs a superuser: --token=TOKEN, or --email=EMAIL with --password=PASSWORD (or PLINTH_TYPEGEN_TOKEN, PLINTH_TYPEGEN_EMAIL, PLINTH_TYPEGEN_PASSWORD)', 'typegen');
  }
  const body = await requestJson(endpoint(server, '/api/collections/_superusers/auth-with-password'), {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identity: email, password }),
  });
  const token = (body as { token?: unknown }).token;
  if (typeof token !== 'string') throw new Error('the sign-in answer has no token');
  return token;
}

/** Every collection of the server, page by page. */
async function fetchCollections(server: URL, token: string): Promise<Collection[]> {
  const all: Collection[] = [];
  for (let page = 1; ; page++) {
    const url = endpoint(server, '/api/collections');
    url.search = new URLSearchParams({ page: String(page), perPage: String(PAGE_SIZE) }).toString();
    const body = (await requestJson(url, { headers: { Authorization: token } })) as { items?: unknown; totalPages?: unknown };
    if (!Array.isArray(body.items)) throw new Error('the server\'s collection list has no items');
    for (const item of body.items) all.push(assertCollection(item));
    if (body.items.length < PAGE_SIZE || (typeof body.totalPages === 'number' && page >= body.totalPages)) return all;
  }
}

function assertCollection(item: unknown): Collection {
  const c = item as Partial<Collection> | null;
  if (!c || typeof c.name !== 'string' || typeof c.type !== 'string' || !Array.isArray(c.fields)) throw new Error('the server answered a collection without name, type or fields');
  return c as Collection;
}

async function requestJson(url: URL, init: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (err) {
    throw new Error(`cannot reach ${url.origin}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${url.pathname} answered ${res.status} with no JSON`);
  }
  if (!res.ok) {
    const message = (body as { message?: unknown }).message;
    throw new Error(`${url.pathname} answered ${res.status}${typeof message === 'string' ? `: ${message}` : ''}`);
  }
  return body;
}

/**
 * Runs the real `plinth` CLI as child processes (`node --import tsx src/cli/main.ts`),
 * for tests of several nodes and of outages: `serve` on a port the OS picks, with its
 * URL read from the start-up banner.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const main = join(root, 'src/cli/main.ts');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** A running `plinth serve`. */
export interface PlinthProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Resolves when the process has exited, however it ended. */
  exited: Promise<void>;
  /** Sends SIGTERM and waits for the exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

/** The environment of a child: the caller's, minus PLINTH_* and the URLs a test must set itself. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PLINTH_') && k !== 'DATABASE_URL' && k !== 'REDIS_URL'));
  return { ...env, ...extra };
}

/** Runs the CLI to completion; resolves with its exit code and output. */
export function runPlinth(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, main, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('close', (code) => done({ code, out }));
  });
}

/** Starts `plinth serve --http=127.0.0.1:0` with `args` and resolves once it listens. */
export async function startPlinth(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<PlinthProcess> {
  const child = spawn(process.execPath, ['--import', tsxLoader, main, 'serve', '--http=127.0.0.1:0', '--logLevel=warn', ...args], {
    cwd, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk) => (err += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 60s\n${out}\n${err}`)), 60_000);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /Server started at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}\n${out}\n${err}`));
    });
  });
  return {
    url,
    child,
    exited,
    stderr: () => err,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A JSON request, failing after 20 s rather than hanging; resolves with the status and the parsed body. */
export async function requestJson(url: string, method: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = token;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: the raw text is returned for the assertion message.
  }
  return { status: res.status, body: parsed };
}

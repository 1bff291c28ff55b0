/**
 * Helpers for the files tests: images made on the fly, multipart requests,
 * raw GETs with bytes, and a listing of what the storage directory holds.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import sharp from 'sharp';
import type { TestServer } from './test-server.js';

/** A PNG of `width`×`height`; `noise` makes it incompressible (large). */
export async function png(width: number, height: number, noise = false): Promise<Buffer> {
  if (noise) {
    const raw = Buffer.alloc(width * height * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 7919 + (i >> 3) * 104729) % 251;
    return sharp(raw, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
  }
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png().toBuffer();
}

/** Width and height of an image. */
export async function imageSize(data: Buffer): Promise<{ width?: number; height?: number; format?: string }> {
  const m = await sharp(data).metadata();
  return { width: m.width, height: m.height, format: m.format };
}

/** A raw response with its body as bytes and, when it is JSON, parsed. */
export interface RawResponse {
  status: number;
  headers: Headers;
  bytes: Buffer;
  body: any;
}

/** Sends `form` (multipart) or `json` and reads the answer. */
export async function send(s: TestServer, method: string, path: string, options: { form?: FormData; json?: unknown; token?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = options.token;
  let body: FormData | string | undefined = options.form;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(s.url + path, { method, headers, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  let parsed: unknown;
  try { parsed = JSON.parse(bytes.toString('utf8')); } catch { parsed = undefined; }
  return { status: res.status, headers: res.headers, bytes, body: parsed };
}

/** A FormData from `[key, value]` pairs; a value `{ name, data }` becomes a file part. */
export function form(entries: Array<[string, string | { name: string; data: Buffer | string; type?: string }]>): FormData {
  const fd = new FormData();
  for (const [key, value] of entries) {
    if (typeof value === 'string') fd.append(key, value);
    else fd.append(key, new Blob([value.data], { type: value.type ?? 'application/octet-stream' }), value.name);
  }
  return fd;
}

/** Every file (relative path) under `<dir>/storage/<prefix>`, metadata and temp folders excluded. */
export function storedFiles(s: TestServer, prefix: string): string[] {
  const root = join(s.dir, 'storage');
  const start = join(root, prefix);
  if (!existsSync(start)) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(root, path));
    }
  };
  walk(start);
  return out.sort();
}

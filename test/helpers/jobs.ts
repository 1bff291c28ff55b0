/**
 * What the jobs tests share: waiting (with a generous deadline, never a timing
 * assertion) until a job reaches a state, read through the jobs API.
 */
import type { TestServer } from './test-server.js';

/** Calls `probe` every 20 ms until it returns something other than undefined; fails after `ms`. */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The job through `GET /api/jobs/{id}` once `accept` holds for it. */
export async function jobWhen(s: TestServer, token: string, id: string, accept: (job: any) => boolean, what: string): Promise<any> {
  return eventually(async () => {
    const res = await s.request('GET', `/api/jobs/${id}`, { token });
    return res.status === 200 && accept(res.body) ? res.body : undefined;
  }, `job ${id} ${what}`);
}

/** Jobs of `name` through `GET /api/jobs?name=`. */
export async function jobsNamed(s: TestServer, token: string, name: string): Promise<any[]> {
  const res = await s.request('GET', `/api/jobs?name=${encodeURIComponent(name)}&perPage=1000`, { token });
  if (res.status !== 200) throw new Error(`GET /api/jobs answered ${res.status}: ${res.text}`);
  return res.body.items;
}

/**
 * `GET /api/metrics` (docs/observability.md §1): who may read it (superusers, or the metrics
 * token in constant time; 401 for a guest or a wrong token, 403 for a user), and what it
 * counts — requests labelled by route pattern (custom routes too, 404 under one fixed
 * label, never the raw URL), database statements by kind, realtime streams and
 * subscriptions, jobs by status and outcome, rate-limit rejections by rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { uniqueName, userToken } from './helpers/collections.js';
import { eventually } from './helpers/jobs.js';
import { loadConfig } from '../src/config/load-config.js';

const TOKEN = 'metrics-token-0123456789abcdef';

let s: TestServer;
let admin: string;
let user: string;

beforeAll(async () => {
  s = await startTestServer({ metricsToken: TOKEN, trustedProxies: ['127.0.0.1'] }, {
    plugins: [(app) => { app.routerAdd('GET', '/hello/{name}', (e) => e.json(200, { hi: 'there' })); }],
  });
  admin = await s.adminToken();
  user = await userToken(s);
});
afterAll(async () => {
  await s?.close();
});

/** The metrics text as the superuser reads it. */
async function scrape(): Promise<string> {
  const r = await s.request('GET', '/api/metrics', { token: admin });
  expect(r.status).toBe(200);
  return r.text;
}

/** The value of the one sample whose name and labels start as `prefix` (0 when absent). */
function sample(text: string, prefix: string): number {
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('who may read the metrics', () => {
  it('answers a superuser in the Prometheus text format', async () => {
    const r = await s.request('GET', '/api/metrics', { token: admin });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.text).toContain('# TYPE plinth_http_requests_total counter');
    expect(r.text).toContain('# TYPE plinth_http_request_duration_seconds histogram');
    expect(r.text).toContain('process_cpu_user_seconds_total');
  });

  it('answers the metrics token, with or without "Bearer "', async () => {
    expect((await s.request('GET', '/api/metrics', { token: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await s.request('GET', '/api/metrics', { token: TOKEN })).status).toBe(200);
  });

  it('refuses a guest and a wrong token with 401, a signed-in user with 403', async () => {
    const guest = await s.request('GET', '/api/metrics');
    expect(guest.status).toBe(401);
    expect(guest.body).toEqual({ status: 401, message: expect.stringMatching(/metrics token/), data: {} });
    expect((await s.request('GET', '/api/metrics', { token: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await s.request('GET', '/api/metrics', { token: `Bearer ${TOKEN.slice(0, -1)}` })).status).toBe(401);
    expect((await s.request('GET', '/api/metrics', { token: user })).status).toBe(403);
  });

  it('refuses a short or unprintable PLINTH_METRICS_TOKEN at start-up, naming it', () => {
    expect(() => loadConfig({}, { PLINTH_METRICS_TOKEN: 'short' }, '/tmp')).toThrow(/PLINTH_METRICS_TOKEN: the token must be 16/);
    expect(() => loadConfig({}, { PLINTH_METRICS_TOKEN: 'a token with spaces inside' }, '/tmp')).toThrow(/PLINTH_METRICS_TOKEN: .*printable/);
    expect(() => loadConfig({ metricsToken: 'x' }, {}, '/tmp')).toThrow(/--metricsToken/);
    expect(loadConfig({}, { PLINTH_METRICS_TOKEN: TOKEN }, '/tmp').metricsToken).toBe(TOKEN);
  });
});

describe('what the metrics count', () => {
  it('labels requests by route pattern and status, never by the raw URL', async () => {
    const names = [uniqueName('secret_a'), uniqueName('secret_b')];
    for (const name of names) expect((await s.request('GET', `/api/collections/${name}/records`)).status).toBe(404);
    const before = sample(await scrape(), 'plinth_http_requests_total{method="GET",route="/api/collections/:collection/records",status="404"}');
    await s.request('GET', `/api/collections/${names[0]}/records`);
    const text = await scrape();
    expect(sample(text, 'plinth_http_requests_total{method="GET",route="/api/collections/:collection/records",status="404"}')).toBe(before + 1);
    expect(text).toContain('plinth_http_request_duration_seconds_bucket{le="0.001",method="GET",route="/api/collections/:collection/records",status="404"}');
    for (const name of names) expect(text).not.toContain(name);
  });

  it('labels custom routes by their pattern and unmatched URLs with one fixed label', async () => {
    await s.request('GET', '/hello/alice');
    await s.request('GET', '/hello/bob');
    const missing = `/no-such-${uniqueName('path')}`;
    expect((await s.request('GET', missing)).status).toBe(404);
    const text = await scrape();
    expect(sample(text, 'plinth_http_requests_total{method="GET",route="/hello/:name",status="200"}')).toBe(2);
    expect(sample(text, 'plinth_http_requests_total{method="GET",route="(unmatched)",status="404"}')).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('alice');
    expect(text).not.toContain(missing);
  });

  it('times database statements by kind, without their SQL', async () => {
    const text = await scrape();
    expect(sample(text, 'plinth_db_query_duration_seconds_count{operation="select"}')).toBeGreaterThan(0);
    expect(sample(text, 'plinth_db_query_duration_seconds_count{operation="insert"}')).toBeGreaterThan(0);
    expect(text).not.toMatch(/SELECT|_superusers/);
  });

  it('reads realtime streams and subscriptions when scraped', async () => {
    const controller = new AbortController();
    const res = await fetch(`${s.url}/api/realtime`, { signal: controller.signal });
    const reader = res.body!.getReader();
    let first = '';
    while (!first.includes('\n\n')) first += new TextDecoder().decode((await reader.read()).value);
    const clientId = /^id:(.*)\n/.exec(first)![1]!;
    try {
      let text = await scrape();
      expect(sample(text, 'plinth_realtime_streams ')).toBe(1);
      expect(sample(text, 'plinth_realtime_subscriptions ')).toBe(0);
      const sub = await s.request('POST', '/api/realtime', { body: { clientId, subscriptions: ['users/*', 'users/abc'] } });
      expect(sub.status).toBe(204);
      text = await scrape();
      expect(sample(text, 'plinth_realtime_subscriptions ')).toBe(2);
    } finally {
      controller.abort();
    }
  });

  it('counts job attempts by name and outcome, and jobs by status', async () => {
    const ok = uniqueName('metric_ok');
    const bad = uniqueName('metric_bad');
    s.node.jobs.define(ok, async () => 'fine');
    s.node.jobs.define(bad, async () => { throw new Error('no'); }, { attempts: 1 });
    await s.node.jobs.enqueue(ok, {});
    await s.node.jobs.enqueue(bad, {});
    await s.node.jobs.enqueue(ok, {}, { runAt: Date.now() + 3_600_000 });
    await eventually(async () => {
      const text = await scrape();
      return sample(text, `plinth_jobs_processed_total{name="${ok}",outcome="done"}`) === 1
        && sample(text, `plinth_jobs_processed_total{name="${bad}",outcome="dead"}`) === 1 ? text : undefined;
    }, 'both attempts counted');
    const text = await scrape();
    expect(sample(text, 'plinth_jobs{status="queued"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'plinth_jobs{status="dead"}')).toBeGreaterThanOrEqual(1);
  });

  it('counts rate-limit rejections by the rule that fired', async () => {
    const settings = await s.request('PATCH', '/api/settings', {
      token: admin, body: { rateLimits: { enabled: true, excludedIPs: [], rules: [{ label: '/hello/', audience: '', duration: 60, maxRequests: 1 }] } },
    });
    expect(settings.status).toBe(200);
    const ip = { 'X-Forwarded-For': '203.0.113.77' };
    expect((await s.request('GET', '/hello/carol', { headers: ip })).status).toBe(200);
    expect((await s.request('GET', '/hello/carol', { headers: ip })).status).toBe(429);
    expect((await s.request('GET', '/hello/carol', { headers: ip })).status).toBe(429);
    await s.request('PATCH', '/api/settings', { token: admin, body: { rateLimits: { enabled: false } } });
    expect(sample(await scrape(), 'plinth_rate_limit_rejections_total{rule="/hello/"}')).toBe(2);
  });
});

/**
 * OpenTelemetry tracing (docs/observability.md §3) against an OTLP/HTTP receiver this test
 * starts on loopback: with OTEL_EXPORTER_OTLP_ENDPOINT set, a request that carries a W3C
 * `traceparent` gets a server span in the caller's trace, named by its route pattern, with
 * rule, SQL and hook spans beneath it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/test-server.js';
import { uniqueName } from './helpers/collections.js';
import { eventually } from './helpers/jobs.js';
import { tracing } from '../src/tools/tracing.js';

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

const received: ReceivedSpan[] = [];
let receiver: Server;
let s: TestServer;
const collection = uniqueName('traced');
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const data = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: ReceivedSpan[] }[] }[] };
        for (const rs of data.resourceSpans) for (const ss of rs.scopeSpans) received.push(...ss.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  process.env.OTEL_BSP_SCHEDULE_DELAY = '50';
  s = await startTestServer({}, {
    plugins: [(app) => { app.onRecordCreate(async (e) => { await e.next(); }, collection); }],
  });
  const admin = await s.adminToken();
  const created = await s.request('POST', '/api/collections', {
    token: admin, body: { name: collection, type: 'base', createRule: "title != ''", fields: [{ name: 'title', type: 'text' }] },
  });
  expect(created.status).toBe(200);
});
afterAll(async () => {
  await s?.close();
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  await new Promise((resolve) => receiver?.close(resolve));
});

const attribute = (span: ReceivedSpan, key: string): unknown => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value && Object.values(value)[0];
};

describe('tracing with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  // The spans of other tests are in the same receiver: each test finds its own by trace, name or parent.
  it('is on for the node', () => {
    expect(tracing.tracer).toBeDefined();
  });

  it('puts a request in the caller\'s trace, with rule, SQL and hook spans beneath its server span', async () => {
    const r = await s.request('POST', `/api/collections/${collection}/records`, {
      body: { title: 'hello' }, headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` },
    });
    expect(r.status).toBe(200);
    const server = await eventually(() => received.find((span) => span.traceId === TRACE_ID && span.kind === 2), 'the server span');
    expect(server.name).toBe('POST /api/collections/:collection/records');
    expect(server.parentSpanId).toBe(PARENT_ID);
    expect(attribute(server, 'http.response.status_code')).toBe(200);
    expect(attribute(server, 'http.route')).toBe('/api/collections/:collection/records');

    const inTrace = () => received.filter((span) => span.traceId === TRACE_ID);
    const hook = await eventually(() => inTrace().find((span) => span.name === 'hook onRecordCreate'), 'the hook span');
    const insert = await eventually(() => inTrace().find((span) => span.name.startsWith('INSERT ')), 'the SQL span');
    expect(attribute(insert, 'db.query.text')).toMatch(/^insert into/i);
    expect(attribute(insert, 'db.query.text')).not.toContain('hello');
    const rule = await eventually(() => inTrace().find((span) => span.name === 'rule eval'), 'the rule span');
    expect(attribute(rule, 'plinth.rule')).toBe("title != ''");

    // Each span descends from the server span.
    const byId = new Map(inTrace().map((span) => [span.spanId, span]));
    const descends = (span: ReceivedSpan): boolean => {
      for (let at: ReceivedSpan | undefined = span; at; at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined) {
        if (at.spanId === server.spanId) return true;
      }
      return false;
    };
    for (const span of [hook, insert, rule]) expect(descends(span), span.name).toBe(true);
  });

  it('starts a new trace for a request without traceparent, named by the route pattern, with its status', async () => {
    await s.request('GET', `/api/collections/${collection}/records/nothere`);
    const span = await eventually(() => received.find((sp) => sp.kind === 2 && sp.name === 'GET /api/collections/:collection/records/:id'), 'the server span');
    expect(span.traceId).not.toBe(TRACE_ID);
    expect(attribute(span, 'http.response.status_code')).toBe(403);
  });

  it('traces each job attempt, with its SQL beneath it', async () => {
    const name = uniqueName('traced_job');
    s.node.jobs.define(name, async () => {
      await s.node.countRecords(collection);
      return 'ok';
    });
    await s.node.jobs.enqueue(name, {});
    const job = await eventually(() => received.find((span) => span.name === `job ${name}`), 'the job span');
    expect(attribute(job, 'plinth.job.attempt')).toBe(1);
    await eventually(() => received.find((span) => span.parentSpanId === job.spanId && span.name.startsWith('SELECT ')), 'the job\'s SQL span');
  });
});

/**
 * A real webhook receiver on loopback for delivery tests: records every POST (headers and
 * raw body) and answers with what the test scripted — a status, a body, or no answer at all.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
}

/** What the receiver answers to one request: a status and body, or 'hang' to never answer. */
export type Answer = { status: number; body?: string } | 'hang';

/** A running receiver. */
export interface WebhookReceiver {
  url: string;
  received: Received[];
  /** Decides the answer to the n-th request (0-based); 204 by default. */
  answer: (req: Received, n: number) => Answer;
  /** Resolves once `count` requests arrived (fails the test after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 on a free port. */
export async function startReceiver(): Promise<WebhookReceiver> {
  const hanging: ServerResponse[] = [];
  let waiters: (() => boolean)[] = [];
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    answer: () => ({ status: 204 }),
    waitFor: (count, timeoutMs = 15_000) => new Promise((resolve, reject) => {
      const check = () => {
        if (receiver.received.length < count) return false;
        resolve(receiver.received.slice());
        return true;
      };
      if (check()) return;
      const timer = setTimeout(() => reject(new Error(`expected ${count} deliveries, got ${receiver.received.length}`)), timeoutMs);
      waiters.push(() => {
        if (!check()) return false;
        clearTimeout(timer);
        return true;
      });
    }),
    close: () => new Promise((resolve) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try { json = JSON.parse(body); } catch { json = undefined; }
      const got: Received = { headers: req.headers, body, json };
      const n = receiver.received.length;
      receiver.received.push(got);
      const answer = receiver.answer(got, n);
      if (answer === 'hang') hanging.push(res);
      else res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body ?? '');
      waiters = waiters.filter((w) => !w());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}

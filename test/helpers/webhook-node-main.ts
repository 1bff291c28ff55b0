/**
 * A node for the webhook crash test, run as a child process (`node --import tsx`): like
 * `plinth serve`, but built in code with the loopback-allowing outbound guard a test
 * receiver needs (PlinthOptions.outbound is code-only by design) and quick job timings.
 * Reads NODE_DIR and DATABASE_URL; prints "Server started at <url>" once it listens.
 */
import { createPlinth } from '../../src/app/create-plinth.js';
import { OutboundHttp } from '../../src/tools/outbound-http.js';

const node = await createPlinth({
  http: { host: '127.0.0.1', port: 0 },
  dir: process.env.NODE_DIR!,
  databaseUrl: process.env.DATABASE_URL || undefined,
  origins: ['*'],
  dev: false,
  logLevel: 'silent',
  bodyLimit: 32 * 1024 * 1024,
  queryTimeout: 30,
  jobPollInterval: 0.2,
  jobVisibilityTimeout: 1,
}, {
  logger: false,
  outbound: OutboundHttp.allowingLoopbackForTests(),
  webhookDelivery: { attempts: 10, backoff: { type: 'fixed', delayMs: 100 }, timeoutMs: 60_000 },
});
await node.superusers.upsert(process.env.NODE_EMAIL!, process.env.NODE_PASSWORD!);
const { url } = await node.listen();
console.log(`Server started at ${url}`);

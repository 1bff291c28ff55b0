/**
 * The Redis a test runs against: `PLINTH_TEST_REDIS_URL` (CI sets it) switches the
 * Redis suites on. Every test run gets a key prefix of its own, so files running in
 * parallel on one Redis never see each other's keys or channels.
 */
import { randomBytes } from 'node:crypto';

/** The Redis URL of the test server, or undefined when none is configured. */
export function redisTestUrl(): string | undefined {
  const url = process.env.PLINTH_TEST_REDIS_URL?.trim();
  return url ? url : undefined;
}

/** Why a Redis test is skipped (printed once per file), or undefined when it runs. */
export function redisSkipReason(): string | undefined {
  if (redisTestUrl()) return undefined;
  const reason = 'PLINTH_TEST_REDIS_URL is not set: Redis tests are skipped';
  console.log(`[skip] ${reason}`);
  return reason;
}

/** A fresh key and channel prefix, e.g. `plinth-test:1a2b3c4d5e6f:`. */
export function testRedisPrefix(): string {
  return `plinth-test:${randomBytes(6).toString('hex')}:`;
}

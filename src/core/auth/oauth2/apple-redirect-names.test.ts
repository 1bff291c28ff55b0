import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../../adapters/bus/memory-bus.js';
import { AppleRedirectNames, parseAppleName } from './apple-redirect-names.js';

describe('parseAppleName', () => {
  it.each([
    ['{"name":{"firstName":"Ada","lastName":"Lovelace"},"email":"a@b.c"}', 'Ada Lovelace'],
    ['{"name":{"firstName":"Ada"}}', 'Ada'],
    ['{"name":{"lastName":" Lovelace "}}', 'Lovelace'],
    ['{"name":{"firstName":1,"lastName":null}}', ''],
    ['{"email":"a@b.c"}', ''],
    ['null', ''],
    ['not json', ''],
    ['', ''],
    [`{"name":{"firstName":"${'x'.repeat(200)}"}}`, 'x'.repeat(150)],
    [`{"name":{"firstName":"${'x'.repeat(5000)}"}}`, ''],
  ])('%s → %j', (input, name) => {
    expect(parseAppleName(input)).toBe(name);
  });
});

describe('AppleRedirectNames', () => {
  let stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops) await stop();
    stops = [];
  });

  /** Two "nodes" on one bus, with a clock the test moves. */
  async function twoNodes() {
    const bus = new MemoryBus();
    const clock = { now: 1_000_000 };
    const a = new AppleRedirectNames(bus, () => clock.now);
    const b = new AppleRedirectNames(bus, () => clock.now);
    await a.start();
    await b.start();
    stops.push(() => a.stop(), () => b.stop(), () => bus.close());
    // The memory bus delivers on a microtask, as Redis delivers later.
    const settle = () => new Promise((r) => setTimeout(r, 0));
    return { a, b, clock, settle };
  }

  it('a name remembered on one node is taken once on another', async () => {
    const n = await twoNodes();
    await n.a.remember('code-1', '{"name":{"firstName":"Ada","lastName":"Lovelace"}}');
    await n.settle();
    expect(n.b.take('code-2')).toBe('');
    expect(n.b.take('code-1')).toBe('Ada Lovelace');
    expect(n.b.take('code-1')).toBe('');
    // Each node holds its own copy; the other one still has it until it expires.
    expect(n.a.take('code-1')).toBe('Ada Lovelace');
  });

  it('forgets a name after a minute', async () => {
    const n = await twoNodes();
    await n.a.remember('code-1', '{"name":{"firstName":"Ada"}}');
    await n.settle();
    n.clock.now += 60_000;
    expect(n.b.take('code-1')).toBe('');
  });

  it('ignores values without a name and empty codes', async () => {
    const n = await twoNodes();
    await n.a.remember('code-1', '{"email":"a@b.c"}');
    await n.a.remember('', '{"name":{"firstName":"Ada"}}');
    await n.settle();
    expect(n.b.take('code-1')).toBe('');
    expect(n.b.take('')).toBe('');
  });
});

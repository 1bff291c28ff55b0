import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatDateTime } from '../../tools/datetime.js';
import type { LogStore, NewLogEntry } from './log-store.js';
import { LogWriter, type LogsSettings } from './log-writer.js';

/** A store that keeps inserted batches, optionally blocked until released. */
function memoryStore() {
  const batches: NewLogEntry[][] = [];
  let release: (() => void) | undefined;
  let blocked: Promise<void> | undefined;
  const store = {
    async insert(entries: readonly NewLogEntry[]) {
      if (blocked) await blocked;
      batches.push([...entries]);
    },
  } as unknown as LogStore;
  return {
    store, batches,
    block() { blocked = new Promise((r) => (release = r)); },
    unblock() { release?.(); blocked = undefined; },
  };
}

const settings = (over: Partial<LogsSettings> = {}) => () => ({ maxDays: 5, minLevel: 0, ...over });

describe('LogWriter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stamps each entry with its own millisecond, within one second and across seconds', async () => {
    const m = memoryStore();
    const w = new LogWriter({ store: m.store, settings: settings(), onError: () => undefined, flushMs: 60_000 });
    const times = [Date.UTC(2026, 11, 7, 2, 15, 0, 0), Date.UTC(2026, 11, 7, 2, 15, 0, 7), Date.UTC(2026, 11, 7, 2, 15, 0, 42),
      Date.UTC(2026, 11, 7, 2, 15, 0, 999), Date.UTC(2026, 11, 7, 2, 15, 1, 5), Date.UTC(2026, 11, 31, 23, 59, 59, 100), Date.UTC(2027, 0, 1, 0, 0, 0, 100)];
    vi.useFakeTimers({ toFake: ['Date'] });
    for (const t of times) {
      vi.setSystemTime(t);
      w.write(0, 'x', {});
    }
    vi.useRealTimers();
    await w.stop();
    expect(m.batches.flat().map((e) => e.created)).toEqual(times.map((t) => formatDateTime(new Date(t))));
  });

  it('writes nothing on the caller\'s path and everything on stop', async () => {
    const m = memoryStore();
    const w = new LogWriter({ store: m.store, settings: settings(), onError: () => undefined, flushMs: 60_000 });
    w.write(0, 'one', {});
    w.write(8, 'two', { a: 1 });
    expect(m.batches).toEqual([]);
    await w.stop();
    expect(m.batches.flat().map((e) => [e.level, e.message, JSON.parse(e.dataJson)])).toEqual([[0, 'one', {}], [8, 'two', { a: 1 }]]);
    w.write(0, 'after stop', {});
    await w.flush();
    expect(m.batches.flat()).toHaveLength(2);
  });

  it('applies minLevel and maxDays 0', async () => {
    const m = memoryStore();
    let s = settings({ minLevel: 4 });
    const w = new LogWriter({ store: m.store, settings: () => s(), onError: () => undefined, flushMs: 60_000 });
    w.write(0, 'info', {});
    w.write(4, 'warn', {});
    s = settings({ maxDays: 0 });
    w.write(8, 'kept for no days', {});
    await w.flush();
    expect(m.batches.flat().map((e) => e.message)).toEqual(['warn']);
  });

  it('drops the oldest entries past the bound, counting them, while the store is stuck', async () => {
    const m = memoryStore();
    const w = new LogWriter({ store: m.store, settings: settings(), onError: () => undefined, flushMs: 60_000, batchSize: 1000, maxPending: 3 });
    m.block();
    w.write(0, 'first', {});
    const stuck = w.flush();
    for (const msg of ['a', 'b', 'c', 'd', 'e']) w.write(0, msg, {});
    expect(w.dropped).toBe(2);
    m.unblock();
    await stuck;
    await w.flush();
    expect(m.batches.flat().map((e) => e.message)).toEqual(['first', 'c', 'd', 'e']);
  });

  it('counts a failed batch as dropped and reports it', async () => {
    const errors: unknown[] = [];
    const store = { insert: async () => { throw new Error('disk full'); } } as unknown as LogStore;
    const w = new LogWriter({ store, settings: settings(), onError: (err) => errors.push(err), flushMs: 60_000 });
    w.write(0, 'x', {});
    await w.flush();
    expect(w.dropped).toBe(1);
    expect(errors).toHaveLength(1);
  });
});

describe('AppLogger', () => {
  it('takes PocketBase\'s (message, data) and pino\'s (data, message) alike, and with()', async () => {
    const { AppLogger } = await import('./app-logger.js');
    const m = memoryStore();
    const w = new LogWriter({ store: m.store, settings: settings({ minLevel: -4 }), onError: () => undefined, flushMs: 60_000 });
    const printed: unknown[] = [];
    const stdout = { debug: (o: object, s: string) => printed.push([o, s]), info: (o: object, s: string) => printed.push([o, s]), warn: (o: object, s: string) => printed.push([o, s]), error: (o: object, s: string) => printed.push([o, s]) };
    const log = new AppLogger(w, stdout);
    log.info('one', { a: 1 });
    log.info({ b: 2 }, 'two');
    log.with({ c: 3 }).error('three', { err: new Error('boom') });
    await w.flush();
    expect(m.batches.flat().map((e) => [e.level, e.message, JSON.parse(e.dataJson)])).toEqual([[0, 'one', { a: 1 }], [0, 'two', { b: 2 }], [8, 'three', { c: 3, err: 'boom' }]]);
    expect(printed).toHaveLength(3);
  });
});

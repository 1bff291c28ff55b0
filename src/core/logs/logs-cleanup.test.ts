import { describe, expect, it } from 'vitest';
import type { LogStore } from './log-store.js';
import { deleteOldLogs } from './logs-cleanup.js';

describe('deleteOldLogs', () => {
  const now = Date.parse('2026-12-10T12:00:00.000Z');
  const run = async (maxDays: number) => {
    const cuts: string[] = [];
    const store = { deleteBefore: async (created: string) => { cuts.push(created); } } as unknown as LogStore;
    await deleteOldLogs({ store, settings: () => ({ maxDays }), now: () => now });
    return cuts;
  };

  it('deletes what is older than maxDays', async () => {
    expect(await run(5)).toEqual(['2026-12-05 12:00:00.000Z']);
  });

  it('deletes everything with maxDays 0, as PocketBase', async () => {
    expect(await run(0)).toEqual(['2026-12-10 12:00:00.000Z']);
  });
});

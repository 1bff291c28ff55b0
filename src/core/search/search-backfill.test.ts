import { describe, expect, it } from 'vitest';
import type { Executor } from '../../db/database.js';
import type { FullText } from '../../db/dialect/full-text.js';
import { SearchBackfill } from './search-backfill.js';

/** A FullText whose fill takes `steps` steps, each reporting 1, and whose last step waits for the abort when `hang`. */
function fakeFullText(steps: number, hang: boolean): FullText & { calls: number } {
  const ft = {
    calls: 0,
    async backfill(_db: Executor, _batch: number, signal?: AbortSignal): Promise<number> {
      ft.calls++;
      if (ft.calls > steps) return 0;
      if (hang && ft.calls === steps) {
        await new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new Error('canceling statement due to user request'))));
      }
      return 1;
    },
  };
  return ft as unknown as FullText & { calls: number };
}

describe('SearchBackfill', () => {
  it('runs steps until one reports nothing left', async () => {
    const fullText = fakeFullText(3, false);
    const errors: unknown[] = [];
    const fill = new SearchBackfill({ db: {} as Executor, fullText, onError: (err) => errors.push(err) });
    fill.kick();
    await fill.idle();
    expect(fullText.calls).toBe(4);
    expect(errors).toEqual([]);
  });

  it('stop() cancels a long step through its signal, and the cancellation is not reported as a failure', async () => {
    const fullText = fakeFullText(2, true);
    const errors: unknown[] = [];
    const fill = new SearchBackfill({ db: {} as Executor, fullText, onError: (err) => errors.push(err) });
    fill.kick();
    await new Promise((r) => setTimeout(r, 10));
    await fill.stop();
    expect(fullText.calls).toBe(2);
    expect(errors).toEqual([]);
    fill.kick();
    await fill.idle();
    expect(fullText.calls).toBe(2);
  });

  it('looks again after a failed step when it was kicked meanwhile, and only then', async () => {
    let calls = 0;
    let release: () => void = () => undefined;
    const fullText = {
      async backfill(): Promise<number> {
        calls++;
        if (calls === 1) {
          await new Promise<void>((resolve) => { release = resolve; });
          throw new Error('relation "docs" does not exist');
        }
        return 0;
      },
    } as unknown as FullText;
    const errors: unknown[] = [];
    const fill = new SearchBackfill({ db: {} as Executor, fullText, onError: (err) => errors.push(err) });
    fill.kick();
    await new Promise((r) => setTimeout(r, 5));
    fill.kick();
    release();
    await new Promise((r) => setTimeout(r, 5));
    await fill.idle();
    expect(errors).toHaveLength(1);
    expect(calls).toBe(2);
  });

  it('reports a step that fails while it runs', async () => {
    const fullText = { backfill: async () => Promise.reject(new Error('disk full')) } as unknown as FullText;
    const errors: unknown[] = [];
    const fill = new SearchBackfill({ db: {} as Executor, fullText, onError: (err) => errors.push(err) });
    fill.kick();
    await fill.idle();
    expect(errors).toHaveLength(1);
  });
});

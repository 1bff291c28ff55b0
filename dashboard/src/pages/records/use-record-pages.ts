/**
 * Loads a collection's records page by page for the virtualised table (docs/dashboard.md,
 * "Records"): pages of 200 through getList with `skipTotal` (the total is counted by a
 * separate one-row request, so the first rows never wait for a count), more as the table asks.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { RecordModel } from 'pocketbase';
import { pb } from '../../pb.js';
import { formErrors } from '../../field-errors.js';

/** The size of one page of the table. */
export const PAGE_SIZE = 200;

/** What the table shows and asks for. */
export interface RecordQuery {
  collection: string;
  filter: string;
  sort: string;
  expand: string;
  /** The unique key that orders ties: `@rowid`, or `id` for views. */
  tiebreak: string;
}

/** The loaded rows and what can be done with them. */
export interface RecordPages {
  items: RecordModel[];
  /** The number of records matching the filter, once counted. */
  total: number | null;
  /** Every page is loaded. */
  done: boolean;
  loading: boolean;
  error: string | null;
  /** Loads the next page unless one is loading or all are loaded. */
  loadMore(): void;
  /** Starts again from the first page. */
  reload(): void;
  /** Replaces a loaded record (an edit), or puts a new one first. */
  upsert(record: RecordModel, where?: 'first' | 'in-place'): void;
  /** Drops loaded records. */
  remove(ids: readonly string[]): void;
}

export function useRecordPages(query: RecordQuery): RecordPages {
  const [items, setItems] = useState<RecordModel[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [done, setDone] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  // The page being loaded and the query's generation, read by loadMore without re-rendering.
  const state = useRef({ page: 0, loading: false, done: false, generation: 0 });
  // The rows as last set, so a live event reads them without a state updater.
  const rows = useRef<RecordModel[]>([]);
  const show = useCallback((next: RecordModel[]) => {
    rows.current = next;
    setItems(next);
  }, []);

  const fetchPage = useCallback((page: number, gen: number) => {
    state.current.loading = true;
    setLoading(true);
    pb.collection(query.collection)
      .getList(page, PAGE_SIZE, { filter: query.filter, sort: stableSort(query.sort, query.tiebreak), expand: query.expand || undefined, skipTotal: true, requestKey: null })
      .then(
        (list) => {
          if (gen !== state.current.generation) return;
          state.current.page = page;
          state.current.done = list.items.length < PAGE_SIZE;
          setDone(state.current.done);
          if (page === 1) {
            show(list.items);
          } else {
            // NOTE: a record created while scrolling shifts the offsets; skip what is already loaded.
            const seen = new Set(rows.current.map((r) => r.id));
            show(rows.current.concat(list.items.filter((r) => !seen.has(r.id))));
          }
          setError(null);
        },
        (err: unknown) => gen === state.current.generation && setError(formErrors(err).form ?? null),
      )
      .finally(() => {
        if (gen !== state.current.generation) return;
        state.current.loading = false;
        setLoading(false);
      });
  }, [query.collection, query.filter, query.sort, query.expand, query.tiebreak, show]);

  useEffect(() => {
    const gen = ++state.current.generation;
    state.current.page = 0;
    state.current.done = false;
    show([]);
    setDone(false);
    setTotal(null);
    fetchPage(1, gen);
    pb.collection(query.collection)
      .getList(1, 1, { filter: query.filter, fields: 'id', requestKey: null })
      .then((list) => gen === state.current.generation && setTotal(list.totalItems), () => undefined);
  }, [fetchPage, generation]);

  const loadMore = useCallback(() => {
    const s = state.current;
    if (s.loading || s.done || s.page === 0) return;
    fetchPage(s.page + 1, s.generation);
  }, [fetchPage]);

  const upsert = useCallback((record: RecordModel, where: 'first' | 'in-place' = 'in-place') => {
    const old = rows.current;
    if (old.some((r) => r.id === record.id)) {
      show(old.map((r) => (r.id === record.id ? record : r)));
    } else if (where === 'first') {
      show([record, ...old]);
      setTotal((t) => (t === null ? t : t + 1));
    }
  }, [show]);

  const remove = useCallback((ids: readonly string[]) => {
    const gone = new Set(ids);
    const kept = rows.current.filter((r) => !gone.has(r.id));
    const removed = rows.current.length - kept.length;
    if (removed === 0) return;
    show(kept);
    setTotal((t) => (t === null ? t : Math.max(0, t - removed)));
  }, [show]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  return { items, total, done, loading, error, loadMore, reload, upsert, remove };
}

/**
 * The sort with a unique last key (`tiebreak`: `@rowid`, or `id` for views): rows that tie on
 * the sort (records created in the same millisecond) keep one order from page to page, so
 * offset pages neither skip nor repeat. The tiebreak follows the first key's direction.
 */
export function stableSort(sort: string, tiebreak: string): string {
  const keys = sort.split(',').map((k) => k.trim()).filter(Boolean);
  if (keys.some((k) => k.replace(/^[-+]/, '') === tiebreak)) return keys.join(',');
  return [...keys, keys[0]?.startsWith('-') ? `-${tiebreak}` : tiebreak].join(',');
}

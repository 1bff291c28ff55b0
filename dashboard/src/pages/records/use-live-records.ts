/**
 * ★ The live view (docs/dashboard.md, "Live view"): subscribes to the collection's realtime
 * topic `*` while the table is open and hands each create, update and delete to the screen.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { RecordModel, RecordSubscription } from 'pocketbase';
import { pb } from '../../pb.js';

/** What the screen does with each event. */
export interface LiveHandlers {
  created(record: RecordModel): void;
  updated(record: RecordModel): void;
  deleted(record: RecordModel): void;
}

/** Subscribes to `collection`'s records, with the table's `expand`, until unmounted or changed. */
export function useLiveRecords(collection: string, expand: string, handlers: LiveHandlers): void {
  // The latest handlers, so a new render does not resubscribe.
  const current = useRef(handlers);
  current.current = handlers;

  useEffect(() => {
    let unsubscribe: (() => Promise<void>) | undefined;
    let closed = false;
    const onEvent = (event: RecordSubscription<RecordModel>): void => {
      if (event.action === 'create') current.current.created(event.record);
      else if (event.action === 'update') current.current.updated(event.record);
      else if (event.action === 'delete') current.current.deleted(event.record);
    };
    pb.collection(collection)
      .subscribe('*', onEvent, { expand: expand || undefined })
      .then((stop) => {
        if (closed) void stop().catch(() => undefined);
        else unsubscribe = stop;
      }, () => undefined);
    return () => {
      closed = true;
      void unsubscribe?.().catch(() => undefined);
    };
  }, [collection, expand]);
}

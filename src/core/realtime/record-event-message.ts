/**
 * Record events as they travel on the Bus: JSON with the collection id, the
 * action and the record values, so a node that did not make the write can fan
 * them out (docs/architecture.md §1: a node keeps no state that another node needs).
 */
import type { RecordAction, RecordEvent, RecordEventSink } from '../records/write-scope.js';
import type { RecordValues } from '../records/record-store.js';
import type { Bus } from './bus.js';

/** The Bus channel of committed record events. */
export const RECORD_EVENTS_CHANNEL = 'plinth:record-events';

/** One record event on the wire. */
export interface WireRecordEvent {
  action: RecordAction;
  collectionId: string;
  record: RecordValues;
}

/** Encodes the events of one commit as one Bus message, keeping their order. */
export function encodeRecordEvents(events: readonly RecordEvent[]): string {
  const wire: WireRecordEvent[] = events.map((e) => ({ action: e.action, collectionId: e.collection.id, record: e.record }));
  return JSON.stringify(wire);
}

/** Decodes a Bus message of RECORD_EVENTS_CHANNEL; anything malformed gives no events. */
export function decodeRecordEvents(message: string): WireRecordEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.filter((e): e is WireRecordEvent =>
    typeof e === 'object' && e !== null && typeof e.collectionId === 'string'
    && (e.action === 'create' || e.action === 'update' || e.action === 'delete')
    && typeof e.record === 'object' && e.record !== null && typeof e.record.id === 'string');
}

/**
 * A RecordEventSink that puts each commit's events on the Bus, where every node's
 * realtime hub (this one included) picks them up. `anyoneListening` lets a single node
 * skip encoding events no stream can receive.
 */
export function createBusEventSink(bus: Bus, onError: (err: unknown) => void, anyoneListening: () => boolean = () => true): RecordEventSink {
  return {
    publish(events) {
      if (!anyoneListening()) return;
      let message: string;
      try {
        message = encodeRecordEvents(events);
      } catch (err) {
        onError(err);
        return;
      }
      bus.publish(RECORD_EVENTS_CHANNEL, message).catch(onError);
    },
  };
}

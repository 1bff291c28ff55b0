/**
 * The event of `onRealtimeMessageSend` (docs/hooks.md §2): one message about to be
 * written to one client's stream. Declared in core because the hub fires it.
 */
import type { HookEvent } from '../../tools/hook.js';
import type { RealtimeClient } from './realtime-client.js';

/** A realtime message: its event name and its data, the JSON text the stream carries. */
export interface RealtimeMessage {
  name: string;
  data: string;
}

/** One message for one client; a handler may change `message`, or drop it by not calling `e.next()`. */
export interface RealtimeMessageEvent<A = unknown> extends HookEvent {
  app: A;
  client: RealtimeClient;
  message: RealtimeMessage;
}

/**
 * The hooks of the collections, settings, realtime, files and batch APIs
 * (docs/hooks.md §2, PocketBase's OnCollection*Request, OnSettings*,
 * OnRealtime*, OnFile*, OnBatchRequest). A request hook's handler sees the
 * request and what the action will act on, calls `await e.next()` to let the
 * action happen, and may answer itself; one that neither goes on nor answers
 * gets a 204. With no handler bound a route builds no event.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Collection, Field } from '../core/collections/collection.js';
import type { RealtimeClient } from '../core/realtime/realtime-client.js';
import type { RealtimeMessageEvent } from '../core/realtime/realtime-message-event.js';
import type { RecordModel } from '../core/records/record-model.js';
import type { Settings } from '../core/settings/settings.js';
import { Hook, type HookEvent } from '../tools/hook.js';
import type { BatchRequest } from './batch-request.js';
import { RequestEvent } from './request-event.js';

/** A page of `GET /api/collections`, as answered. */
export interface CollectionListJson {
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
  items: unknown[];
}

/** The event of `onCollectionsListRequest`: the collections found and the page answered, which a handler may change. */
export class CollectionsListRequestEvent<A = unknown> extends RequestEvent<A> {
  constructor(app: A, req: FastifyRequest, public collections: Collection[], public result: CollectionListJson) {
    super(app, req);
  }
}

/** The event of a collection view, create, update or delete request: the collection acted on (create/update: as it will be saved). */
export class CollectionRequestEvent<A = unknown> extends RequestEvent<A> {
  constructor(app: A, req: FastifyRequest, public collection: Collection) {
    super(app, req);
  }
}

/** The event of `onCollectionsImportRequest`: the submitted collections and whether missing ones are deleted. */
export class CollectionsImportRequestEvent<A = unknown> extends RequestEvent<A> {
  constructor(app: A, req: FastifyRequest, public collectionsData: unknown, public deleteMissing: boolean) {
    super(app, req);
  }
}

/** The event of `onSettingsListRequest`: the settings answered (secrets blanked), which a handler may change. */
export class SettingsListRequestEvent<A = unknown> extends RequestEvent<A> {
  constructor(app: A, req: FastifyRequest, public settings: Settings) {
    super(app, req);
  }
}

/** The event of `onSettingsUpdateRequest`: the stored settings and those about to be validated and saved. */
export class SettingsUpdateRequestEvent<A = unknown> extends RequestEvent<A> {
  constructor(app: A, req: FastifyRequest, readonly oldSettings: Settings, public newSettings: Settings) {
    super(app, req);
  }
}

/** The event of `onSettingsReload`: this node's settings as it started, then after each change, saved here or by another node. */
export interface SettingsReloadEvent<A = unknown> extends HookEvent {
  app: A;
  settings: Settings;
}

/** The event of `onRealtimeConnectRequest`: a stream about to open; not calling `e.next()` refuses it. */
export class RealtimeConnectRequestEvent<A = unknown> extends RequestEvent<A> {
  /** The new stream's client, set once `e.next()` opened it. */
  client: RealtimeClient | undefined;
}

/** The event of `onRealtimeSubscribeRequest`: the client and the subscriptions it will have, which a handler may change. */
export class RealtimeSubscribeRequestEvent<A = unknown> extends RequestEvent<A> {
  constructor(app: A, req: FastifyRequest, readonly client: RealtimeClient, public subscriptions: string[]) {
    super(app, req);
  }
}

/** The event of `onFileDownloadRequest`: the record, its file field and what will be served (a storage key and a name). */
export class FileDownloadRequestEvent<A = unknown> extends RequestEvent<A> {
  constructor(
    app: A, req: FastifyRequest, readonly collection: Collection, readonly record: RecordModel, readonly fileField: Field,
    public servedPath: string, public servedName: string,
  ) {
    super(app, req);
  }
}

/** The event of `onFileTokenRequest`: the signed-in record and the token issued for it, which a handler may replace. */
export class FileTokenRequestEvent<A = unknown> extends RequestEvent<A> {
  constructor(app: A, req: FastifyRequest, readonly record: RecordModel, public token: string) {
    super(app, req);
  }
}

/** The event of `onBatchRequest`: the sub-requests about to run; not calling `e.next()` refuses the batch. */
export class BatchRequestEvent<A = unknown> extends RequestEvent<A> {
  constructor(app: A, req: FastifyRequest, public batch: BatchRequest[]) {
    super(app, req, 'batch');
  }
}

/** The hooks of the admin-side APIs, one Hook each. Collection hooks take collection names or ids as tags. */
export class AdminHooks<A = unknown> {
  readonly onCollectionsListRequest = new Hook<CollectionsListRequestEvent<A>>();
  readonly onCollectionViewRequest = new Hook<CollectionRequestEvent<A>>();
  readonly onCollectionCreateRequest = new Hook<CollectionRequestEvent<A>>();
  readonly onCollectionUpdateRequest = new Hook<CollectionRequestEvent<A>>();
  readonly onCollectionDeleteRequest = new Hook<CollectionRequestEvent<A>>();
  readonly onCollectionsImportRequest = new Hook<CollectionsImportRequestEvent<A>>();
  readonly onSettingsListRequest = new Hook<SettingsListRequestEvent<A>>();
  readonly onSettingsUpdateRequest = new Hook<SettingsUpdateRequestEvent<A>>();
  readonly onSettingsReload = new Hook<SettingsReloadEvent<A>>();
  readonly onRealtimeConnectRequest = new Hook<RealtimeConnectRequestEvent<A>>();
  readonly onRealtimeSubscribeRequest = new Hook<RealtimeSubscribeRequestEvent<A>>();
  readonly onRealtimeMessageSend = new Hook<RealtimeMessageEvent<A>>();
  readonly onFileDownloadRequest = new Hook<FileDownloadRequestEvent<A>>();
  readonly onFileTokenRequest = new Hook<FileTokenRequestEvent<A>>();
  readonly onBatchRequest = new Hook<BatchRequestEvent<A>>();

  /** The app handed to handlers; set by the composition root. */
  app: () => A = () => undefined as A;
}

/** Runs `hook`'s chain around `action`; resolves to whether the action ran (no handler stopped the chain). */
export async function runRequestHook<E extends RequestEvent>(
  hook: Hook<E>, e: E, tags: readonly string[], action: (e: E) => unknown,
): Promise<boolean> {
  let ran = false;
  await hook.trigger(e, tags, async (ev) => {
    ran = true;
    await action(ev);
  });
  return ran;
}

/**
 * Sends the answer of a hooked request: what a handler set; else, when the action ran,
 * `status` with `result()` as JSON (none for 204); else (a handler stopped it) a 204.
 */
export function respondHooked(e: RequestEvent, reply: FastifyReply, ran: boolean, status: number, result?: () => unknown): FastifyReply {
  if (!ran || status === 204 || !result) return e.respond(reply, { status: 204 });
  return e.respond(reply, { status, type: 'application/json; charset=utf-8', body: JSON.stringify(result()) });
}

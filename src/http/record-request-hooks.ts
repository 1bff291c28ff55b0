/**
 * The record request hooks (docs/hooks.md §2): one per records API action, run per
 * request — also per sub-request of `POST /api/batch`, as PocketBase runs them —
 * after the action's rule check and before it happens. A handler sees the request
 * (auth, requestInfo(), json() …), the collection and the record (create/update:
 * with the body applied; list: `result`), calls `await e.next()` to let the action
 * happen, and may answer itself; one that neither goes on nor answers gets a 204.
 * Create, update and delete hooks run inside the write's transaction, so a throw
 * rolls back what the action wrote.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Collection } from '../core/collections/collection.js';
import { collectionTags } from '../core/records/record-hooks.js';
import type { RecordModel } from '../core/records/record-model.js';
import type { RecordListJson, WriteIntercept } from '../core/records/record-service.js';
import { Hook } from '../tools/hook.js';
import { RequestEvent, type SubRequest } from './request-event.js';

/** The event of a view, create, update or delete request hook. */
export class RecordRequestEvent<A = unknown> extends RequestEvent<A> {
  constructor(app: A, req: FastifyRequest, readonly collection: Collection, public record: RecordModel, sub?: SubRequest) {
    super(app, req, sub ? 'batch' : 'default', { sub });
  }
}

/** The event of `onRecordsListRequest`: the page found, which a handler may change. */
export class RecordsListRequestEvent<A = unknown> extends RequestEvent<A> {
  constructor(app: A, req: FastifyRequest, readonly collection: Collection, public result: RecordListJson) {
    super(app, req);
  }
}

/** The record request hooks, one Hook each; tags are collection names or ids. */
export class RecordRequestHooks<A = unknown> {
  readonly onRecordsListRequest = new Hook<RecordsListRequestEvent<A>>();
  readonly onRecordViewRequest = new Hook<RecordRequestEvent<A>>();
  readonly onRecordCreateRequest = new Hook<RecordRequestEvent<A>>();
  readonly onRecordUpdateRequest = new Hook<RecordRequestEvent<A>>();
  readonly onRecordDeleteRequest = new Hook<RecordRequestEvent<A>>();

  /** The app a handler gets, bound to the write's transaction when there is one; set by the composition root. */
  appFor: (scope: unknown) => A = () => undefined as A;
}

/**
 * A request hook around one record action: `intercept` is the RecordService seam, and
 * `event` the event it built once the action's checks passed (undefined before).
 */
export class HookedAction<A> {
  event: RecordRequestEvent<A> | undefined;

  constructor(
    private readonly hook: Hook<RecordRequestEvent<A>>,
    private readonly appFor: (scope: unknown) => A,
    private readonly request: FastifyRequest,
    private readonly sub?: SubRequest,
  ) {}

  /** Runs the hook's chain around the action, the record's collection as the tags. */
  readonly intercept: WriteIntercept = async (record, proceed, scope) => {
    const c = record.collection();
    const e = new RecordRequestEvent(this.appFor(scope), this.request, c, record, this.sub);
    this.event = e;
    await this.hook.trigger(e, collectionTags(c), () => proceed());
  };

  /**
   * Sends the answer of a hooked request: what a handler set, else `result` (the
   * action's, undefined when a handler stopped it: 204) with the headers handlers set.
   */
  respond(reply: FastifyReply, result: unknown, status = 200): unknown {
    const e = this.event;
    if (e?.response || result === undefined) return e ? e.respond(reply) : reply.code(204).send();
    e?.writeHeaders(reply);
    reply.code(status);
    return status === 204 ? reply.send() : result;
  }
}

/** Runs `onRecordsListRequest` around a page already found; the answer, as HookedAction.respond. */
export async function listHooked<A>(
  hooks: RecordRequestHooks<A>, request: FastifyRequest, reply: FastifyReply, c: Collection, result: RecordListJson,
): Promise<unknown> {
  const e = new RecordsListRequestEvent(hooks.appFor(undefined), request, c, result);
  let proceeded = false;
  await hooks.onRecordsListRequest.trigger(e, collectionTags(c), () => {
    proceeded = true;
  });
  if (e.response || !proceeded) return e.respond(reply);
  e.writeHeaders(reply);
  return e.result;
}

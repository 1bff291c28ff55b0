/**
 * The PlinthApp is what app code holds (docs/hooks.md): the hooks of every
 * event as `onX` methods, data access with the API's validation, hooks and
 * events, transactions, and the node's lifecycle — start (plugins, bootstrap,
 * custom routes, listen) and stop. Inside a transaction the same API is bound
 * to it: `runInTransaction(fn)` hands `fn` an app whose reads and writes join it.
 */
import type { AppLogger } from '../core/logs/app-logger.js';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { PlinthConfig } from '../config/config.js';
import type { Db, Executor } from '../db/database.js';
import { NotFoundError } from '../errors/api-errors.js';
import type { Collection, CollectionType, Rule } from '../core/collections/collection.js';
import { CollectionModel } from '../core/collections/collection-model.js';
import type { FilterParams } from '../core/records/record-query.js';
import type { RequestInfo } from '../core/rules/request-info.js';
import type { Settings } from '../core/settings/settings.js';
import { createSuperuserInstaller, type SuperuserInstaller } from '../core/auth/superuser-installer.js';
import { createSuperuserAdmin } from '../core/auth/superuser-admin.js';
import type { RecordHooks } from '../core/records/record-hooks.js';
import type { CollectionHooks } from '../core/collections/collection-hooks.js';
import type { AdminHooks } from '../http/admin-hooks.js';
import { RecordModel } from '../core/records/record-model.js';
import { rowToValues } from '../core/records/record-store.js';
import { activeScope, type WriteScope } from '../core/records/write-scope.js';
import type { RealtimeHub } from '../core/realtime/realtime-hub.js';
import { Hook, type HookEvent } from '../tools/hook.js';
import { addHookMethods, type HookMethods } from './hook-methods.js';
import { CustomRoutes, type Middleware, type RouteHandler } from '../http/custom-routes.js';
import type { RecordRequestHooks } from '../http/record-request-hooks.js';
import { createApis, type Apis } from '../http/route-middlewares.js';
import { closeHttp } from './close-http.js';
import type { Plinth, SuperuserAdmin } from './plinth.js';
import { AppCollections } from './app-collections.js';
import { createAppHttpClient, type AppHttpClient } from './app-http.js';
import { createAppMailClient, type AppMailClient } from './app-mail.js';
import { AppRecords } from './app-records.js';
import { createAppEvents, type AppEvents } from './app-events.js';
import { appSecurity } from './app-security.js';
import { AppJobs } from './app-jobs.js';
import type { CronHandler, CronScheduler } from '../core/jobs/cron-scheduler.js';
// Auth and mail hooks:
import type { MailHooks } from '../core/mail/mail-hooks.js';
import type { AuthRequestHooks } from '../http/auth-request-hooks.js';
import type { Services } from './services.js';

/** The event of `onBootstrap` and `onTerminate`. */
export interface AppEvent extends HookEvent {
  app: PlinthApp;
}

/** The event of `onServe`: the HTTP server is about to listen; add Fastify plugins to `server` here. */
export interface ServeEvent extends AppEvent {
  server: FastifyInstance;
}

/** The hooks of the app's own lifecycle. */
export class LifecycleHooks {
  readonly onBootstrap = new Hook<AppEvent>();
  readonly onServe = new Hook<ServeEvent>();
  readonly onTerminate = new Hook<AppEvent>();
}

/** A plugin: a function that adds hooks and routes to an app (a hooks file's default export). */
export type Plugin = (app: PlinthApp) => void | Promise<void>;

/** A collection given by model, name or id. */
export type CollectionRef = Collection | string;

export type { FindOptions } from './app-records.js';
import type { FindOptions } from './app-records.js';

/** Where the node listens, when `start` is given one ('host:port'). */
export interface StartOptions {
  http?: string;
}

// The hook methods join the class through declaration merging: one per Hook field.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface PlinthApp extends HookMethods<RecordHooks<PlinthApp>>, HookMethods<LifecycleHooks>, HookMethods<RecordRequestHooks<PlinthApp>>,
  HookMethods<AuthRequestHooks<PlinthApp>>, HookMethods<MailHooks<PlinthApp>>,
  HookMethods<CollectionHooks<PlinthApp>>, HookMethods<AdminHooks<PlinthApp>> {}

/** A PlinthApp is one node as app code sees it. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class PlinthApp implements Plinth {
  readonly config: PlinthConfig;
  readonly superusers: SuperuserAdmin;
  /** The first-run install link's token (docs/security.md). */
  readonly installer: SuperuserInstaller;
  /** The transaction this app is bound to, or undefined for the app itself. */
  protected readonly scope: WriteScope | undefined;
  private readonly lifecycle = new LifecycleHooks();
  private readonly plugins: Plugin[] = [];
  private state: 'built' | 'starting' | 'started' | 'stopped' = 'built';
  // data access of app code (docs/hooks.md §4)
  private readonly records: AppRecords;
  private readonly collections: AppCollections;

  constructor(protected readonly services: Services) {
    this.config = services.config;
    this.superusers = createSuperuserAdmin({ db: services.db, schema: services.schema, records: services.records });
    this.installer = createSuperuserInstaller({ db: services.db, schema: services.schema, records: services.records });
    const recordHooks = services.recordHooks as RecordHooks<PlinthApp>;
    // A model hook's handler gets the app bound to the write's transaction.
    recordHooks.appFor = (scope) => (scope ? this.bound(scope as WriteScope) : this);
    const requestHooks = services.requestHooks as RecordRequestHooks<PlinthApp>;
    requestHooks.appFor = recordHooks.appFor;
    // ---- collections, settings, realtime, files and batch hooks ----
    const collectionHooks = services.collectionHooks as CollectionHooks<PlinthApp>;
    collectionHooks.appFor = recordHooks.appFor;
    const adminHooks = services.adminHooks as AdminHooks<PlinthApp>;
    adminHooks.app = () => this;
    // ---- end of admin hooks ----
    this.apis = createApis({ auth: services.auth, records: services.records, authHooks: services.authHooks });
    // A bound handler may run inside a transaction: from then on the outer app joins it (docs/hooks.md §4).
    addHookMethods(this, [recordHooks, this.lifecycle, requestHooks, services.authHooks, services.mailHooks, collectionHooks, adminHooks], () => {
      services.records.trackScopes = true;
    });
    // data access of app code (docs/hooks.md §4)
    this.records = new AppRecords(services);
    this.collections = new AppCollections(services);
    services.http.decorate('send', createAppHttpClient(services.outbound).send);
  }

  // ---- custom routes (docs/hooks.md §3) ----

  /** The middlewares of custom routes (`requireAuth`, `bodyLimit`, …) and `recordAuthResponse`. */
  readonly apis: Apis;
  private readonly routes = new CustomRoutes<PlinthApp>();

  /**
   * Adds a route: `path` takes `{name}` parameters and a trailing `{name...}`; the
   * middlewares run in order around `handler`. Before the app starts (in a plugin,
   * onBootstrap or an onServe handler before `e.next()`).
   */
  routerAdd(method: string, path: string, handler: RouteHandler<PlinthApp>, ...middlewares: Middleware<PlinthApp>[]): void {
    this.routes.add(method, path, handler, middlewares);
  }

  /** Adds a middleware run before those of every custom route. */
  routerUse(middleware: Middleware<PlinthApp>): void {
    this.routes.use(middleware);
  }

  // ---- end of custom routes ----

  /**
   * The Fastify server (tests use `inject()`); its `send(request)` is the outbound HTTP
   * client of app code (`app.http.send`, docs/hooks.md §4).
   */
  get http(): FastifyInstance & AppHttpClient {
    return this.services.http as FastifyInstance & AppHttpClient;
  }

  /** This node's backups (docs/operations.md, Backups): list, create, restore, delete. */
  get backups(): Services['backups'] {
    return this.services.backups;
  }

  /** Custom events through the webhooks outbox (docs/webhooks.md §8); bound to this app's transaction. */
  get events(): AppEvents {
    return createAppEvents({ index: this.services.webhooks.index, outbox: this.services.outbox, inScope: (fn) => this.inScope(fn) });
  }

  /** This node's realtime clients. */
  get realtime(): RealtimeHub {
    return this.services.realtime;
  }

  // ---- data (docs/hooks.md §4) ----

  /** The Kysely instance, or the transaction's when this app is bound to one. Bind every value. */
  db(): Db | Executor {
    return this.current()?.trx ?? this.services.db;
  }

  /**
   * Runs `fn` in one transaction with an app bound to it: what it saves commits or rolls
   * back together, and events leave after the commit. Nested calls, and calls from code
   * already running inside a transaction (a hook of a write), join it.
   */
  async runInTransaction<T>(fn: (tx: PlinthApp) => Promise<T>): Promise<T> {
    const scope = this.current();
    if (scope) return fn(this.scope ? this : this.bound(scope));
    this.services.records.trackScopes = true;
    return this.services.records.inTransaction((s) => fn(this.bound(s)));
  }

  /** An editable copy of the collection with this name or id (save it to apply changes); 404 when there is none. */
  findCollectionByNameOrId(nameOrId: string): CollectionModel {
    return this.collections.find(nameOrId);
  }

  /** A record by id; 404 when there is none. `forUpdate` locks its row until the transaction ends. */
  async findRecordById(collection: CollectionRef, id: string, options: FindOptions = {}): Promise<RecordModel> {
    const c = this.collectionOf(collection);
    const scope = this.current();
    const lock = options.forUpdate && scope ? this.services.dialect.lockRows() : sql``;
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(c.name)} WHERE ${sql.ref('id')} = ${id}${lock}`.execute(scope?.trx ?? this.services.db);
    if (!rows[0]) throw new NotFoundError();
    return RecordModel.fromStored(c, rowToValues(c, rows[0]));
  }

  /**
   * Validates and saves a record (create when new), with its hooks; events leave after commit.
   * A Collection is created or updated as the collections API does.
   */
  async save(model: RecordModel | CollectionModel): Promise<void> {
    if (model instanceof CollectionModel) return this.collections.save(this.current(), model);
    const record = model;
    await this.inScope((scope) => this.services.records.writer.save(scope, record, { validate: true, message: saveMessage(record) }));
  }

  /** Saves a record without validating it (hooks still run). */
  async saveNoValidate(record: RecordModel): Promise<void> {
    await this.inScope((scope) => this.services.records.writer.save(scope, record, { validate: false, message: saveMessage(record) }));
  }

  /** Deletes a record with its cascades and hooks, or a Collection with its table. */
  async delete(model: RecordModel | CollectionModel): Promise<void> {
    if (model instanceof CollectionModel) return this.collections.delete(this.current(), model);
    const record = model;
    await this.inScope((scope) => this.services.records.writer.delete(scope, record));
  }

  // ---- more data access of app code (docs/hooks.md §4) ----

  /** The records with these ids that exist, in the order given. */
  findRecordsByIds(collection: CollectionRef, ids: readonly string[], options?: FindOptions): Promise<RecordModel[]> {
    return this.records.findByIds(this.db(), this.collectionOf(collection), ids, options);
  }

  /**
   * The records matching `filter` (the API's filter language, `{:name}` placeholders bound
   * from `params`), sorted, limited (0: no limit) and offset; 400 for a bad filter or sort.
   */
  findRecordsByFilter(
    collection: CollectionRef, filter: string, sort = '', limit = 0, offset = 0, params?: FilterParams, options?: FindOptions,
  ): Promise<RecordModel[]> {
    return this.records.findByFilter(this.db(), this.collectionOf(collection), filter, sort, limit, offset, params, options);
  }

  /** The first record matching `filter`; a 404 NotFoundError when none does. */
  findFirstRecordByFilter(collection: CollectionRef, filter: string, params?: FilterParams, options?: FindOptions): Promise<RecordModel> {
    return this.records.findFirstByFilter(this.db(), this.collectionOf(collection), filter, params, options);
  }

  /** The first record whose `field` holds `value`; 400 for an unknown field, 404 for none. */
  findFirstRecordByData(collection: CollectionRef, field: string, value: unknown, options?: FindOptions): Promise<RecordModel> {
    return this.records.findFirstByData(this.db(), this.collectionOf(collection), field, value, options);
  }

  /** How many records match `filter` (all of them without one). */
  countRecords(collection: CollectionRef, filter = '', params?: FilterParams): Promise<number> {
    return this.records.count(this.db(), this.collectionOf(collection), filter, params);
  }

  /** The auth record with this email (case-insensitive); 400 for a non-auth collection, 404 for none. */
  findAuthRecordByEmail(collection: CollectionRef, email: string, options?: FindOptions): Promise<RecordModel> {
    return this.records.findAuthByEmail(this.db(), this.collectionOf(collection), email, options);
  }

  /** Loads the relations `expand` names onto `record` (`record.expandedOne(…)`, `expand` in its JSON). */
  expandRecord(record: RecordModel, expand: string | readonly string[]): Promise<RecordModel> {
    return this.records.expand(this.db(), record, expand);
  }

  /** Whether `rule` (null: superusers only, "": everyone) lets the request `info` at `record`. */
  canAccessRecord(record: RecordModel, info: RequestInfo, rule: Rule): Promise<boolean> {
    return this.records.canAccess(this.db(), record, info, rule);
  }

  /** Editable copies of every collection, or of those of the given types. */
  findAllCollections(...types: CollectionType[]): CollectionModel[] {
    return this.collections.findAll(types);
  }

  /** Imports collections as `PUT /api/collections/import` does; with `deleteMissing`, others go. */
  importCollections(list: readonly (CollectionModel | Record<string, unknown>)[], deleteMissing = false): Promise<void> {
    return this.collections.import(this.current(), list, deleteMissing);
  }

  /** A copy of the current settings. */
  settings(): Settings {
    return structuredClone(this.services.settings.get());
  }

  /**
   * The app logger (docs/operations.md §Logs): `debug/info/warn/error(message, data?)` and
   * `with(data)`; entries go to the log store (`GET /api/logs`) and to stdout.
   */
  logger(): AppLogger {
    return this.services.appLogger;
  }

  /** A client that sends mail through the node's mailer. */
  newMailClient(): AppMailClient {
    return createAppMailClient(this.services.mailer, () => this.services.settings.get());
  }

  /** Random strings, JWTs, HMAC and constant-time comparison. */
  get security(): typeof appSecurity {
    return appSecurity;
  }

  // ---- end of more data access ----

  // ---- jobs and cron (docs/jobs.md) ----

  /**
   * Durable jobs: `define(name, handler, {concurrency, attempts, backoff, timeout})` and
   * `enqueue(name, payload, {delay, runAt, key})`. Bound to this app's transaction when it
   * has one, so an enqueue inside `runInTransaction` or a record hook joins it.
   */
  get jobs(): AppJobs {
    return new AppJobs(this.services.jobs.jobs, this.current());
  }

  /**
   * Runs `handler` on a cron schedule (five fields in UTC, or `@hourly`, `@daily`, …); with
   * many nodes each tick runs on exactly one. Adding an id again replaces it.
   */
  cronAdd(id: string, expression: string, handler: CronHandler): void {
    this.services.jobs.crons.add(id, expression, handler);
  }

  /** Removes the cron `id`. */
  cronRemove(id: string): void {
    this.services.jobs.crons.remove(id);
  }

  /** This node's cron scheduler: `list()`, and `fire(id, tick)` to enqueue a tick as the schedule would. */
  get crons(): CronScheduler {
    return this.services.jobs.crons;
  }

  // ---- end of jobs and cron ----

  // ---- lifecycle ----

  /** Adds a plugin, run by `start` in the order added. */
  use(plugin: Plugin): this {
    if (this.state !== 'built') throw new Error('plugins must be added before the app starts');
    this.plugins.push(plugin);
    return this;
  }

  /**
   * Starts the node: runs the plugins, the `onBootstrap` hooks, then the `onServe` hooks
   * around listening. Resolves with the address bound.
   */
  async start(options: StartOptions = {}): Promise<{ host: string; port: number; url: string }> {
    if (this.state !== 'built') throw new Error(`the app cannot start: it is ${this.state}`);
    this.state = 'starting';
    for (const plugin of this.plugins) await plugin(this);
    await this.lifecycle.onBootstrap.trigger({ app: this }, [], () => this.settingsLoaded());
    let address: { host: string; port: number; url: string } | undefined;
    await this.lifecycle.onServe.trigger({ app: this, server: this.http }, [], async () => {
      // Routes added by onServe handlers before `e.next()` are registered too.
      this.routes.register(this.http, this);
      this.services.routeDocs.push(...this.routes.documented());
      address = await this.listenOn(options.http);
    });
    if (!address) throw new Error('an onServe hook did not call e.next(): the server is not listening');
    // Jobs and crons run once the app code has defined them (docs/jobs.md §3).
    await this.services.jobs.start();
    this.state = 'started';
    return address;
  }

  /** Starts listening on the configured address (the CLI's and tests' entry). */
  listen(): Promise<{ host: string; port: number; url: string }> {
    return this.start();
  }

  /** Stops accepting requests, finishes those in flight, runs `onTerminate`, and closes the database. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    // Readiness answers 503 from now on; with --shutdownDelay the node keeps serving meanwhile, so a load balancer drains it first.
    this.services.drain.begin();
    const delay = this.config.shutdownDelay ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay * 1000));
    await this.lifecycle.onTerminate.trigger({ app: this }, [], async () => {
      // No job is claimed from now on; running ones finish, or are given back, while the server drains (docs/jobs.md §3).
      const jobs = this.services.jobs.stop();
      await closeHttp(this.http);
      await jobs;
      await this.services.close();
    });
  }

  /** Same as `stop`. */
  close(): Promise<void> {
    return this.stop();
  }

  // ---- internals ----

  /**
   * `onSettingsReload` for the settings this node started with, inside `onBootstrap`, as
   * PocketBase's bootstrap loads its settings (docs/hooks.md §2); what a handler throws stops the start.
   */
  private async settingsLoaded(): Promise<void> {
    const hook = this.services.adminHooks.onSettingsReload;
    if (!hook.isEmpty) await hook.trigger({ app: this, settings: this.services.settings.get() }, [], () => undefined);
  }

  /** This app bound to `scope`'s transaction: the same methods, reading and writing in it. */
  protected bound(scope: WriteScope): PlinthApp {
    return Object.create(this, { scope: { value: scope } }) as PlinthApp;
  }

  /** The stored collection a name, id or model names (a model by its id, so unsaved edits do not shape SQL). */
  private collectionOf(ref: CollectionRef): Collection {
    const c = this.services.schema.find(typeof ref === 'string' ? ref : ref.id);
    if (!c) throw new NotFoundError(`Missing collection ${JSON.stringify(typeof ref === 'string' ? ref : ref.name)}.`);
    return c;
  }

  /**
   * The transaction this app reads and writes in: the one it is bound to, else the one
   * the calling code runs inside (a hook of a write, `runInTransaction`), so app code
   * that holds the outer app inside a transaction joins it instead of waiting for it.
   */
  private current(): WriteScope | undefined {
    return this.scope ?? activeScope(this.services.db);
  }

  /** Runs a write in this app's transaction (see `current`), or in one of its own. */
  private inScope<T>(fn: (scope: WriteScope) => Promise<T>): Promise<T> {
    const scope = this.current();
    return scope ? fn(scope) : this.services.records.inTransaction(fn);
  }

  private async listenOn(http: string | undefined): Promise<{ host: string; port: number; url: string }> {
    const target = http ? parseHostPort(http) : this.config.http;
    await this.http.ready();
    const address = await this.http.listen({ host: target.host, port: target.port });
    const bound = this.http.server.address();
    const port = typeof bound === 'object' && bound ? bound.port : target.port;
    const host = target.host.includes(':') ? `[${target.host}]` : target.host;
    return { host: target.host, port, url: address.startsWith('http') ? `http://${host}:${port}` : address };
  }
}

function saveMessage(record: RecordModel): string {
  return record.isNew() ? 'Failed to create record.' : 'Failed to update record.';
}

/** 'host:port' (IPv6 in brackets) as host and port. */
function parseHostPort(text: string): { host: string; port: number } {
  const i = text.lastIndexOf(':');
  const host = text.slice(0, i).replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(text.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid http address ${JSON.stringify(text)}: expected host:port`);
  return { host, port };
}

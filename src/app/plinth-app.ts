/**
 * The PlinthApp is what app code holds (docs/hooks.md): the hooks of every
 * event as `onX` methods, data access (AppDataAccess: the API's validation, hooks and
 * events, transactions), and the node's lifecycle — start (plugins, bootstrap,
 * custom routes, listen) and stop. Inside a transaction the same API is bound
 * to it: `runInTransaction(fn)` hands `fn` an app whose reads and writes join it.
 */
import type { AppLogger } from '../core/logs/app-logger.js';
import type { FastifyInstance } from 'fastify';
import type { PlinthConfig } from '../config/config.js';
import type { Settings } from '../core/settings/settings.js';
import { createSuperuserInstaller, type SuperuserInstaller } from '../core/auth/superuser-installer.js';
import { createSuperuserAdmin } from '../core/auth/superuser-admin.js';
import type { RecordHooks } from '../core/records/record-hooks.js';
import type { CollectionHooks } from '../core/collections/collection-hooks.js';
import type { AdminHooks } from '../http/admin-hooks.js';
import type { RealtimeHub } from '../core/realtime/realtime-hub.js';
import { Hook, type HookEvent } from '../tools/hook.js';
import { addHookMethods, type HookMethods } from './hook-methods.js';
import { CustomRoutes, type Middleware, type RouteHandler } from '../http/custom-routes.js';
import type { RecordRequestHooks } from '../http/record-request-hooks.js';
import { createApis, type Apis } from '../http/route-middlewares.js';
import { closeHttp } from './close-http.js';
import type { Plinth, SuperuserAdmin } from './plinth.js';
import { createAppHttpClient, type AppHttpClient } from './app-http.js';
import { createAppMailClient, type AppMailClient } from './app-mail.js';
import { createAppEvents, type AppEvents } from './app-events.js';
import { appSecurity } from './app-security.js';
import { AppJobs } from './app-jobs.js';
import type { CronHandler, CronScheduler } from '../core/jobs/cron-scheduler.js';
// Auth and mail hooks:
import type { MailHooks } from '../core/mail/mail-hooks.js';
import type { AuthRequestHooks } from '../http/auth-request-hooks.js';
import type { Services } from './services.js';
import type { WriteScope } from '../core/records/write-scope.js';
import { AppDataAccess } from './app-data-access.js';

export type { CollectionRef } from './app-data-access.js';
export type { FindOptions } from './app-records.js';

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
export class PlinthApp extends AppDataAccess implements Plinth {
  readonly config: PlinthConfig;
  readonly superusers: SuperuserAdmin;
  /** The first-run install link's token (docs/security.md). */
  readonly installer: SuperuserInstaller;
  private readonly lifecycle = new LifecycleHooks();
  private readonly plugins: Plugin[] = [];
  private state: 'built' | 'starting' | 'started' | 'stopped' = 'built';

  constructor(services: Services) {
    super(services);
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


  // ---- services of app code (docs/hooks.md §4) ----

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

/** 'host:port' (IPv6 in brackets) as host and port. */
function parseHostPort(text: string): { host: string; port: number } {
  const i = text.lastIndexOf(':');
  const host = text.slice(0, i).replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(text.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid http address ${JSON.stringify(text)}: expected host:port`);
  return { host, port };
}

/**
 * Step one of a node (docs/architecture.md): opens the database with its
 * dialect and the cross-node ports, and builds every service. Nothing here
 * registers a route or listens.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { openDatabase, redisTarget, type DatabaseConnection } from './open-database.js';
import { createBackups } from './create-backups.js';
import { join } from 'node:path';
import { CONFIG_DEFAULTS, type PlinthConfig } from '../config/config.js';
import type { Dialect } from '../db/dialect/dialect.js';
import type { DocumentedRoute } from '../core/openapi/openapi-types.js';
import type { Db } from '../db/database.js';
import { ensureSystemTables } from '../db/system-tables.js';
import { SchemaSync } from '../db/schema-sync.js';
import { MemorySchema } from '../core/collections/schema.js';
import { CollectionService } from '../core/collections/collection-service.js';
import { CollectionHooks } from '../core/collections/collection-hooks.js';
import { AdminHooks } from '../http/admin-hooks.js';
import type { RealtimeMessageEvent } from '../core/realtime/realtime-message-event.js';
import type { Hook } from '../tools/hook.js';
import { RecordService } from '../core/records/record-service.js';
import { RecordHooks } from '../core/records/record-hooks.js';
import { convertFieldValues } from '../core/records/record-convert.js';
import { RecordRequestHooks } from '../http/record-request-hooks.js';
import { AuthService } from '../core/auth/auth-service.js';
import { createRuleCompiler, type RuleCompiler } from '../core/rules/rule-compiler.js';
import { fastifyOptions } from '../http/http-conventions.js';
import { createRateLimitStore } from '../adapters/ratelimit/create-rate-limit-store.js';
import type { RateLimitStore } from '../core/ratelimit/rate-limit-store.js';
import { StoreAttemptLimiter } from '../core/ratelimit/store-attempt-limiter.js';
import { OAuth2Service } from '../core/auth/oauth2/oauth2-service.js';
import { OutboundHttp } from '../tools/outbound-http.js';
import { AppleRedirectNames } from '../core/auth/oauth2/apple-redirect-names.js';
import { SettingsService } from '../core/settings/settings-service.js';
import { lazySchemaCompilers } from './lazy-schema-compilers.js';
import { MfaService } from '../core/auth/mfa-service.js';
import { AuthFlows } from '../core/auth/auth-flows.js';
import { AuthMails } from '../core/auth/auth-mails.js';
import { OtpService } from '../core/auth/otp-service.js';
import { AuthAlerts } from '../core/auth/auth-alerts.js';
import { resolveSmtpOptions } from '../core/mail/smtp-options.js';
import { SettingsMailer } from '../adapters/mail/settings-mailer.js';
import { DevLogMailer, LogMailer } from '../adapters/mail/log-mailer.js';
import { BackgroundTasks } from '../tools/background-tasks.js';
import { SearchBackfill } from '../core/search/search-backfill.js';
import { LocalStorage } from '../adapters/storage/local-storage.js';
import { SettingsStorage } from '../adapters/storage/settings-storage.js';
import type { Storage } from '../core/files/storage.js';
import { RecordFiles } from '../core/records/record-files.js';
import { createBus } from '../adapters/bus/create-bus.js';
import type { Bus } from '../core/realtime/bus.js';
import type { RedisTarget } from '../adapters/redis/redis-client.js';
import { ClusterSync } from '../core/cluster/cluster-sync.js';
import { createBusEventSink } from '../core/realtime/record-event-message.js';
import { RealtimeHub } from '../core/realtime/realtime-hub.js';
import { parseExpand } from '../http/list-params.js';
import { pickFields } from '../http/fields-picker.js';
import type { Mailer } from '../core/mail/mailer.js';
import { HookedMailer, MailHooks } from '../core/mail/mail-hooks.js';
import { AuthRequestHooks } from '../http/auth-request-hooks.js';
import { JobSystem } from '../core/jobs/job-system.js';
import { addSystemCrons } from '../core/jobs/system-crons.js';
import { BackupService } from '../core/backups/backup-service.js';
import { WebhookService } from '../core/webhooks/webhook-service.js';
import { DEFAULT_DELIVERY_POLICY, DELIVER_JOB, WebhookOutbox, type DeliveryPolicy } from '../core/webhooks/webhook-outbox.js';
import { createWebhookDispatcher } from '../core/webhooks/webhook-dispatcher.js';
import { WebhookDeliveries } from '../core/webhooks/webhook-deliveries.js';
import type { BrokerPublishers } from '../core/events/broker-publisher.js';
import { createBrokerPublishers } from '../adapters/brokers/create-broker-publishers.js';
// Metrics, health and tracing (docs/observability.md):
import { sql } from 'kysely';
import { NodeMetrics } from '../core/metrics/node-metrics.js';
import type { BackupStatus } from '../core/health/backup-status.js';
import type { ReadinessProbe } from '../core/health/readiness.js';
import { DrainState } from '../core/health/drain-state.js';
import { startTracing } from './tracing-sdk.js';
import type { LogStore } from '../core/logs/log-store.js';
import { LogWriter } from '../core/logs/log-writer.js';
import { AppLogger } from '../core/logs/app-logger.js';
import { addLogsCleanupCron } from '../core/logs/logs-cleanup.js';
import { openLogStore } from './open-log-store.js';
import { flushStdoutLog, stdoutLogStream } from './stdout-log-stream.js';

/** Options that are not configuration: how the node logs, and code-only test seams. */
export interface PlinthOptions {
  /** Pino logger options for Fastify, or false to log nothing. */
  logger?: boolean | Record<string, unknown>;
  /**
   * How webhook deliveries are retried and timed out (docs/webhooks.md §6); a code-only
   * seam so tests can retry in milliseconds instead of over a day.
   */
  webhookDelivery?: Partial<DeliveryPolicy>;
  /**
   * The client for outbound HTTP to URLs others choose (OAuth2 avatars, webhooks,
   * `app.http.send`); by default built from `config.outboundAllow`. A code-only seam
   * for tests that resolve names through a fake DNS.
   */
  outbound?: OutboundHttp;
}

/** Every service of one node, built and started, with the HTTP server they log through. */
export interface Services {
  config: PlinthConfig;
  http: FastifyInstance;
  dialect: Dialect;
  connection: DatabaseConnection;
  db: Db;
  bus: Bus;
  redis: RedisTarget | undefined;
  rateLimitStore: RateLimitStore;
  schema: MemorySchema;
  compiler: RuleCompiler;
  collections: CollectionService;
  settings: SettingsService;
  sync: ClusterSync;
  storage: Storage;
  recordHooks: RecordHooks;
  /** The record request hooks of the records API and batch (docs/hooks.md §2). */
  requestHooks: RecordRequestHooks;
  /** The collection model hooks (docs/hooks.md §2). */
  collectionHooks: CollectionHooks;
  /** The hooks of the collections, settings, realtime, files and batch APIs (docs/hooks.md §2). */
  adminHooks: AdminHooks;
  records: RecordService;
  mfa: MfaService;
  auth: AuthService;
  appleNames: AppleRedirectNames;
  outbound: OutboundHttp;
  /** The RabbitMQ and NATS publishers of broker targets (docs/outbound.md §2), checked by `outbound`'s policy. */
  brokers: BrokerPublishers;
  oauth2: OAuth2Service;
  background: BackgroundTasks;
  mailer: Mailer;
  /** The mail hooks (docs/hooks.md §2): `mailer` runs onMailerSend, `mails` the record mail hooks. */
  mailHooks: MailHooks;
  /** The auth request hooks of the auth routes (docs/hooks.md §2). */
  authHooks: AuthRequestHooks;
  mails: AuthMails;
  attempts: StoreAttemptLimiter;
  flows: AuthFlows;
  otp: OtpService;
  alerts: AuthAlerts;
  realtime: RealtimeHub;
  /** Jobs, the worker loop and cron (docs/jobs.md); started by the app once its code defined them. */
  jobs: JobSystem;
  /** Backups and restores (docs/operations.md, Backups), with the `__pbAutoBackup__` cron of `settings.backups.cron`. */
  backups: BackupService;
  /** The webhooks (docs/webhooks.md) and the outbox that queues their deliveries. */
  webhooks: WebhookService;
  outbox: WebhookOutbox;
  /** The delivery log of the webhooks API. */
  deliveries: WebhookDeliveries;
  /** The node's Prometheus metrics (docs/observability.md §1). */
  metrics: NodeMetrics;
  /** Whether a backup or restore runs now (`canBackup` of the health route); the backups service replaces the idle one. */
  backupStatus: BackupStatus;
  /** The backing services `GET /api/health?ready=1` pings (docs/observability.md §2). */
  readiness: ReadinessProbe[];
  /** Whether the node is shutting down: readiness fails from the start of a stop (docs/operations.md, Deploying). */
  drain: DrainState;
  /** Where request and app log entries are kept (docs/operations.md §Logs). */
  logs: LogStore;
  /** Buffers log entries and writes them to `logs` in batches. */
  logWriter: LogWriter;
  /** The logger of app code, `app.logger()`. */
  appLogger: AppLogger;
  /** The custom routes that declared an OpenAPI operation, filled in when the app registers them (docs/openapi.md). */
  routeDocs: DocumentedRoute[];
  /** Stops every service, in reverse order of start; the HTTP server is closed before. */
  close(): Promise<void>;
}

/** Builds the services of a node over the configured data directory. */
export async function buildServices(config: PlinthConfig, options: PlinthOptions = {}): Promise<Services> {
  // Tracing first, so the start-up's own statements are traced too; nothing loads without OTEL_* set.
  const tracing = await startTracing(process.env);
  const metrics = new NodeMetrics();
  const { dialect, connection } = await openDatabase(config, (kind, seconds) => metrics.observeQuery(kind, seconds)).catch(async (err: unknown) => {
    await tracing?.stop();
    throw err;
  });
  const db = connection.db;
  const logger = options.logger ?? (config.logLevel === 'silent' ? false : { level: config.logLevel, stream: stdoutLogStream() });
  const http = Fastify({
    ...fastifyOptions({ logger, bodyLimit: config.bodyLimit, requestTimeout: config.requestTimeout }),
    schemaController: lazySchemaCompilers(),
  });
  // Cross-node ports (docs/architecture.md §1): in-process for one node, Redis when REDIS_URL is set.
  // Opened first so an unreachable Redis stops the start before anything else runs.
  const redis = redisTarget(config);
  let onBusInterruption = (_state: 'lost' | 'restored'): void => undefined;
  const bus = await createBus(redis ? { driver: 'redis', ...redis } : { driver: 'memory' }, {
    onHandlerError: (err) => http.log.error({ err }, 'bus handler failed'),
    onInterruption: (state) => onBusInterruption(state),
  }).catch(async (err: unknown) => {
    await connection.close();
    throw err;
  });
  const rateLimitStore = await createRateLimitStore(redis ? { driver: 'redis', ...redis } : { driver: 'memory' }).catch(async (err: unknown) => {
    await bus.close();
    await connection.close();
    throw err;
  });
  // One node at a time creates the system tables and collections of a fresh database.
  await connection.exclusive(() => ensureSystemTables(db, dialect));

  const schema = new MemorySchema();
  const compiler = createRuleCompiler({ dialect, schema });
  const collectionHooks = new CollectionHooks();
  const adminHooks = new AdminHooks();
  const searchBackfill = new SearchBackfill({
    db, fullText: dialect.fullText, onError: (err) => http.log.error({ err }, 'full-text index fill failed'),
  });
  const collections = new CollectionService({
    db, schema, ddl: new SchemaSync(dialect),
    validateRule: (collection, rule, collections) => compiler.validateRule(collection, rule, collections),
    onChange: async (): Promise<void> => {
      await sync.announce('schema');
      searchBackfill.kick();
    },
    // Records are built below; a schema change runs only after start-up finished.
    transaction: (fn) => records.inTransaction(fn),
    convertValues: (scope, old, next) => convertFieldValues(records.writer, scope, old, next),
    hooks: collectionHooks,
    onHookError: (err) => http.log.error({ err }, 'after-change collection hook failed'),
  });
  await connection.exclusive(() => collections.init());
  // An index of an earlier version's layout is upgraded before the node serves (docs/search.md §4.1,
  // §4.2), one node at a time: a node never reads a table in a layout it does not know.
  const upgrade = dialect.fullText.upgrade?.bind(dialect.fullText);
  if (upgrade) {
    await connection.exclusive(async () => {
      while (await upgrade(db) > 0);
    }).catch((err: unknown) => http.log.error({ err }, 'full-text index upgrade failed'));
  }
  // An index created before the last stop may still be filling (docs/search.md §4.1).
  searchBackfill.kick();
  const settings = new SettingsService(db);
  await settings.init();
  // Webhooks (docs/webhooks.md): the active ones in memory, reloaded on every node when one changes.
  // Outbound requests reach public addresses, plus the operator's --outboundAllow ranges (docs/outbound.md §1).
  const outbound = options.outbound ?? OutboundHttp.allowing(config.outboundAllow ?? []);
  const brokers = createBrokerPublishers({ policy: outbound.policy });
  const webhooks = new WebhookService({
    db, schema, compiler, checkTarget: (url) => outbound.checkTarget(url), targetProblem: (url) => (brokers.isBrokerUrl(url) ? brokers.targetProblem(url) : null),
    onChange: () => sync.announce('webhooks'),
    onTargetDropped: (url) => {
      if (brokers.isBrokerUrl(url)) brokers.release(url).catch((err: unknown) => http.log.error({ err }, 'closing a broker target failed'));
    },
  });
  await webhooks.reload();
  const deliveryPolicy: DeliveryPolicy = { ...DEFAULT_DELIVERY_POLICY, ...options.webhookDelivery };
  // The job queue is built after the records it reads; the outbox reaches it when a write runs.
  const outbox = new WebhookOutbox({ index: webhooks.index, compiler, policy: deliveryPolicy, queue: () => jobs.jobs });
  const deliveries = new WebhookDeliveries({ outbox, jobs: () => jobs.jobs, testWaitMs: deliveryPolicy.timeoutMs + 5_000 });
  // Schema and settings changes reach the other nodes, which reload them from the database.
  const sync: ClusterSync = new ClusterSync({
    bus,
    reload: { schema: () => collections.reload(), settings: () => settings.reload(), webhooks: () => webhooks.reload() },
    onError: (err) => http.log.error({ err }, 'cluster sync failed'),
  });
  settings.onSaved(() => sync.announce('settings'));
  settings.onChange((current) => {
    // After the change took effect: a handler reads the settings, it cannot stop the reload.
    if (adminHooks.onSettingsReload.isEmpty) return;
    adminHooks.onSettingsReload.trigger({ app: adminHooks.app(), settings: current }, [], () => undefined)
      .catch((err: unknown) => http.log.error({ err }, 'onSettingsReload hook failed'));
  });
  await sync.start();
  // Files (docs/api.md §8): the local directory, or the S3 bucket while settings.s3.enabled (docs/operations.md, "S3 storage").
  const storage = new SettingsStorage(new LocalStorage(join(config.dir, 'storage')), () => settings.get().s3);
  // Logs (docs/operations.md §Logs): written in batches off the request path.
  const logs = await openLogStore(config, { db, dialect, exclusive: (fn) => connection.exclusive(fn) });
  const logWriter = new LogWriter({ store: logs, settings: () => settings.get().logs, onError: (err) => http.log.error({ err }, 'writing logs failed') });
  const appLogger = new AppLogger(logWriter, http.log);
  // Realtime (docs/api.md §6): committed record events go onto the Bus; every node's hub fans them out.
  // On one node (no Redis) an event reaches only this node's streams: none open, nothing to send.
  const events = createBusEventSink(bus, (err) => http.log.error({ err }, 'record event publish failed'), () => redis !== undefined || realtime.size > 0);
  const recordHooks = new RecordHooks();
  const requestHooks = new RecordRequestHooks();
  const records = new RecordService({
    db, dialect, schema, compiler, files: new RecordFiles(storage), events, hooks: recordHooks, outbox, deadlines: connection.deadlines,
    onHookError: (err) => http.log.error({ err }, 'after-write hook failed'),
  });
  const mfa = new MfaService({ db, schema, records, access: records.access });
  const auth = new AuthService({ db, schema, access: records.access, mfa, records });
  // Apple's user name reaches only the browser redirect; every node keeps it for the sign-in that follows.
  const appleNames = new AppleRedirectNames(bus);
  await appleNames.start();
  const oauth2 = new OAuth2Service({ db, schema, records, appleNames, outbound });
  const background = new BackgroundTasks((err, what) => http.log.error({ err }, `background task failed: ${what}`));
  // Without SMTP a mail is withheld and only noted in the log; `--dev` logs it in full.
  const unsent = config.dev ? new DevLogMailer(http.log) : new LogMailer(http.log);
  // The app a mail or auth hook's handler gets is the records hooks' app outside a transaction.
  const mailHooks = new MailHooks();
  mailHooks.appFor = () => recordHooks.appFor(undefined);
  const authHooks = new AuthRequestHooks();
  authHooks.appFor = () => recordHooks.appFor(undefined);
  const mailer = new HookedMailer(new SettingsMailer(() => resolveSmtpOptions(settings.get().smtp, config.smtp), unsent), mailHooks);
  const mails = new AuthMails({ mailer, settings: () => settings.get(), hooks: mailHooks });
  const attempts = new StoreAttemptLimiter(rateLimitStore);
  const run = (what: string, task: () => Promise<void>) => background.run(what, task);
  const flows = new AuthFlows({ db, schema, records, mails, limiter: attempts, background: run });
  const otp = new OtpService({ db, schema, records, auth, mails, limiter: attempts, background: run });
  const alerts = new AuthAlerts({ db, schema, records, mails, background: run });
  auth.onSignIn((c, record, req) => alerts.signedIn(c, record, req));
  const realtime = new RealtimeHub({
    bus, schema, records, compiler, dialect, output: { parseExpand, pickFields },
    limits: {
      maxStreams: config.maxRealtimeStreams ?? CONFIG_DEFAULTS.maxRealtimeStreams,
      maxStreamsPerIp: config.maxRealtimeStreamsPerIp ?? CONFIG_DEFAULTS.maxRealtimeStreamsPerIp,
    },
    onError: (err) => http.log.error({ err }, 'realtime delivery failed'),
    messages: { hook: adminHooks.onRealtimeMessageSend as Hook<RealtimeMessageEvent>, app: () => adminHooks.app() },
    // Behind any load balancer (docs/api.md §6.5): subscribe calls reach the node holding the stream.
    crossNode: redis !== undefined,
    findAuth: (a) => auth.verifiedElsewhere(a.collectionId, a.recordId, a.tokenKey),
  });
  await realtime.start();
  // Jobs and cron (docs/jobs.md): durable in the database; the Bus only wakes other nodes sooner.
  const jobs = new JobSystem({
    db, dialect, bus, crossNode: redis !== undefined,
    pollMs: (config.jobPollInterval ?? CONFIG_DEFAULTS.jobPollInterval) * 1000,
    visibilityMs: (config.jobVisibilityTimeout ?? CONFIG_DEFAULTS.jobVisibilityTimeout) * 1000,
    onError: (err, what) => http.log.error({ err }, `jobs: ${what} failed`),
    onAttempt: (name, outcome) => metrics.jobAttempted(name, outcome),
    background: run,
  });
  addSystemCrons(jobs.crons, { db, schema, records, store: jobs.store });
  const backups = await createBackups(config, { db, backupLock: connection.backupLock, dialect, schema, collections, settings, sync, realtime, jobs, webhooks, log: http.log });
  // Webhook deliveries (docs/webhooks.md §6): the job's own timeout is a backstop behind the HTTP one.
  jobs.jobs.define(DELIVER_JOB, createWebhookDispatcher({
    outbound, brokers, timeoutMs: deliveryPolicy.timeoutMs, findWebhook: (id) => webhooks.find(id),
  }), { concurrency: 20, attempts: deliveryPolicy.attempts, backoff: deliveryPolicy.backoff, timeoutMs: deliveryPolicy.timeoutMs + 5_000 });
  addLogsCleanupCron(jobs.crons, { store: logs, settings: () => settings.get().logs });
  onBusInterruption = (state) => {
    // Events published while the Bus was down never arrive: streams are closed so
    // clients reconnect (docs/api.md §6.1) instead of silently missing them, and shared state
    // is reloaded in case a change was announced meanwhile.
    http.log.warn(`the bus connection was ${state}; closing realtime streams`);
    realtime.closeAll();
    if (state === 'restored') void sync.reloadAll();
  };

  metrics.addSources({
    realtime: () => ({ streams: realtime.size, subscriptions: realtime.subscriptionCount }),
    jobs: () => jobs.store.countByStatus(),
  });
  // NOTE: a peek at a rate-limit key is the cheapest round trip the Redis port has.
  const readiness: ReadinessProbe[] = [{ name: 'database', ping: () => sql`SELECT 1`.execute(db) }];
  if (redis) readiness.push({ name: 'redis', ping: () => rateLimitStore.peek('ready') });
  const drain = new DrainState();
  readiness.push(drain.probe);

  return {
    routeDocs: [],
    metrics, backupStatus: { isBusy: () => backups.isBusy() }, readiness, drain,
    config, http, dialect, connection, db, bus, redis, rateLimitStore, schema, compiler, collections, settings, sync, storage,
    recordHooks, requestHooks, collectionHooks, adminHooks, records, mfa, auth, appleNames, outbound, brokers, oauth2, background, mailer, mailHooks, authHooks, mails, attempts, flows, otp, alerts, realtime, jobs, backups,
    webhooks, outbox, deliveries, logs, logWriter, appLogger,
    async close() {
      // First: running jobs may still read and write through everything below.
      await jobs.stop();
      await realtime.stop();
      await appleNames.stop();
      await sync.stop();
      await bus.close();
      await background.drain();
      await searchBackfill.stop();
      await brokers.closeAll();
      await rateLimitStore.close();
      // After the HTTP server and jobs: the last requests' entries are written.
      await logWriter.stop();
      await logs.close();
      await connection.close();
      storage.close();
      backups.close();
      // Last: the spans of everything above are flushed to the collector.
      await tracing?.stop();
      flushStdoutLog();
    },
  };
}

/**
 * The composition root: reads the configuration, opens the database with its
 * dialect, builds the services and registers the HTTP plugins. The only module
 * that knows every concrete implementation.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { CONFIG_DEFAULTS, type PlinthConfig } from '../config/config.js';
import { connectSqlite } from '../db/connect-sqlite.js';
import { SqliteDialect } from '../db/dialect/sqlite/sqlite-dialect.js';
import type { Dialect } from '../db/dialect/dialect.js';
import type { Db } from '../db/database.js';

/** An open database as the composition root uses it. */
interface DatabaseConnection {
  db: Db;
  close(): Promise<void>;
  /** Runs `fn` while no other node runs an `exclusive` section on the same database. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}
import { ensureSystemTables } from '../db/system-tables.js';
import { SchemaSync } from '../db/schema-sync.js';
import { MemorySchema } from '../core/collections/schema.js';
import { CollectionService } from '../core/collections/collection-service.js';
import { RecordService } from '../core/records/record-service.js';
import { AuthService } from '../core/auth/auth-service.js';
import { createSuperuserAdmin } from '../core/auth/superuser-admin.js';
import { createRuleCompiler } from '../core/rules/rule-compiler.js';
import { fastifyOptions, registerHttpConventions } from '../http/http-conventions.js';
import { registerRequestAuth } from '../http/request-auth.js';
import { registerHealthRoutes } from '../http/health-routes.js';
import { registerClientIp } from '../http/client-ip.js';
import { closeSilentConnections, DEFAULT_CONNECTIONS_PER_IP, limitConnectionsPerIp } from '../http/connection-limit.js';
import { IpList } from '../tools/ip-list.js';
import { createRateLimiter, registerSettingsRateLimits, type RateLimitDeps } from '../http/rate-limit.js';
import { registerAuthLimits } from '../http/rate-limit-auth.js';
import { registerAuthFormStrings } from '../http/auth-form-strings.js';
import { registerSuperuserIps, superuserIpCheck } from '../http/superuser-ips.js';
import { createRateLimitStore } from '../adapters/ratelimit/create-rate-limit-store.js';
import { StoreAttemptLimiter } from '../core/ratelimit/store-attempt-limiter.js';
import { registerCollectionRoutes } from '../http/collections-routes.js';
import { registerRecordRoutes } from '../http/records-routes.js';
import { registerBatchRoutes } from '../http/batch-routes.js';
import { registerAuthRoutes } from '../http/auth-routes.js';
import { registerOAuth2Routes } from '../http/oauth2-routes.js';
import { OAuth2Service } from '../core/auth/oauth2/oauth2-service.js';
import { OutboundHttp } from '../tools/outbound-http.js';
import { AppleRedirectNames } from '../core/auth/oauth2/apple-redirect-names.js';
import { registerOAuth2RedirectRoutes } from '../http/oauth2-redirect-routes.js';
import { registerSettingsRoutes } from '../http/settings-routes.js';
import { SettingsService } from '../core/settings/settings-service.js';
import type { Plinth } from './plinth.js';
import { lazySchemaCompilers } from './lazy-schema-compilers.js';
import { MfaService } from '../core/auth/mfa-service.js';
import { AuthFlows } from '../core/auth/auth-flows.js';
import { AuthMails } from '../core/auth/auth-mails.js';
import { OtpService } from '../core/auth/otp-service.js';
import { AuthAlerts } from '../core/auth/auth-alerts.js';
import { resolveSmtpOptions } from '../core/mail/smtp-options.js';
import { SettingsMailer } from '../adapters/mail/settings-mailer.js';
import { DevLogMailer, LogMailer } from '../adapters/mail/log-mailer.js';
import { registerAuthFlowRoutes } from '../http/auth-flow-routes.js';
import { registerTestEmailRoute } from '../http/test-email-routes.js';
import { BackgroundTasks } from '../tools/background-tasks.js';
import { join } from 'node:path';
import { LocalStorage } from '../adapters/storage/local-storage.js';
import { RecordFiles } from '../core/records/record-files.js';
import { FileService } from '../core/files/file-service.js';
import { registerFilesRoutes } from '../http/files-routes.js';
import { createBus } from '../adapters/bus/create-bus.js';
import type { RedisTarget } from '../adapters/redis/redis-client.js';
import { ClusterSync } from '../core/cluster/cluster-sync.js';
import { registerClusterSyncHook } from '../http/cluster-sync-hook.js';
import { createBusEventSink } from '../core/realtime/record-event-message.js';
import { RealtimeHub } from '../core/realtime/realtime-hub.js';
import { registerRealtimeRoutes } from '../http/realtime-routes.js';
import { parseExpand } from '../http/list-params.js';
import { pickFields } from '../http/fields-picker.js';

/** Options that are not configuration: how the node logs, and code-only test seams. */
export interface PlinthOptions {
  /** Pino logger options for Fastify, or false to log nothing. */
  logger?: boolean | Record<string, unknown>;
  /**
   * The client for outbound HTTP to URLs others choose (OAuth2 avatars); by default
   * `OutboundHttp.publicOnly()`. SECURITY: deliberately not configuration (no flag or
   * environment variable), so only code that builds a node (test helpers) can loosen it.
   */
  outbound?: OutboundHttp;
}

/** A Plinth with its HTTP server exposed, for tests that use `inject()`. */
export interface PlinthNode extends Plinth {
  readonly http: FastifyInstance;
  /** This node's realtime clients (spec §6); the `@oauth2` redirect sends through it. */
  readonly realtime: RealtimeHub;
}

/** Builds a Plinth node over the configured data directory. */
export async function createPlinth(config: PlinthConfig, options: PlinthOptions = {}): Promise<PlinthNode> {
  const { dialect, connection } = await openDatabase(config);
  const db = connection.db;
  // Cross-node ports (design §1): in-process for one node, Redis when REDIS_URL is set.
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
  const collections = new CollectionService({
    db, schema, ddl: new SchemaSync(dialect),
    validateRule: (collection, rule) => compiler.validateRule(collection, rule),
    onChange: (): Promise<void> => sync.announce('schema'),
  });
  await connection.exclusive(() => collections.init());
  const settings = new SettingsService(db);
  await settings.init();
  // Schema and settings changes reach the other nodes, which reload them from the database.
  const sync: ClusterSync = new ClusterSync({
    bus,
    reload: { schema: () => collections.reload(), settings: () => settings.reload() },
    onError: (err) => http.log.error({ err }, 'cluster sync failed'),
  });
  settings.onSaved(() => sync.announce('settings'));
  await sync.start();
  // Files (spec §8): a local directory now; the S3-compatible store comes with scale-out.
  const storage = new LocalStorage(join(config.dir, 'storage'));
  // Realtime (spec §6): committed record events go onto the Bus; every node's hub fans them out.
  // On one node (no Redis) an event reaches only this node's streams: none open, nothing to send.
  const events = createBusEventSink(bus, (err) => http.log.error({ err }, 'record event publish failed'), () => redis !== undefined || realtime.size > 0);
  const records = new RecordService({ db, dialect, schema, compiler, files: new RecordFiles(storage), events });
  const mfa = new MfaService({ db, schema, records, access: records.access });
  const auth = new AuthService({ db, schema, access: records.access, mfa, records });

  const logger = options.logger ?? (config.logLevel === 'silent' ? false : { level: config.logLevel });
  const http = Fastify({
    ...fastifyOptions({ logger, bodyLimit: config.bodyLimit, requestTimeout: config.requestTimeout, logRequests: config.logLevel === 'debug' || config.logLevel === 'trace' }),
    schemaController: lazySchemaCompilers(),
  });
  await registerHttpConventions(http, { origins: config.origins, bodyLimit: config.bodyLimit, bodyMemoryLimit: config.bodyMemoryLimit,
    // On the data directory's file system, so a stored upload is renamed into storage, not copied.
    uploadDir: join(config.dir, '.tmp', 'uploads'),
  });
  registerClusterSyncHook(http, sync);
  limitConnectionsPerIp(http.server, { max: config.connectionsPerIp ?? DEFAULT_CONNECTIONS_PER_IP, exempt: new IpList(config.trustedProxies ?? []) });
  // The first request gets as long as Node gives a started request head (60 s).
  closeSilentConnections(http.server, http.server.headersTimeout);
  registerClientIp(http, { trustedProxies: config.trustedProxies ?? [], settings: () => settings.get().trustedProxy });
  registerRequestAuth(http, auth);
  // Abuse resistance (spec §1.2, §1.9): after auth (audiences, superusers), before every route.
  const limitDeps: RateLimitDeps = { store: rateLimitStore, settings: () => settings.get(), findCollection: (idOrName) => schema.find(idOrName) };
  registerSuperuserIps(http, limitDeps);
  const enforceRateLimit = await createRateLimiter(http, rateLimitStore);
  registerSettingsRateLimits(http, limitDeps, enforceRateLimit);
  // Before any route: auth form fields are text before the per-identity limits and handlers read them.
  registerAuthFormStrings(http);
  registerAuthLimits(http, limitDeps, enforceRateLimit);
  registerHealthRoutes(http, { trustedProxy: () => settings.get().trustedProxy });
  await registerCollectionRoutes(http, { db, collections, records, compiler });
  registerRecordRoutes(http, records);
  registerBatchRoutes(http, { records, settings });
  registerFilesRoutes(http, {
    storage,
    files: new FileService({
      db, dialect, schema, storage, access: records.access, superuserIpAllowed: superuserIpCheck(limitDeps),
      onThumbError: (err) => http.log.warn({ err }, 'thumb failed'),
    }),
  });
  registerAuthRoutes(http, auth, records);
  // Apple's user name reaches only the browser redirect; every node keeps it for the sign-in that follows.
  const appleNames = new AppleRedirectNames(bus);
  await appleNames.start();
  const outbound = options.outbound ?? OutboundHttp.publicOnly();
  registerOAuth2Routes(http, { auth, records, oauth2: new OAuth2Service({ db, schema, records, appleNames, outbound }) });
  const background = new BackgroundTasks((err, what) => http.log.error({ err }, `background task failed: ${what}`));
  // Without SMTP a mail is withheld and only noted in the log; `--dev` logs it in full.
  const unsent = config.dev ? new DevLogMailer(http.log) : new LogMailer(http.log);
  const mailer = new SettingsMailer(() => resolveSmtpOptions(settings.get().smtp, config.smtp), unsent);
  const mails = new AuthMails({ mailer, settings: () => settings.get() });
  const attempts = new StoreAttemptLimiter(rateLimitStore);
  const run = (what: string, task: () => Promise<void>) => background.run(what, task);
  const flows = new AuthFlows({ db, schema, records, mails, limiter: attempts, background: run });
  const otp = new OtpService({ db, schema, records, auth, mails, limiter: attempts, background: run });
  registerAuthFlowRoutes(http, { auth, flows, otp, records });
  const alerts = new AuthAlerts({ db, schema, records, mails, background: run });
  auth.onSignIn((c, record, req) => alerts.signedIn(c, record, req));
  registerTestEmailRoute(http, { auth, mails });
  await registerSettingsRoutes(http, settings);
  const realtime = new RealtimeHub({
    bus, schema, records, compiler, dialect, output: { parseExpand, pickFields },
    limits: {
      maxStreams: config.maxRealtimeStreams ?? CONFIG_DEFAULTS.maxRealtimeStreams,
      maxStreamsPerIp: config.maxRealtimeStreamsPerIp ?? CONFIG_DEFAULTS.maxRealtimeStreamsPerIp,
    },
    onError: (err) => http.log.error({ err }, 'realtime delivery failed'),
  });
  await realtime.start();
  onBusInterruption = (state) => {
    // Events published while the Bus was down never arrive: streams are closed so
    // clients reconnect (spec §6.1) instead of silently missing them, and shared state
    // is reloaded in case a change was announced meanwhile.
    http.log.warn(`the bus connection was ${state}; closing realtime streams`);
    realtime.closeAll();
    if (state === 'restored') void sync.reloadAll();
  };
  registerRealtimeRoutes(http, realtime);
  // The all-in-one OAuth2 flow (spec §5.5) hands the code to the SDK's realtime client.
  registerOAuth2RedirectRoutes(http, { realtime, appleNames });
  await http.ready();

  return {
    config,
    http,
    realtime,
    superusers: createSuperuserAdmin({ db, schema, records }),
    async listen() {
      const address = await http.listen({ host: config.http.host, port: config.http.port });
      const bound = http.server.address();
      const port = typeof bound === 'object' && bound ? bound.port : config.http.port;
      const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
      return { host: config.http.host, port, url: address.startsWith('http') ? `http://${host}:${port}` : address };
    },
    async close() {
      await http.close();
      await realtime.stop();
      await appleNames.stop();
      await sync.stop();
      await bus.close();
      await background.drain();
      await rateLimitStore.close();
      await connection.close();
    },
  };
}

/** Where this node's Redis is, when REDIS_URL is set. */
function redisTarget(config: PlinthConfig): RedisTarget | undefined {
  if (!config.redisUrl) return undefined;
  return { url: config.redisUrl, prefix: config.redisPrefix ?? 'plinth:', source: 'REDIS_URL' };
}

/**
 * Opens the configured database with its dialect: PostgreSQL when DATABASE_URL is
 * set (pg is loaded only then), else the embedded SQLite file in `dir`.
 */
async function openDatabase(config: PlinthConfig): Promise<{ dialect: Dialect; connection: DatabaseConnection }> {
  if (config.databaseUrl) {
    const { connectPostgres } = await import('../db/connect-postgres.js');
    const { PostgresDialect } = await import('../db/dialect/postgres/postgres-dialect.js');
    return { dialect: new PostgresDialect(), connection: await connectPostgres(config.databaseUrl, { statementTimeout: config.queryTimeout }) };
  }
  const sqlite = connectSqlite(config.dir, { queryTimeout: config.queryTimeout });
  // SQLite serves one process, which runs its start-up alone.
  return { dialect: new SqliteDialect(), connection: { db: sqlite.db, close: () => sqlite.close(), exclusive: (fn) => fn() } };
}

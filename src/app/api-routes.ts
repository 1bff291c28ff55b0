/**
 * Step two of a node: the HTTP conventions, the request plumbing (client IP,
 * auth, abuse limits) and every built-in API route, registered from one ordered
 * table. Order matters: plumbing hooks run before any route, in this order.
 */
import { join } from 'node:path';
import { registerHttpConventions } from '../http/http-conventions.js';
import { registerRequestAuth } from '../http/request-auth.js';
import { registerInstallerGuard } from '../http/installer-guard.js';
import { createSuperuserInstaller } from '../core/auth/superuser-installer.js';
import { registerHealthRoutes } from '../http/health-routes.js';
import { registerClientIp } from '../http/client-ip.js';
import { closeSilentConnections, DEFAULT_CONNECTIONS_PER_IP, limitConnectionsPerIp } from '../http/connection-limit.js';
import { IpList } from '../tools/ip-list.js';
import { createRateLimiter, registerSettingsRateLimits, type RateLimitDeps } from '../http/rate-limit.js';
import { registerAuthLimits } from '../http/rate-limit-auth.js';
import { registerAuthFormStrings } from '../http/auth-form-strings.js';
import { registerSuperuserIps, superuserIpCheck } from '../http/superuser-ips.js';
import { registerCollectionRoutes } from '../http/collections-routes.js';
import { registerRecordRoutes } from '../http/records-routes.js';
import { registerRulesExplainRoutes } from '../http/rules-explain-routes.js';
import { RuleExplainer } from '../core/records/rule-explain.js';
import { registerBatchRoutes } from '../http/batch-routes.js';
import { registerAuthRoutes } from '../http/auth-routes.js';
import { registerOAuth2Routes } from '../http/oauth2-routes.js';
import { registerOAuth2RedirectRoutes } from '../http/oauth2-redirect-routes.js';
import { registerSettingsRoutes } from '../http/settings-routes.js';
import { registerAuthFlowRoutes } from '../http/auth-flow-routes.js';
import { registerTestEmailRoute } from '../http/test-email-routes.js';
import { FileService } from '../core/files/file-service.js';
import { verifyFileToken } from '../core/files/file-token.js';
import { registerFilesRoutes } from '../http/files-routes.js';
import { registerClusterSyncHook } from '../http/cluster-sync-hook.js';
import { registerRealtimeRoutes } from '../http/realtime-routes.js';
import { registerWebhookRoutes } from '../http/webhooks-routes.js';
import { registerJobsRoutes } from '../http/jobs-routes.js';
import { registerCronsRoutes } from '../http/crons-routes.js';
import { registerBackupsRoutes } from '../http/backups-routes.js';
import { registerAppleSecretRoutes } from '../http/apple-secret-routes.js';
import { registerSqlRoutes } from '../http/sql-routes.js';
import { SqlConsoleService } from '../core/sql/sql-console-service.js';
import { registerRequestLogs } from '../http/request-logs.js';
import { registerLogsRoutes } from '../http/logs-routes.js';
import { registerDashboardRoutes } from '../http/dashboard-routes.js';
import type { Services } from './services.js';
import { apiCollections } from './migrations.js';
import { registerTestS3Route } from '../http/settings-test-s3-route.js';
import { testS3Filesystem } from '../core/settings/s3-test.js';
import type { S3Storage } from '../adapters/storage/s3-storage.js';
import type { S3Settings } from '../core/settings/settings.js';
// Metrics, health and tracing (docs/observability.md):
import { registerRequestMetrics } from '../http/request-metrics.js';
import { registerMetricsRoutes } from '../http/metrics-routes.js';
import { unreadyServices } from '../core/health/readiness.js';
import { tracing } from '../tools/tracing.js';
// The OpenAPI document and its docs UI (docs/openapi.md):
import { OpenApiDocuments } from '../core/openapi/openapi-documents.js';
import { registerOpenApiRoutes } from '../http/openapi-routes.js';
import { registerOpenApiDocsUi } from '../http/openapi-docs-ui.js';

/** What a step of the table gets: the services and what earlier steps made. */
interface RouteContext {
  s: Services;
  limits: RateLimitDeps;
  enforceRateLimit: Awaited<ReturnType<typeof createRateLimiter>>;
}

/** One step of the table: a name (for errors) and what it registers. */
interface RouteStep {
  name: string;
  register(ctx: RouteContext): void | Promise<void>;
}

/** The built-in API, in registration order (after the plumbing hooks). */
const API_ROUTES: readonly RouteStep[] = [
  // Before any route: auth form fields are text before the per-identity limits and handlers read them.
  { name: 'auth form strings', register: ({ s }) => registerAuthFormStrings(s.http) },
  { name: 'auth limits', register: ({ s, limits, enforceRateLimit }) => registerAuthLimits(s.http, limits, enforceRateLimit) },
  {
    name: 'health',
    register: ({ s }) => registerHealthRoutes(s.http, {
      trustedProxy: () => s.settings.get().trustedProxy,
      canBackup: async () => !(await s.backupStatus.isBusy()),
      unready: () => unreadyServices(s.readiness),
      onUnready: (services) => s.http.log.warn(`not ready: no answer from ${services.join(', ')}`),
    }),
  },
  { name: 'metrics', register: ({ s }) => registerMetricsRoutes(s.http, { metrics: s.metrics, token: s.config.metricsToken }) },
  { name: 'collections', register: ({ s }) => registerCollectionRoutes(s.http, { db: s.db, collections: apiCollections(s), records: s.records, compiler: s.compiler, hooks: s.adminHooks }) },
  { name: 'records', register: ({ s }) => registerRecordRoutes(s.http, s.records, s.requestHooks) },
  // The rule explainer (docs/rules-explain.md): the records API's own compiler and access checks.
  {
    name: 'rules explain',
    register: ({ s }) => registerRulesExplainRoutes(s.http, {
      schema: s.schema,
      explainer: new RuleExplainer({ db: s.db, dialect: s.dialect, schema: s.schema, compiler: s.compiler, access: s.records.access }),
    }),
  },
  { name: 'batch', register: ({ s }) => registerBatchRoutes(s.http, { records: s.records, settings: s.settings, hooks: s.requestHooks, adminHooks: s.adminHooks }) },
  {
    name: 'files',
    register: ({ s, limits }) => registerFilesRoutes(s.http, {
      storage: s.storage, hooks: s.adminHooks,
      files: new FileService({
        db: s.db, dialect: s.dialect, schema: s.schema, storage: s.storage, access: s.records.access, superuserIpAllowed: superuserIpCheck(limits),
        onThumbError: (err) => s.http.log.warn({ err }, 'thumb failed'),
      }),
    }),
  },
  { name: 'auth', register: ({ s }) => registerAuthRoutes(s.http, s.auth, s.records, s.authHooks) },
  { name: 'oauth2', register: ({ s }) => registerOAuth2Routes(s.http, { auth: s.auth, records: s.records, oauth2: s.oauth2, hooks: s.authHooks }) },
  { name: 'auth flows', register: ({ s }) => registerAuthFlowRoutes(s.http, { auth: s.auth, flows: s.flows, otp: s.otp, records: s.records, hooks: s.authHooks }) },
  { name: 'test email', register: ({ s }) => registerTestEmailRoute(s.http, { auth: s.auth, mails: s.mails }) },
  { name: 'settings', register: ({ s }) => registerSettingsRoutes(s.http, s.settings, s.adminHooks) },
  // The S3 connection test (docs/operations.md, "S3 storage").
  { name: 'test s3', register: ({ s }) => registerTestS3Route(s.http, { testS3: (filesystem) => testS3Filesystem(s.settings.get(), filesystem, openS3Storage) }) },
  // Jobs and cron (docs/jobs.md §4, docs/api.md §9).
  { name: 'jobs', register: ({ s }) => registerJobsRoutes(s.http, s.jobs.jobs) },
  { name: 'crons', register: ({ s }) => registerCronsRoutes(s.http, s.jobs.crons) },
  // Backups (docs/operations.md, Backups); a download is authorized by a superuser's file token.
  {
    name: 'backups',
    register: ({ s, limits }) => {
      const superuserIpAllowed = superuserIpCheck(limits);
      return registerBackupsRoutes(s.http, {
        backups: s.backups, uploadDir: join(s.config.dir, '.tmp', 'uploads'),
        isSuperuserFileToken: async (token, ip) => (await verifyFileToken(s, token))?.collection.name === '_superusers' && superuserIpAllowed(ip),
      });
    },
  },
  { name: 'webhooks', register: ({ s }) => registerWebhookRoutes(s.http, { webhooks: s.webhooks, deliveries: s.deliveries }) },
  // The SQL console (docs/operations.md "SQL console").
  { name: 'sql', register: ({ s }) => registerSqlRoutes(s.http, createSqlConsoleService(s)) },
  // Sign in with Apple's client secret (docs/api.md §9).
  { name: 'apple client secret', register: ({ s }) => registerAppleSecretRoutes(s.http) },
  // Logs (docs/operations.md §Logs).
  { name: 'logs', register: ({ s }) => registerLogsRoutes(s.http, { store: s.logs, writer: s.logWriter }) },
  { name: 'realtime', register: ({ s }) => registerRealtimeRoutes(s.http, s.realtime, s.adminHooks) },
  // The OpenAPI document of the live schema and its docs UI (docs/openapi.md).
  {
    name: 'openapi',
    register: ({ s }) => registerOpenApiRoutes(s.http, new OpenApiDocuments({ schema: s.schema, routes: () => s.routeDocs, title: () => s.settings.get().meta.appName })),
  },
  { name: 'docs ui', register: ({ s }) => registerOpenApiDocsUi(s.http) },
  // The all-in-one OAuth2 flow (docs/api.md §5.5) hands the code to the SDK's realtime client.
  { name: 'oauth2 redirect', register: ({ s }) => registerOAuth2RedirectRoutes(s.http, { realtime: s.realtime, appleNames: s.appleNames, dashboard: Boolean(s.config.dashboardDir) }) },
  // The dashboard at /_/ (docs/dashboard.md), when the node serves one.
  {
    name: 'dashboard',
    register: ({ s }) => {
      if (s.config.dashboardDir) registerDashboardRoutes(s.http, { dir: s.config.dashboardDir });
    },
  },
];

/** Registers the HTTP conventions, the request plumbing and the built-in API on the services' server. */
export async function registerApiRoutes(s: Services): Promise<void> {
  const { http, config } = s;
  // First: the request's server span is the parent of everything its hooks and handler do.
  if (tracing.tracer) (await import('../http/request-tracing.js')).registerRequestTracing(http, tracing.tracer);
  registerRequestMetrics(http, s.metrics);
  await registerHttpConventions(http, { origins: config.origins, bodyLimit: config.bodyLimit, bodyMemoryLimit: config.bodyMemoryLimit,
    // On the data directory's file system, so a stored upload is renamed into storage, not copied.
    uploadDir: join(config.dir, '.tmp', 'uploads'),
  });
  registerClusterSyncHook(http, s.sync);
  // Every request: X-Request-Id, the stdout access line and the stored entry (docs/operations.md §Logs).
  registerRequestLogs(http, { writer: s.logWriter, settings: () => s.settings.get().logs });
  limitConnectionsPerIp(http.server, { max: config.connectionsPerIp ?? DEFAULT_CONNECTIONS_PER_IP, exempt: new IpList(config.trustedProxies ?? []) });
  // The first request gets as long as Node gives a started request head (60 s).
  closeSilentConnections(http.server, http.server.headersTimeout);
  registerClientIp(http, { trustedProxies: config.trustedProxies ?? [], settings: () => s.settings.get().trustedProxy });
  registerRequestAuth(http, s.auth);
  // The first-run install token may only create the first superuser (docs/security.md).
  registerInstallerGuard(http, createSuperuserInstaller({ db: s.db, schema: s.schema, records: s.records }));
  // Abuse resistance (docs/api.md §1.2, §1.9): after auth (audiences, superusers), before every route.
  const limits: RateLimitDeps = { store: s.rateLimitStore, settings: () => s.settings.get(), findCollection: (idOrName) => s.schema.find(idOrName) };
  registerSuperuserIps(http, limits);
  const enforceRateLimit = await createRateLimiter(http, s.rateLimitStore, (rule) => s.metrics.rateLimited(rule));
  registerSettingsRateLimits(http, limits, enforceRateLimit);
  const ctx: RouteContext = { s, limits, enforceRateLimit };
  for (const step of API_ROUTES) await step.register(ctx);
}

/** An S3 store for the S3 test; the S3 SDK loads on first use (docs/operations.md, "S3 storage"). */
async function openS3Storage(target: S3Settings): Promise<S3Storage> {
  const { S3Storage } = await import('../adapters/storage/s3-storage.js');
  return new S3Storage(target);
}

/** The SQL console over the node's database; a statement that may have written reloads the caches on every node. */
function createSqlConsoleService(s: Services): SqlConsoleService {
  return new SqlConsoleService({
    console: s.connection.sqlConsole,
    async reloadCaches() {
      await s.collections.reload();
      await s.settings.reload();
      await s.sync.announce('schema');
      await s.sync.announce('settings');
    },
  });
}

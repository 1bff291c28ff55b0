/**
 * The usage texts printed by `plinth --help`, `plinth serve --help`,
 * `plinth superuser --help`, `plinth migrate --help` and `plinth migrate-db --help`.
 */
import type { HelpTopic } from './usage-error.js';

const ROOT = `Plinth: a self-hosted backend, wire-compatible with PocketBase's Web API.

Usage:
  plinth <command> [flags]

Commands:
  serve       Start the web server
  superuser   Manage superusers (upsert, create, update, delete)
  migrate     Apply, revert or write schema migration files (up, down, create,
              collections, history-sync)
  migrate-db  Copy the SQLite data into an empty PostgreSQL database (not a
              schema migration: a move from one database engine to the other)
  backup      Create a backup, or restore one (create, restore)
  typegen     Write TypeScript types of the collections for the pocketbase SDK
  help        Show the help of a command

Flags:
  --dir=DIR     Data directory (default "./plinth_data", env PLINTH_DIR)
  --env-file=PATH  Load environment variables from a .env file; variables already
                set win (any command, before or after its name)
  -h, --help    Show this help
  -v, --version Show the version

Run "plinth <command> --help" for the flags of a command.
Any PLINTH_* variable, DATABASE_URL and REDIS_URL may be given as NAME_FILE, the path of
a file holding the value (Docker and Kubernetes secrets).
`;

const SERVE = `Start the web server.

Usage:
  plinth serve [flags]

Flags:
  --http=HOST:PORT        Address to listen on (default "127.0.0.1:8090", env PLINTH_HTTP;
                          "0.0.0.0:$PORT" when only PORT is set); an IPv6 host goes in
                          brackets: [::1]:8090
  --dir=DIR               Data directory (default "./plinth_data", env PLINTH_DIR)
  --origins=LIST          Comma-separated CORS origins (default "*", env PLINTH_ORIGINS);
                          an empty list allows no cross-origin requests
  --dev                   Development mode: debug logs, automigrate, and the hooks are
                          reloaded when a file in the hooks folder changes (env PLINTH_DEV)
  --hooksDir=DIR          Folder of app code: every *.ts, *.mts, *.js and *.mjs file at its
                          top level is loaded at start, in name order (default
                          "./plinth_hooks", env PLINTH_HOOKS_DIR; a missing folder is fine)
  --migrationsDir=DIR     Migration files, applied at start when pending (default
                          "./plinth_migrations", env PLINTH_MIGRATIONS_DIR)
  --automigrate           Write a migration file for every collection change made through
                          the API (default: on with --dev; env PLINTH_AUTOMIGRATE=false
                          turns it off)
  --logLevel=LEVEL        fatal, error, warn, info, debug, trace or silent
                          (default "info", "debug" with --dev; env PLINTH_LOG_LEVEL)
  --bodyLimit=SIZE        Largest request body, in bytes or with K, M, G (default "32MiB",
                          env PLINTH_BODY_LIMIT)
  --queryTimeout=SECONDS  Longest the database queries of one list or aggregate (else one
                          query) may run before the request answers 400
                          "The query took too long" (default 2, decimals allowed: 0.5;
                          env PLINTH_QUERY_TIMEOUT). On SQLite a query holds the whole
                          server while it runs, so keep it in the low seconds
  --databaseUrl=URL       Keep the data in PostgreSQL (postgres://USER:PASSWORD@HOST:5432/DB,
                          env DATABASE_URL) instead of SQLite in the data directory
  --redisUrl=URL          Share realtime events, rate limits and schema changes between
                          nodes through Redis (redis://HOST:6379/0, env REDIS_URL)
  --redisPrefix=TEXT      Prefix of Plinth's Redis keys and channels (default "plinth:",
                          env PLINTH_REDIS_PREFIX)
  --trustedProxy=LIST     Comma-separated IPs/CIDRs of the reverse proxies in front of Plinth
                          whose X-Forwarded-For (or settings.trustedProxy.headers) is
                          believed; "*" trusts every peer (env PLINTH_TRUSTED_PROXY)
  --outboundAllow=LIST    Comma-separated IPs/CIDRs that webhooks, brokers, app.http.send and
                          OAuth2 downloads may reach although private or loopback; plain
                          http only to these (env PLINTH_OUTBOUND_ALLOW)
  --requestTimeout=SECONDS  Time a client has to send a whole request (default 300,
                          env PLINTH_REQUEST_TIMEOUT)
  --shutdownDelay=SECONDS  On SIGTERM, keep serving this long with /api/health?ready=1
                          at 503 so a load balancer drains the node (default none,
                          env PLINTH_SHUTDOWN_DELAY)
  --maxRealtimeStreams=N  Realtime (SSE) streams the node holds at once; more answer 503
                          (default 20000, env PLINTH_MAX_REALTIME_STREAMS)
  --maxRealtimeStreamsPerIp=N  Realtime streams one client IP (IPv6: one /64) may hold;
                          more answer 429 (default 500, env PLINTH_MAX_REALTIME_STREAMS_PER_IP)
  --connectionsPerIp=N    Most TCP connections one client address may hold open, realtime
                          streams included (default 1000, 0 = no cap; env
                          PLINTH_CONNECTIONS_PER_IP); --trustedProxy peers are not capped
  --bodyMemoryLimit=SIZE  Most request-body bytes all requests together hold in memory;
                          a body past it gets a 503 (default "256MiB", env
                          PLINTH_BODY_MEMORY_LIMIT)
  --jobPollInterval=SECONDS  How often the job worker looks for due jobs when no enqueue
                          woke it (default 1, decimals allowed; env PLINTH_JOB_POLL_INTERVAL)
  --jobVisibilityTimeout=SECONDS  How long a claimed job stays hidden from other workers
                          without a heartbeat: a killed node's jobs run again this much
                          later (default 30, decimals allowed; env PLINTH_JOB_VISIBILITY_TIMEOUT)
  --metricsToken=TOKEN    Bearer token that may read GET /api/metrics besides superusers
                          (16+ printable characters; prefer env PLINTH_METRICS_TOKEN)
  --noDashboard           Do not serve the dashboard at /_/ (docs/dashboard.md)
  --encryptionEnv=NAME    Accepted for PocketBase compatibility and ignored
  -h, --help              Show this help

Flags win over environment variables, which win over --env-file, then the defaults.
Domain arguments (PocketBase's automatic TLS) are not supported: put Plinth behind a
TLS-terminating proxy.
`;

const SUPERUSER = `Manage superusers.

Usage:
  plinth superuser upsert EMAIL PASSWORD   Create a superuser, or set its password if it exists
  plinth superuser create EMAIL PASSWORD   Create a superuser
  plinth superuser update EMAIL PASSWORD   Set the password of an existing superuser
  plinth superuser delete EMAIL            Delete a superuser

Flags:
  --dir=DIR     Data directory (default "./plinth_data", env PLINTH_DIR)
  -h, --help    Show this help
`;

const MIGRATE = `Apply, revert or write the migration files of --migrationsDir: files named
<unix-timestamp>_<name>.ts (or .mts, .js, .mjs) that default-export
{ async up(app) {…}, async down(app) {…} }. Pending files also apply when the server starts.

Usage:
  plinth migrate [up]              Apply every pending migration, in name order, in one transaction
  plinth migrate down [N]          Revert the last N applied migrations (default 1), latest first
  plinth migrate create NAME       Write a blank migration file <timestamp>_<name>.ts
  plinth migrate collections       Write one migration that recreates every collection as it is now
                                   (recorded as applied here)
  plinth migrate history-sync      Forget applied migrations whose file is gone

Flags:
  --migrationsDir=DIR  Migration files (default "./plinth_migrations", env PLINTH_MIGRATIONS_DIR)
  --dir=DIR            Data directory (default "./plinth_data", env PLINTH_DIR)
  --databaseUrl=URL    PostgreSQL instead of SQLite in the data directory (env DATABASE_URL)
  --js                 create and collections write JavaScript (.js) instead of TypeScript
  -h, --help           Show this help

To copy a SQLite instance into PostgreSQL, see "plinth migrate-db --help" instead.
`;

const MIGRATE_DB = `Copy the embedded SQLite instance (schema, records, superusers, files' metadata,
settings) into an empty PostgreSQL database, then verify the row counts. Everything is
copied in one transaction: on any failure the target is left empty. The SQLite data is
only read. Uploaded files stay in <dir>/storage. (Schema migration files are
"plinth migrate", a different command.)

Usage:
  plinth migrate-db --to=postgres://USER:PASSWORD@HOST:5432/DATABASE [flags]

Flags:
  --to=URL      The empty PostgreSQL database to fill (required)
  --dir=DIR     Data directory to copy from (default "./plinth_data", env PLINTH_DIR)
  -h, --help    Show this help
`;

const BACKUP = `Create a backup of the data directory's database and files, or restore one
(docs/operations.md). Backups are zip files in <dir>/backups, the same ones
GET /api/backups lists. Stop the server before a restore from the command line
(or restore through the API, which reloads the running server).

Usage:
  plinth backup create [NAME]   Write a backup (NAME like "my_backup.zip"; default <app>_<time>.zip)
  plinth backup restore KEY     Replace the data and files with those of the backup KEY

Flags:
  --dir=DIR     Data directory (default "./plinth_data", env PLINTH_DIR)
  -h, --help    Show this help
`;

const TYPEGEN = `Write TypeScript types of the collections for the pocketbase SDK (docs/typegen.md):
a Collections enum, XxxRecord and XxxResponse types, CollectionRecords and
TypedPocketBase, as pocketbase-typegen writes them.

Usage:
  plinth typegen [--out=FILE] [--dir=DIR]
  plinth typegen --url=URL (--token=TOKEN | --email=EMAIL --password=PASSWORD) [--out=FILE]

Flags:
  --out=FILE        Where to write (default "pocketbase-types.ts", env PLINTH_TYPEGEN_OUT)
  --dir=DIR         Read the collections from this data directory (default "./plinth_data";
                    DATABASE_URL as for serve); the server need not run
  --url=URL         Read them from a running server instead (env PLINTH_TYPEGEN_URL)
  --token=TOKEN     A superuser token for --url (env PLINTH_TYPEGEN_TOKEN)
  --email=EMAIL     A superuser's email for --url (env PLINTH_TYPEGEN_EMAIL)
  --password=PASS   Its password (env PLINTH_TYPEGEN_PASSWORD, which keeps it out of the
                    process list)
  -h, --help        Show this help
`;

const TEXTS: Record<HelpTopic, string> = { root: ROOT, serve: SERVE, superuser: SUPERUSER, migrate: MIGRATE, 'migrate-db': MIGRATE_DB, backup: BACKUP, typegen: TYPEGEN };

/** The usage text of a help topic. */
export function helpText(topic: HelpTopic): string {
  return TEXTS[topic];
}

/** The command line that shows the help of a topic, for hints after a usage error. */
export function helpCommand(topic: HelpTopic): string {
  return topic === 'root' ? 'plinth --help' : `plinth ${topic} --help`;
}

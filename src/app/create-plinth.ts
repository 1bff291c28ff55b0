/**
 * The composition root: reads the configuration, opens the database with its
 * dialect, builds the services and registers the HTTP plugins. The only module
 * that knows every concrete implementation.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { PlinthConfig } from '../config/config.js';
import { connectSqlite } from '../db/connect-sqlite.js';
import { SqliteDialect } from '../db/dialect/sqlite/sqlite-dialect.js';
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
import { registerCollectionRoutes } from '../http/collections-routes.js';
import { registerRecordRoutes } from '../http/records-routes.js';
import { registerAuthRoutes } from '../http/auth-routes.js';
import { registerSettingsRoutes } from '../http/settings-routes.js';
import { SettingsService } from '../core/settings/settings-service.js';
import type { Plinth } from './plinth.js';

/** Options that are not configuration: how the node logs. */
export interface PlinthOptions {
  /** Pino logger options for Fastify, or false to log nothing. */
  logger?: boolean | Record<string, unknown>;
}

/** A Plinth with its HTTP server exposed, for tests that use `inject()`. */
export interface PlinthNode extends Plinth {
  readonly http: FastifyInstance;
}

/** Builds a Plinth node over the configured data directory. */
export async function createPlinth(config: PlinthConfig, options: PlinthOptions = {}): Promise<PlinthNode> {
  const dialect = new SqliteDialect();
  const connection = connectSqlite(config.dir);
  const db = connection.db;
  await ensureSystemTables(db);

  const schema = new MemorySchema();
  const compiler = createRuleCompiler({ dialect, schema });
  const collections = new CollectionService({
    db, schema, ddl: new SchemaSync(dialect),
    validateRule: (collection, rule) => compiler.validateRule(collection, rule),
  });
  await collections.init();
  const settings = new SettingsService(db);
  await settings.init();
  const records = new RecordService({ db, dialect, schema, compiler });
  const auth = new AuthService({ db, schema, access: records.access });

  const logger = options.logger ?? (config.logLevel === 'silent' ? false : { level: config.logLevel });
  const http = Fastify(fastifyOptions({ logger, bodyLimit: config.bodyLimit }));
  await registerHttpConventions(http, { origins: config.origins, bodyLimit: config.bodyLimit });
  registerRequestAuth(http, auth);
  registerHealthRoutes(http);
  await registerCollectionRoutes(http, { db, collections, records, compiler });
  registerRecordRoutes(http, records);
  registerAuthRoutes(http, auth, records);
  await registerSettingsRoutes(http, settings);
  await http.ready();

  return {
    config,
    http,
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
      await connection.close();
    },
  };
}

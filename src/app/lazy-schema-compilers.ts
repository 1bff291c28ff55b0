/**
 * Fastify's schema compilers (Ajv for validation, fast-json-stringify for
 * serialization), loaded the first time a route with a schema needs one.
 */
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

// Resolved from fastify's own location: the compilers are fastify's dependencies, not ours.
const requireFromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>;
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>;

/**
 * The `schemaController` server option that defers fastify's default compilers.
 * NOTE: fastify builds them in its constructor, loading Ajv and its formats (about a
 * hundred modules, a tenth of start-up); Plinth validates bodies itself and declares no
 * route schemas, so they are usually never needed. The builders are fastify's own,
 * made on first use, so a route that declares a schema behaves as before, with one
 * trap: given builders count as "custom", and fastify then does not lower-case the
 * keys of a `headers` schema, so name headers in lower case in such a schema.
 */
export function lazySchemaCompilers(): NonNullable<FastifyServerOptions['schemaController']> {
  return {
    compilersFactory: {
      buildValidator: deferred<ValidatorFactory>('@fastify/ajv-compiler'),
      buildSerializer: deferred<SerializerFactory>('@fastify/fast-json-stringify-compiler'),
    },
  };
}

/** A builder that makes fastify's default one (the package's factory) on its first call and forwards to it. */
function deferred<F extends ValidatorFactory | SerializerFactory>(name: string): F {
  let built: F | undefined;
  function forward(this: unknown, ...args: unknown[]): unknown {
    built ??= (requireFromFastify(name) as () => F)();
    return Reflect.apply(built, this, args);
  }
  // NOTE: a plain forwarder has exactly F's behaviour; its signature cannot name F's overloads.
  return forward as unknown as F;
}

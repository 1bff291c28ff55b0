#!/usr/bin/env node
/**
 * Builds dist/ (what `plinth` runs and `import 'plinth'` loads): src/cli/main.ts,
 * src/index.ts (the library's public API, dist/index.js) and the pure-JavaScript
 * dependencies they load at start-up, bundled by esbuild into a few ES modules.
 * The two entries share their chunks, so a program using Plinth as a library and
 * the hooks it loads see the same classes. The `.d.ts` types are emitted by tsc
 * (`npm run build` runs `tsc -p tsconfig.build.json` after this) to dist/types.
 *
 * Why a bundle and not tsc's one file per module: Node 20 loads ES modules one
 * file at a time (resolve, read, compile each), and Plinth's start-up graph is
 * about 800 modules (Kysely alone is 262). One bundle starts in about half the
 * time and needs about a fifth less idle memory. Type checking stays with tsc
 * (`npm run build` runs it after the bundle); tests run src/ through vitest
 * and, but for test/dist-build.test.ts and test/library-mode.test.ts, never see dist/.
 *
 * Then the dashboard (dashboard/) is built by Vite into dist/dashboard (buildDashboard).
 *
 *   node scripts/build.mjs            # writes dist/
 *   node scripts/build.mjs OUT_DIR    # writes OUT_DIR instead (OUT_DIR/cli/main.js)
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Left out of the bundle, loaded from node_modules: native addons (their .node
 * files are found relative to their package) and esbuild (which finds its binary
 * from its own path, to transpile hooks and migrations); the heavy integrations that only
 * some set-ups use (PostgreSQL, Redis, SMTP, image thumbnails, file-type
 * sniffing), which Plinth imports on first use anyway; and Fastify's schema
 * compilers (Ajv, fast-json-stringify: a quarter of the bundle), which Plinth
 * builds only when a route has a schema (src/app/lazy-schema-compilers.ts).
 */
export const EXTERNAL = [
  'better-sqlite3', '@node-rs/argon2', 'sharp', 'esbuild',
  'pg', 'ioredis', 'nodemailer', 'file-type',
  '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler',
];

// NOTE: bundled CommonJS code (Fastify and its plugins) calls require() for Node's
// built-in modules; an ES module has no require, so each output file gets one.
const REQUIRE_SHIM = "import { createRequire as __plinthCreateRequire } from 'node:module';\nconst require = __plinthCreateRequire(import.meta.url);";

/**
 * Bundles `<root>/src/cli/main.ts` into `<outDir>/cli/main.js` and
 * `<root>/src/index.ts` into `<outDir>/index.js` (emptying outDir first) and
 * returns the CLI entry's path.
 */
export async function buildDist(root, outDir) {
  const esbuild = await import('esbuild');
  rmSync(outDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: [join(root, 'src/cli/main.ts'), join(root, 'src/index.ts')],
    absWorkingDir: root,
    outbase: join(root, 'src'),
    outdir: outDir,
    // Code split at each import(): what Plinth loads on first use stays out of start-up.
    splitting: true,
    // NOTE: chunks sit beside main.js, at src/cli's depth, so a path relative to
    // import.meta.url (version.ts reads ../../package.json) means the same in any of them.
    chunkNames: 'cli/[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    external: EXTERNAL,
    banner: { js: REQUIRE_SHIM },
    // NOTE: no keepNames. It wraps every function esbuild emits in a call that redefines
    // its `name` when the function is created, and Fastify and Plinth create closures on
    // every request: with it, a record read cost 64–71 µs of CPU instead of 51, and an
    // update 198–216 instead of 153. Nothing reads a bundled function's name (names differ
    // only where two modules' names clash, and error names are set explicitly).
    keepNames: false,
    sourcemap: true,
    logLevel: 'warning',
  });
  return join(outDir, 'cli/main.js');
}

/**
 * Builds the dashboard (dashboard/, docs/dashboard.md) with Vite into `<outDir>/dashboard`.
 * Run after buildDist, which empties outDir.
 */
export async function buildDashboard(root, outDir) {
  const vite = await import('vite');
  await vite.build({
    root: join(root, 'dashboard'),
    configFile: join(root, 'dashboard/vite.config.ts'),
    build: { outDir: join(outDir, 'dashboard'), emptyOutDir: true },
    logLevel: 'warn',
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const outDir = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist');
  await buildDist(root, outDir);
  await buildDashboard(root, outDir);
}

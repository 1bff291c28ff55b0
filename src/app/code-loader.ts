/**
 * Loads the user's own modules — hooks files, migrations — written in TypeScript
 * or JavaScript, wherever they are (docs/hooks.md §1).
 *
 * One esbuild build per load: the user's files and the relative files they import
 * are transpiled and bundled (entries that share a helper share one chunk, so the
 * helper's state is shared as Node would share it); every npm package stays
 * external and is imported by Node from its absolute file URL, found from the
 * importing file's folder upward, then from the working directory's
 * node_modules; `import … from 'plinth'` is the RUNNING Plinth's public API (a
 * registry on globalThis), so its classes are the server's own (`instanceof
 * BadRequestError` holds) whether or not a copy of Plinth is installed beside
 * the files. `import.meta.url`, `import.meta.dirname`/`filename`, `__dirname` and
 * `__filename` name the original file. The output goes to a temporary folder
 * removed when the process exits; linked source maps make stack traces name the
 * user's file and line.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SourceMapPayload } from 'node:module';
import type { BuildFailure, Loader, Plugin as EsbuildPlugin } from 'esbuild';
import { locateError, type BuiltCode, type CodeLocation } from './code-location.js';
import { isProcessAlive } from '../tools/process-alive.js';

/** A user module failed to load: `file:line:column: reason`, with each part kept. */
export class UserCodeError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly location?: CodeLocation,
    options?: ErrorOptions,
  ) {
    super(`${location ? `${location.file}:${location.line}:${location.column}` : file}: ${reason}`, options);
    this.name = 'UserCodeError';
  }
}

/** One loaded user module: its file and its namespace (`exports.default` is its default export). */
export interface LoadedModule {
  file: string;
  exports: Record<string, unknown>;
  /** Where in the user's files `err` (thrown while running this module's code) was thrown. */
  locate(err: unknown): CodeLocation | undefined;
}

/** Options of a load. */
export interface LoadOptions {
  /** The second place npm packages are looked up (its node_modules); default: the working directory. */
  cwd?: string;
}

/**
 * Loads one user module (a migration, a hooks file) and resolves with its namespace.
 * Throws a UserCodeError naming the file, line and reason when it does not build
 * or throws while it is imported.
 */
export async function loadUserModule(file: string, options: LoadOptions = {}): Promise<Record<string, unknown>> {
  const [loaded] = await loadUserModules([file], options);
  return loaded!.exports;
}

/**
 * Loads user modules in one build and imports them in the order given (each after
 * the previous one finished). Throws a UserCodeError for the first that fails.
 */
export async function loadUserModules(files: readonly string[], options: LoadOptions = {}): Promise<LoadedModule[]> {
  if (files.length === 0) return [];
  const entries = files.map((f) => resolve(f));
  const { outputs, code } = await buildUserCode(entries, resolve(options.cwd ?? process.cwd()));
  // NOTE: stack traces of user code name the user's .ts file; Node maps only modules loaded after this.
  process.setSourceMapsEnabled(true);
  const loaded: LoadedModule[] = [];
  for (const [i, file] of entries.entries()) {
    let exports: Record<string, unknown>;
    try {
      exports = (await import(pathToFileURL(outputs[i]!).href)) as Record<string, unknown>;
    } catch (err) {
      throw new UserCodeError(file, `${errorName(err)}${errorMessage(err)}`, locateError(err, code), { cause: err });
    }
    loaded.push({ file, exports, locate: (err) => locateError(err, code) });
  }
  return loaded;
}

/** The public API `import … from 'plinth'` gets, registered once per loader instance. */
const API_KEY = Symbol.for(`plinth.api.${process.pid}.${Math.random().toString(36).slice(2)}`);

async function publicApi(): Promise<Record<string, unknown>> {
  const registry = globalThis as unknown as Record<symbol, Record<string, unknown> | undefined>;
  registry[API_KEY] ??= { ...((await import('../index.js')) as Record<string, unknown>) };
  return registry[API_KEY]!;
}

/** Builds `entries` into a fresh output folder; resolves with each entry's output file. */
async function buildUserCode(entries: string[], cwd: string): Promise<{ outputs: string[]; code: BuiltCode }> {
  const esbuild = await import('esbuild');
  const api = await publicApi();
  const outdir = join(outputRoot(), String(++builds));
  let result;
  try {
    result = await esbuild.build({
      entryPoints: entries.map((file, i) => ({ in: file, out: outName(file, i) })),
      absWorkingDir: cwd,
      outdir,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20.19',
      outExtension: { '.js': '.mjs' },
      conditions: ['node'],
      nodePaths: [join(cwd, 'node_modules')],
      sourcemap: 'linked',
      sourcesContent: false,
      metafile: true,
      write: false,
      logLevel: 'silent',
      plugins: [plinthApiPlugin(api), packagesExternal(), originalFileMeta()],
    });
  } catch (err) {
    throw buildError(err, entries, cwd);
  }
  const maps = new Map<string, SourceMapPayload>();
  await mkdir(outdir, { recursive: true });
  for (const out of result.outputFiles) {
    await writeFile(out.path, out.contents);
    if (out.path.endsWith('.map')) maps.set(out.path.slice(0, -4), JSON.parse(out.text) as SourceMapPayload);
  }
  const sources = new Set(Object.keys(result.metafile.inputs).filter((p) => !p.includes(':')).map((p) => resolve(cwd, p)));
  // NOTE: by name, not by the metafile's entryPoint, which esbuild may spell through a symlink's target.
  const outputs = entries.map((file, i) => join(outdir, `${outName(file, i)}.mjs`));
  return { outputs, code: { maps, sources } };
}

/** The output name of entry `i`: numbered, as `a.ts` and `a.js` would otherwise both be `a.mjs`. */
function outName(file: string, i: number): string {
  return `${i}-${basename(file, extname(file))}`;
}

/** `plinth` (and nothing under it) is a module re-exporting the running server's public API. */
function plinthApiPlugin(api: Record<string, unknown>): EsbuildPlugin {
  return {
    name: 'plinth-api',
    setup(build) {
      build.onResolve({ filter: /^plinth(\/|$)/ }, (args) => {
        if (args.path !== 'plinth') return { errors: [{ text: `"${args.path}" cannot be imported: only "plinth" itself is public` }] };
        return { path: 'plinth', namespace: 'plinth-api' };
      });
      build.onLoad({ filter: /^plinth$/, namespace: 'plinth-api' }, () => ({
        contents:
          `const api = globalThis[Symbol.for(${JSON.stringify(API_KEY.description)})];\n` +
          Object.keys(api).map((name) => `export const ${name} = api.${name};\n`).join(''),
        loader: 'js',
      }));
    },
  };
}

/**
 * A bare import is resolved as Node would (the importer's folder upward, then the
 * working directory); what lands in a node_modules folder is left to Node, by
 * absolute URL, and anything else (a `#import`, a tsconfig path) is the user's
 * source and bundled.
 */
function packagesExternal(): EsbuildPlugin {
  return {
    name: 'packages-external',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'inner' || args.namespace !== 'file') return undefined;
        const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'inner' });
        if (found.errors.length > 0) return { errors: found.errors };
        if (found.external) return { path: args.path, external: true };
        if (found.path.includes(`${sep}node_modules${sep}`)) return { path: pathToFileURL(found.path).href, external: true };
        return { path: found.path };
      });
    },
  };
}

const LOADERS: Record<string, Loader> = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.jsx': 'jsx' };

/** In a file that uses them, `import.meta.url`/`dirname`/`filename`, `__dirname` and `__filename` name the original file. */
function originalFileMeta(): EsbuildPlugin {
  return {
    name: 'original-file-meta',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/, namespace: 'file' }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta') && !text.includes('__dirname') && !text.includes('__filename')) return undefined;
        const esbuild = await import('esbuild');
        const file = JSON.stringify(args.path);
        const folder = JSON.stringify(dirname(args.path));
        const out = await esbuild.transform(text, {
          loader: LOADERS[extname(args.path)] ?? 'js',
          sourcefile: args.path,
          sourcemap: 'inline',
          format: 'esm',
          define: {
            'import.meta.url': JSON.stringify(pathToFileURL(args.path).href),
            'import.meta.filename': file,
            'import.meta.dirname': folder,
            __filename: file,
            __dirname: folder,
          },
        });
        return { contents: out.code, loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/** esbuild's first error as a UserCodeError at its file and line. */
function buildError(err: unknown, entries: string[], cwd: string): unknown {
  const first = (err as Partial<BuildFailure>).errors?.[0];
  if (!first) return err;
  const where = first.location;
  const file = where ? resolve(cwd, where.file) : entries[0]!;
  const location = where ? { file, line: where.line, column: where.column + 1 } : undefined;
  return new UserCodeError(file, first.text, location, { cause: err });
}

let root: string | undefined;
let builds = 0;

/**
 * The process's folder of built user code (`<tmp>/plinth-code-<pid>-…`), created on first
 * use and removed when the process exits. Folders that processes killed without an exit
 * left behind are removed on the way.
 */
function outputRoot(): string {
  if (!root) {
    removeStaleOutputs();
    const dir = mkdtempSync(join(tmpdir(), `${OUTPUT_PREFIX}${process.pid}-`));
    root = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return root;
}

const OUTPUT_PREFIX = 'plinth-code-';

function removeStaleOutputs(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(OUTPUT_PREFIX)) continue;
    const pid = Number(name.slice(OUTPUT_PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !isProcessAlive(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function errorName(err: unknown): string {
  return err instanceof Error && err.name !== 'Error' ? `${err.name}: ` : '';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

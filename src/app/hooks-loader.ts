/**
 * The hooks folder (docs/hooks.md §1): every `*.ts`, `*.mts`, `*.js` and `*.mjs`
 * file at its top level, in file-name order, default-exports a plugin that
 * `app.use` runs at start. A missing folder holds no hooks; a file that does not
 * load, exports no function or throws while its plugin runs stops the start with
 * a UserCodeError naming the file and line.
 */
import { readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { loadUserModules, UserCodeError, type LoadedModule } from './code-loader.js';
import type { Plugin } from './plinth-app.js';

/** The extensions of the files a hooks folder's top level is scanned for. */
export const HOOK_FILE_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.js', '.mjs'];

/** The hooks files of `dir`, as absolute paths in file-name order; none when the folder is missing. */
export function listHookFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && HOOK_FILE_EXTENSIONS.includes(extname(e.name)) && !e.name.endsWith('.d.ts'))
    .map((e) => e.name)
    // NOTE: code-unit order, not the locale's, so the order is the same on every machine.
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => join(dir, name));
}

/**
 * Loads the hooks of `dir` and resolves with one plugin per file, in order. The
 * modules are imported here (their top-level code runs now); the plugins run when
 * the app starts.
 */
export async function loadHooks(dir: string, cwd: string = process.cwd()): Promise<Plugin[]> {
  const files = listHookFiles(dir);
  const modules = await loadUserModules(files, { cwd });
  return modules.map(pluginOf);
}

/** The file's default export, wrapped so that what it throws names the file and line. */
function pluginOf(mod: LoadedModule): Plugin {
  const plugin = mod.exports.default;
  if (typeof plugin !== 'function') {
    const got = plugin === undefined ? 'no default export' : `a default export of type ${typeof plugin}`;
    throw new UserCodeError(mod.file, `a hooks file must default-export a function (app) => void, as definePlugin((app) => { … }); found ${got}`);
  }
  return async (app) => {
    try {
      await (plugin as Plugin)(app);
    } catch (err) {
      const name = err instanceof Error && err.name !== 'Error' ? `${err.name}: ` : '';
      const message = err instanceof Error ? err.message : String(err);
      throw new UserCodeError(mod.file, `${name}${message}`, mod.locate(err), { cause: err });
    }
  };
}

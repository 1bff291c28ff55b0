/**
 * `definePlugin(fn)` types a hooks file's default export: it returns `fn` as is,
 * so `(app) => …` gets the PlinthApp type without an annotation.
 */
import type { Plugin } from './plinth-app.js';

/** Returns the plugin unchanged, typed: `export default definePlugin((app) => { app.onRecordCreate(…) })`. */
export function definePlugin(plugin: Plugin): Plugin {
  return plugin;
}

/**
 * Finds where in the user's own source an error was thrown, for the messages
 * that stop a start ("plinth_hooks/shop.ts:12:7: boom"): the first stack frame
 * in one of the user's files, read through the source maps of the transpiled
 * copies that actually ran.
 */
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A place in a file: 1-based line and column. */
export interface CodeLocation {
  file: string;
  line: number;
  column: number;
}

/** What one build of user code knows to map frames back: its output files' maps and its source files. */
export interface BuiltCode {
  /** Source map payload of each output file, by absolute path. */
  maps: Map<string, SourceMapPayload>;
  /** Absolute paths of the user's files that went into the build. */
  sources: Set<string>;
}

/**
 * The first frame of `err`'s stack in one of `code.sources`, in the original file:
 * a frame in a transpiled output is mapped back; one Node already mapped (source
 * maps enabled) is taken as is. Undefined when no frame is the user's.
 */
export function locateError(err: unknown, code: BuiltCode): CodeLocation | undefined {
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack : '';
  for (const line of stack.split('\n')) {
    const frame = parseFrame(line);
    if (!frame) continue;
    if (code.sources.has(frame.file)) return frame;
    const payload = code.maps.get(frame.file);
    if (!payload) continue;
    const entry = new SourceMap(payload).findEntry(frame.line - 1, frame.column - 1) as Partial<{ originalSource: string; originalLine: number; originalColumn: number }>;
    if (entry.originalSource === undefined || entry.originalLine === undefined) continue;
    const file = toPath(entry.originalSource, dirname(frame.file));
    if (code.sources.has(file)) return { file, line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
  }
  return undefined;
}

/** `    at fn (/path/file.mjs:3:9)` or `    at file:///path/file.mjs:3:9` as file, line, column. */
function parseFrame(text: string): CodeLocation | undefined {
  const line = text.trim();
  if (!line.startsWith('at ')) return undefined;
  const open = line.lastIndexOf('(');
  const where = line.endsWith(')') && open >= 0 ? line.slice(open + 1, -1) : line.slice(3);
  const colAt = where.lastIndexOf(':');
  const lineAt = where.lastIndexOf(':', colAt - 1);
  if (lineAt <= 0) return undefined;
  const lineNo = Number(where.slice(lineAt + 1, colAt));
  const column = Number(where.slice(colAt + 1));
  if (!Number.isInteger(lineNo) || !Number.isInteger(column)) return undefined;
  const location = where.slice(0, lineAt);
  if (location.startsWith('node:')) return undefined;
  return { file: toPath(location, '/'), line: lineNo, column };
}

/** A file URL or a path (relative ones against `base`) as an absolute path. */
function toPath(location: string, base: string): string {
  return location.startsWith('file:') ? fileURLToPath(location) : resolve(base, location);
}

/**
 * Type-checks TypeScript sources held in memory with the project's compiler, strict,
 * resolving packages (the `pocketbase` SDK) from the project's node_modules. Returns the
 * diagnostics as text, one per line; empty when the sources compile.
 */
import { join } from 'node:path';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '..', '..');

// The files on disk (TypeScript's lib files, the SDK's declarations) do not change during a
// run: each is parsed once per test file and shared by every check, which halves a second check.
const parsed = new Map<string, ts.SourceFile | undefined>();

/** Compiles `files` (name → source) and returns their diagnostics. */
export function typeCheck(files: Record<string, string>): string[] {
  // The virtual files live in the project root, so `import … from 'pocketbase'` resolves there.
  const virtual = new Map(Object.entries(files).map(([name, text]) => [join(ROOT, '.typecheck', name), text]));
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true, types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  const dir = join(ROOT, '.typecheck');
  host.fileExists = (name) => virtual.has(name) || ts.sys.fileExists(name);
  host.directoryExists = (name) => name === dir || ts.sys.directoryExists(name);
  host.readFile = (name) => virtual.get(name) ?? readFile(name);
  host.getSourceFile = (name, language) => {
    const text = virtual.get(name);
    if (text !== undefined) return ts.createSourceFile(name, text, language);
    const key = `${typeof language === 'object' ? language.languageVersion : language}:${name}`;
    if (!parsed.has(key)) parsed.set(key, getSourceFile(name, language));
    return parsed.get(key);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.slice(ROOT.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
}

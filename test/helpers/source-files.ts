/**
 * The source files the code-scanning tests read (architecture, regex audit, error
 * codes): every `.ts` file below a folder, without tests and declaration files.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Paths of the non-test, non-declaration `.ts` files below `dir`. */
export function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(path, out);
    else if (path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

#!/usr/bin/env node
// The `plinth` command: runs the compiled CLI in dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(`plinth: ${fileURLToPath(entry)} is missing; run "npm run build" first.\n`);
  process.exit(1);
}
await import(entry.href);

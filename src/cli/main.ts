/**
 * The entry point of the `plinth` command (bin/plinth.js imports the built copy):
 * wires the CLI to the real process and exits with the command's code.
 */
import type { CliContext, CreatePlinth } from './cli-context.js';
import { runCli } from './run-cli.js';
import { readVersion } from './version.js';

// NOTE: loaded on first use so `--help`, `--version` and usage errors answer without loading the server.
const createPlinth: CreatePlinth = async (config, options) => {
  const app = await import('../app/create-node.js');
  return app.createNode(config, options);
};

const context: CliContext = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  stderrIsTerminal: process.stderr.isTTY === true,
  env: process.env,
  cwd: process.cwd(),
  version: readVersion(),
  createPlinth,
  onShutdownSignal(handler) {
    const listener = (signal: NodeJS.Signals): void => handler(signal);
    process.once('SIGINT', listener);
    process.once('SIGTERM', listener);
    return () => {
      process.off('SIGINT', listener);
      process.off('SIGTERM', listener);
    };
  },
};

const code = await runCli(process.argv.slice(2), context);
// Exit explicitly once the output is flushed: a handle left open by a closed server must not keep the process alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));

/**
 * A strict wrapper around `node:util` parseArgs whose errors become UsageErrors
 * that name the offending flag in a sentence a user can act on.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, type HelpTopic } from './usage-error.js';

/** The option table of one command, in parseArgs' shape. */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** The parsed flags (by long name) and positional arguments of one command. */
export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * PocketBase flags Plinth does not implement, with the reason told to the user
 * instead of a bare "unknown option".
 */
const UNSUPPORTED_POCKETBASE_FLAGS: Record<string, string> = {
  '--https': 'built-in TLS is not supported; put Plinth behind a TLS-terminating proxy and use --http',
  '--publicDir': 'serving static files is not supported',
  '--indexFallback': 'serving static files is not supported',
  '--hooksWatch': 'use --dev, which reloads the hooks when they change',
  '--hooksPool': 'hooks run in the server itself, with no pool of VMs',
};

/** Parses `args` against `options`; throws a UsageError for an unknown flag, a missing value or a stray argument. */
export function parseCommandArgs(args: string[], options: CommandOptions, topic: HelpTopic, allowPositionals = true): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    throw translateParseError(err, topic);
  }
}

function translateParseError(err: unknown, topic: HelpTopic): unknown {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  // parseArgs quotes the flag as '--name' or '--name <value>'; keep only the flag itself.
  const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const name = flag ?? message;
      const reason = UNSUPPORTED_POCKETBASE_FLAGS[name.split('=')[0]];
      return new UsageError(reason ? `${name}: ${reason}` : `${name}: unknown option`, topic);
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (!flag) return new UsageError(message, topic);
      if (message.includes('does not take an argument')) return new UsageError(`${flag}: takes no value`, topic);
      // Both "argument missing" and "argument is ambiguous" (the next word is a flag) mean no value was given.
      return new UsageError(`${flag}: needs a value (${flag}=VALUE)`, topic);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const arg = /'([^']*)'/.exec(message)?.[1] ?? '';
      return new UsageError(`unexpected argument "${arg}"`, topic);
    }
    default:
      return err;
  }
}

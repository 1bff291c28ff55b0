/**
 * `plinth migrate-db --to=postgres://… [--dir=DIR]`: copies the embedded SQLite
 * instance of a data directory into an empty PostgreSQL database, with a progress
 * bar, and prints the verified row counts. The SQLite data is left untouched.
 */
import { resolve } from 'node:path';
import { CONFIG_DEFAULTS } from '../config/config.js';
import { parseDatabaseUrl, parseDirectory, redactUrlPassword } from '../config/config-values.js';
import type { MigrateDbReport } from '../app/migrate-db.js';
import type { CliContext } from './cli-context.js';
import { helpText } from './help.js';
import { parseCommandArgs, type CommandOptions } from './parse-command-args.js';
import { createProgressBar } from './progress-bar.js';
import { UsageError } from './usage-error.js';

const MIGRATE_OPTIONS = {
  dir: { type: 'string' },
  to: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies CommandOptions;

/** Runs `plinth migrate-db`; resolves with the exit code (failures throw and become 1 or 2 in runCli). */
export async function runMigrateDb(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(args, MIGRATE_OPTIONS, 'migrate-db', false);
  if (values.help) {
    ctx.stdout(helpText('migrate-db'));
    return 0;
  }
  if (values.to === undefined) throw new UsageError('migrate-db: missing --to=postgres://USER:PASSWORD@HOST:5432/DATABASE', 'migrate-db');
  const to = parseDatabaseUrl(String(values.to), '--to');
  const dirFlag = typeof values.dir === 'string' ? parseDirectory(values.dir, '--dir') : undefined;
  const dirEnv = ctx.env.PLINTH_DIR ? parseDirectory(ctx.env.PLINTH_DIR, 'PLINTH_DIR') : undefined;
  const dir = resolve(ctx.cwd, dirFlag ?? dirEnv ?? CONFIG_DEFAULTS.dir);

  // NOTE: loaded here so `--help` and usage errors answer without loading pg and the schema code.
  const { migrateDb } = await import('../app/migrate-db.js');
  ctx.stderr(`Copying ${dir} into ${redactUrlPassword(to)}\n`);
  const bar = createProgressBar(ctx.stderr, ctx.stderrIsTerminal === true);
  let report: MigrateDbReport;
  try {
    report = await migrateDb({
      dir,
      to,
      onProgress: (p) => bar.update({ label: `[${p.position}/${p.tables}] ${p.table}`, done: p.copied, total: p.total }),
    });
  } finally {
    bar.end();
  }
  ctx.stdout(summary(report, to));
  return 0;
}

/** The closing report: rows per table, views, what was left behind and where the files are. */
function summary(report: MigrateDbReport, to: string): string {
  const width = Math.max(...report.tables.map((t) => t.name.length), ...report.views.map((v) => v.length));
  const lines = report.tables.map((t) => `  ${t.name.padEnd(width)}  ${t.rows.toLocaleString('en-US')} ${t.rows === 1 ? 'row' : 'rows'}`);
  for (const view of report.views) lines.push(`  ${view.padEnd(width)}  view`);
  const rows = report.tables.reduce((n, t) => n + t.rows, 0);
  const out = [
    `Copied into ${redactUrlPassword(to)}:`,
    ...lines,
    `Verified: ${report.tables.length} tables, ${rows.toLocaleString('en-US')} rows; every count matches SQLite's.`,
  ];
  if (report.skipped.length > 0) {
    out.push(`Not copied (tables of no collection): ${report.skipped.join(', ')}.`);
  }
  if (report.storage) {
    out.push(
      `Uploaded files were not copied: they stay in ${report.storage}. Every PostgreSQL node must see this folder`,
      'as <its --dir>/storage (a shared volume), until the files move to an S3-compatible store.',
    );
  }
  out.push(`Start the nodes with DATABASE_URL=${redactUrlPassword(to)}; the SQLite data was left as it was.`);
  return `${out.join('\n')}\n`;
}

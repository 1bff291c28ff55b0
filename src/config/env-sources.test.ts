import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { applyEnvFile, resolveFileVariables } from './env-sources.js';
import { loadConfig } from './load-config.js';

const scratch = mkdtempSync(join(tmpdir(), 'plinth-env-sources-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function file(name: string, text: string | Buffer): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

function configErrorOf(fn: () => void): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no ConfigError was thrown');
}

describe('NAME_FILE secrets', () => {
  it('reads the file into the variable without the trailing newline, and drops the _FILE variable', () => {
    const env: NodeJS.ProcessEnv = {
      DATABASE_URL_FILE: file('db-url', 'postgres://plinth:s3cret@db:5432/plinth\n'),
      PLINTH_SMTP_PASSWORD_FILE: file('smtp', 'pass word \r\n\r\n'),
      PLINTH_METRICS_TOKEN_FILE: file('token', 'tok'),
    };
    resolveFileVariables(env);
    expect(env).toEqual({ DATABASE_URL: 'postgres://plinth:s3cret@db:5432/plinth', PLINTH_SMTP_PASSWORD: 'pass word ', PLINTH_METRICS_TOKEN: 'tok' });
    expect(loadConfig({}, env, scratch).databaseUrl).toBe('postgres://plinth:s3cret@db:5432/plinth');
    expect(loadConfig({}, env, scratch).smtp).toEqual({ password: 'pass word ' });
  });

  it('refuses a variable set both ways, naming both', () => {
    const env = { REDIS_URL: 'redis://a:6379', REDIS_URL_FILE: file('redis', 'redis://b:6379') };
    const err = configErrorOf(() => resolveFileVariables(env));
    expect(err.message).toContain('REDIS_URL_FILE');
    expect(err.message).toContain('both REDIS_URL and REDIS_URL_FILE are set');
  });

  it('refuses a file it cannot read, naming the variable and the path but never a value', () => {
    const missing = join(scratch, 'nope');
    const err = configErrorOf(() => resolveFileVariables({ PLINTH_SMTP_PASSWORD_FILE: missing }));
    expect(err.source).toBe('PLINTH_SMTP_PASSWORD_FILE');
    expect(err.message).toContain(JSON.stringify(missing));
    expect(err.message).toContain('ENOENT');
    mkdirSync(join(scratch, 'a-dir'));
    expect(configErrorOf(() => resolveFileVariables({ PLINTH_SMTP_PASSWORD_FILE: join(scratch, 'a-dir') })).message).toContain('EISDIR');
    const big = file('big', Buffer.alloc(1024 * 1024 + 1, 'x'));
    expect(configErrorOf(() => resolveFileVariables({ PLINTH_SMTP_PASSWORD_FILE: big })).message).toContain('larger than 1 MiB');
  });

  it('leaves other variables alone, and counts an empty one as unset', () => {
    const path = file('plain', 'x\n');
    const env: NodeJS.ProcessEnv = { HOME_FILE: path, PLINTH__FILE_X: 'y', PLINTH_SMTP_HOST_FILE: '', PLINTH_SMTP_PASSWORD: '', PLINTH_SMTP_PASSWORD_FILE: path };
    resolveFileVariables(env);
    expect(env).toEqual({ HOME_FILE: path, PLINTH__FILE_X: 'y', PLINTH_SMTP_HOST_FILE: '', PLINTH_SMTP_PASSWORD: 'x' });
  });
});

describe('--env-file', () => {
  it('adds the file\'s variables under the real environment', () => {
    const path = file('.env', [
      '# comment',
      'PLINTH_DIR=/from-file',
      'PLINTH_LOG_LEVEL=warn',
      'export PLINTH_ORIGINS="https://a.example.com"',
      'PORT=9000',
      'OTHER=kept',
    ].join('\n'));
    const env: NodeJS.ProcessEnv = { PLINTH_LOG_LEVEL: 'error', PLINTH_DIR: '' };
    applyEnvFile(env, '.env', scratch);
    expect(env).toMatchObject({ PLINTH_DIR: '/from-file', PLINTH_LOG_LEVEL: 'error', PLINTH_ORIGINS: 'https://a.example.com', PORT: '9000', OTHER: 'kept' });
    expect(path).toContain(scratch);
    // Flags still win over both.
    const config = loadConfig({ dir: '/flag' }, env, scratch);
    expect(config.dir).toBe('/flag');
    expect(config.logLevel).toBe('error');
    expect(config.http).toEqual({ host: '0.0.0.0', port: 9000 });
  });

  it('keeps NAME and NAME_FILE one setting: the real environment\'s form wins', () => {
    const secret = file('secret', 'from-secret\n');
    file('pair.env', `PLINTH_SMTP_PASSWORD=from-env-file\nREDIS_URL_FILE=${secret}\n`);
    const env: NodeJS.ProcessEnv = { PLINTH_SMTP_PASSWORD_FILE: secret, REDIS_URL: 'redis://real:6379' };
    applyEnvFile(env, 'pair.env', scratch);
    expect(env).toEqual({ PLINTH_SMTP_PASSWORD_FILE: secret, REDIS_URL: 'redis://real:6379' });
    resolveFileVariables(env);
    expect(env).toEqual({ PLINTH_SMTP_PASSWORD: 'from-secret', REDIS_URL: 'redis://real:6379' });
  });

  it('refuses a file it cannot read, naming --env-file and the path', () => {
    const err = configErrorOf(() => applyEnvFile({}, 'missing.env', scratch));
    expect(err.source).toBe('--env-file');
    expect(err.message).toContain(JSON.stringify(join(scratch, 'missing.env')));
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig, type ConfigFlags } from './load-config.js';

const cwd = '/srv/app';

describe('loadConfig defaults', () => {
  it('uses the defaults with no flags and no environment', () => {
    expect(loadConfig({}, {}, cwd)).toEqual({
      http: { host: '127.0.0.1', port: 8090 },
      dir: '/srv/app/plinth_data',
      origins: ['*'],
      dev: false,
      logLevel: 'info',
      bodyLimit: 32 * 1024 * 1024,
      queryTimeout: 2,
      hooksDir: '/srv/app/plinth_hooks',
      migrationsDir: '/srv/app/plinth_migrations',
      automigrate: false,
    });
  });

  it('turns automigrate on with dev mode, unless it is turned off', () => {
    expect(loadConfig({ dev: true }, {}, cwd).automigrate).toBe(true);
    expect(loadConfig({ dev: true }, { PLINTH_AUTOMIGRATE: 'false' }, cwd).automigrate).toBe(false);
    expect(loadConfig({ automigrate: true }, {}, cwd).automigrate).toBe(true);
    expect(loadConfig({ migrationsDir: 'db/migrations' }, {}, cwd).migrationsDir).toBe('/srv/app/db/migrations');
  });

  it('accepts a query timeout with decimals', () => {
    expect(loadConfig({ queryTimeout: '0.25' }, {}, cwd).queryTimeout).toBe(0.25);
    expect(loadConfig({}, { PLINTH_QUERY_TIMEOUT: '1.5' }, cwd).queryTimeout).toBe(1.5);
  });

  it('resolves the data directory against the current working directory by default', () => {
    expect(loadConfig({}, {}).dir).toBe(`${process.cwd()}/plinth_data`);
  });

  it('lowers the default log level to debug in dev mode, unless a level is given', () => {
    expect(loadConfig({ dev: true }, {}, cwd).logLevel).toBe('debug');
    expect(loadConfig({ dev: true, logLevel: 'warn' }, {}, cwd).logLevel).toBe('warn');
    expect(loadConfig({}, { PLINTH_DEV: 'true', PLINTH_LOG_LEVEL: 'error' }, cwd).logLevel).toBe('error');
  });
});

describe('loadConfig precedence: flags > environment > defaults', () => {
  const env = {
    PLINTH_HTTP: '0.0.0.0:9000',
    PLINTH_DIR: '/var/lib/plinth',
    PLINTH_ORIGINS: 'https://a.example.com, https://b.example.com',
    PLINTH_DEV: '1',
    PLINTH_LOG_LEVEL: 'warn',
    PLINTH_BODY_LIMIT: '1MiB',
    PLINTH_QUERY_TIMEOUT: '5',
    PLINTH_HOOKS_DIR: '/srv/hooks',
    PLINTH_MIGRATIONS_DIR: '/srv/migrations',
    PLINTH_AUTOMIGRATE: 'false',
  };

  it('takes every value from the environment when no flag is given', () => {
    expect(loadConfig({}, env, cwd)).toEqual({
      http: { host: '0.0.0.0', port: 9000 },
      dir: '/var/lib/plinth',
      origins: ['https://a.example.com', 'https://b.example.com'],
      dev: true,
      logLevel: 'warn',
      bodyLimit: 1024 * 1024,
      queryTimeout: 5,
      hooksDir: '/srv/hooks',
      migrationsDir: '/srv/migrations',
      automigrate: false,
    });
  });

  it('lets every flag override its variable', () => {
    const flags: ConfigFlags = {
      http: '[::1]:8091',
      dir: 'data',
      origins: '*',
      dev: false,
      logLevel: 'trace',
      bodyLimit: '100',
      queryTimeout: '60',
      hooksDir: 'app/hooks',
      migrationsDir: 'migrations',
      automigrate: true,
    };
    expect(loadConfig(flags, env, cwd)).toEqual({
      http: { host: '::1', port: 8091 },
      dir: '/srv/app/data',
      origins: ['*'],
      dev: false,
      logLevel: 'trace',
      bodyLimit: 100,
      queryTimeout: 60,
      hooksDir: '/srv/app/app/hooks',
      migrationsDir: '/srv/app/migrations',
      automigrate: true,
    });
  });

  it('does not validate a variable that a flag overrides', () => {
    expect(loadConfig({ http: '127.0.0.1:1' }, { PLINTH_HTTP: 'garbage' }, cwd).http.port).toBe(1);
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({}, { PLINTH_HTTP: '', PLINTH_DIR: '', PLINTH_ORIGINS: '' }, cwd);
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8090 });
    expect(config.dir).toBe('/srv/app/plinth_data');
    expect(config.origins).toEqual(['*']);
  });

  it('ignores flags that are present but undefined', () => {
    expect(loadConfig({ http: undefined, help: undefined }, {}, cwd).http.port).toBe(8090);
  });
});

describe('loadConfig accepted values', () => {
  const cases: Array<[string, ConfigFlags, Partial<Record<string, unknown>>]> = [
    ['IPv4 host', { http: '10.0.0.1:80' }, { http: { host: '10.0.0.1', port: 80 } }],
    ['host name', { http: 'localhost:3000' }, { http: { host: 'localhost', port: 3000 } }],
    ['bracketed IPv6', { http: '[::]:8090' }, { http: { host: '::', port: 8090 } }],
    ['port 0 (any free port)', { http: '127.0.0.1:0' }, { http: { host: '127.0.0.1', port: 0 } }],
    ['port 65535', { http: '127.0.0.1:65535' }, { http: { host: '127.0.0.1', port: 65535 } }],
    ['empty origins flag allows none', { origins: '' }, { origins: [] }],
    ['origins normalised', { origins: 'HTTP://LocalHost:5173/,http://localhost:5173' }, { origins: ['http://localhost:5173'] }],
    ['app scheme origin', { origins: 'capacitor://localhost' }, { origins: ['capacitor://localhost'] }],
    ['dev as text', { dev: 'yes' }, { dev: true }],
    ['log level any case', { logLevel: 'SILENT' }, { logLevel: 'silent' }],
    ['body limit KB', { bodyLimit: '10KB' }, { bodyLimit: 10240 }],
    ['body limit G', { bodyLimit: '1g' }, { bodyLimit: 1024 ** 3 }],
    ['absolute dir', { dir: '/data' }, { dir: '/data' }],
    ['hooks folder beside the data', { hooksDir: 'hooks' }, { hooksDir: '/srv/app/hooks' }],
  ];
  it.each(cases)('%s', (_name, flags, expected) => {
    expect(loadConfig(flags, {}, cwd)).toMatchObject(expected);
  });
});

describe('loadConfig validation errors name the source and the reason', () => {
  const cases: Array<[ConfigFlags, NodeJS.ProcessEnv, string]> = [
    [{ http: 'abc' }, {}, '--http: "abc" is not HOST:PORT (e.g. 127.0.0.1:8090)'],
    [{}, { PLINTH_HTTP: 'abc' }, 'PLINTH_HTTP: "abc" is not HOST:PORT (e.g. 127.0.0.1:8090)'],
    [{ http: ':8090' }, {}, '--http: ":8090" has no host; use 0.0.0.0:8090 to listen on every interface'],
    [{ http: '127.0.0.1:' }, {}, '--http: "127.0.0.1:": port "" is not a number between 0 and 65535'],
    [{ http: '127.0.0.1:65536' }, {}, '--http: "127.0.0.1:65536": port "65536" is not a number between 0 and 65535'],
    [{ http: '127.0.0.1:-1' }, {}, '--http: "127.0.0.1:-1": port "-1" is not a number between 0 and 65535'],
    [{ http: '127.0.0.1:80x' }, {}, '--http: "127.0.0.1:80x": port "80x" is not a number between 0 and 65535'],
    [{ http: '::1:8090' }, {}, '--http: "::1:8090": an IPv6 host must be in brackets, e.g. [::1]:8090'],
    [{ http: '[nope]:8090' }, {}, '--http: "[nope]:8090": "nope" in brackets is not an IPv6 address'],
    [{ http: '[::1]8090' }, {}, '--http: "[::1]8090": an IPv6 host must be in brackets, e.g. [::1]:8090'],
    [{ http: '999.1.1.1:80' }, {}, '--http: "999.1.1.1:80": "999.1.1.1" is not a valid host name or IP address'],
    [{ http: 'my host:80' }, {}, '--http: "my host:80": "my host" is not a valid host name or IP address'],
    [{ http: true }, {}, '--http: needs a value'],
    [{ dir: '' }, {}, '--dir: the data directory must not be empty'],
    [{ dir: '   ' }, {}, '--dir: the data directory must not be empty'],
    [{ hooksDir: '' }, {}, '--hooksDir: the folder must not be empty'],
    [{ migrationsDir: '' }, {}, '--migrationsDir: the folder must not be empty'],
    [{}, { PLINTH_AUTOMIGRATE: 'maybe' }, 'PLINTH_AUTOMIGRATE: "maybe" is not a boolean (true or false)'],
    [{ origins: 'example.com' }, {}, '--origins: "example.com" is not an origin like https://example.com or http://localhost:5173'],
    [{ origins: 'https://a.com/path' }, {}, '--origins: "https://a.com/path" is not an origin like https://example.com or http://localhost:5173'],
    [{}, { PLINTH_ORIGINS: '*,https://a.com' }, 'PLINTH_ORIGINS: "*" allows every origin and cannot be combined with others'],
    [{ origins: 'https://*.a.com' }, {}, '--origins: "https://*.a.com": wildcards inside an origin are not supported; list each origin or use "*"'],
    [{ dev: 'maybe' }, {}, '--dev: "maybe" is not a boolean (true or false)'],
    [{}, { PLINTH_DEV: 'maybe' }, 'PLINTH_DEV: "maybe" is not a boolean (true or false)'],
    [{ logLevel: 'loud' }, {}, '--logLevel: "loud" is not one of fatal, error, warn, info, debug, trace, silent'],
    [{}, { PLINTH_LOG_LEVEL: 'verbose' }, 'PLINTH_LOG_LEVEL: "verbose" is not one of fatal, error, warn, info, debug, trace, silent'],
    [{ bodyLimit: '0' }, {}, '--bodyLimit: "0" is not a positive size in bytes (e.g. 33554432 or 32MiB)'],
    [{ bodyLimit: '-5' }, {}, '--bodyLimit: "-5" is not a positive size in bytes (e.g. 33554432 or 32MiB)'],
    [{}, { PLINTH_BODY_LIMIT: '1.5MB' }, 'PLINTH_BODY_LIMIT: "1.5MB" is not a positive size in bytes (e.g. 33554432 or 32MiB)'],
    [{ bodyLimit: '99999999999999999G' }, {}, '--bodyLimit: "99999999999999999G" is not a positive size in bytes (e.g. 33554432 or 32MiB)'],
    [{ queryTimeout: '0' }, {}, '--queryTimeout: "0" is not a number of seconds between 0.01 and 2147483 (decimals allowed, e.g. 0.5)'],
    [{ queryTimeout: '0.001' }, {}, '--queryTimeout: "0.001" is not a number of seconds between 0.01 and 2147483 (decimals allowed, e.g. 0.5)'],
    [{ queryTimeout: '-1' }, {}, '--queryTimeout: "-1" is not a number of seconds between 0.01 and 2147483 (decimals allowed, e.g. 0.5)'],
    [{ queryTimeout: '1e3' }, {}, '--queryTimeout: "1e3" is not a number of seconds between 0.01 and 2147483 (decimals allowed, e.g. 0.5)'],
    [{}, { PLINTH_QUERY_TIMEOUT: '9999999' }, 'PLINTH_QUERY_TIMEOUT: "9999999" is not a number of seconds between 0.01 and 2147483 (decimals allowed, e.g. 0.5)'],
    [{ https: '0.0.0.0:443' }, {}, '--https: unknown option'],
  ];

  it.each(cases)('%j %j → %s', (flags, env, message) => {
    let caught: unknown;
    try {
      loadConfig(flags, env, cwd);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toBe(message);
    expect((caught as ConfigError).source).toBe(message.slice(0, message.indexOf(':')));
  });
});

describe('loadConfig DATABASE_URL', () => {
  it('is unset by default (embedded SQLite)', () => {
    expect(loadConfig({}, {}, cwd).databaseUrl).toBeUndefined();
  });

  it.each([
    [{}, { DATABASE_URL: 'postgres://u:p@db.example.com:5432/app' }, 'postgres://u:p@db.example.com:5432/app'],
    [{}, { DATABASE_URL: 'postgresql://localhost/app?sslmode=require' }, 'postgresql://localhost/app?sslmode=require'],
    [{}, { DATABASE_URL: 'postgres:///app?host=/run/postgresql' }, 'postgres:///app?host=/run/postgresql'],
    [{ databaseUrl: 'postgres://flag@h/db' }, { DATABASE_URL: 'postgres://env@h/db' }, 'postgres://flag@h/db'],
    [{}, { DATABASE_URL: '' }, undefined],
  ] as const)('%j %j → %s', (flags, env, expected) => {
    expect(loadConfig(flags, env, cwd).databaseUrl).toBe(expected);
  });

  it.each([
    [{ databaseUrl: 'not a url' }, {}, '--databaseUrl: "not a url" is not a URL like postgres://USER:PASSWORD@HOST:5432/DATABASE'],
    [{}, { DATABASE_URL: 'mysql://u:secret@h/db' }, 'DATABASE_URL: "mysql://u:***@h/db": only PostgreSQL is supported (postgres:// or postgresql://, e.g. postgres://USER:PASSWORD@HOST:5432/DATABASE)'],
    [{}, { DATABASE_URL: 'postgres:///db' }, 'DATABASE_URL: "postgres:///db" names no host (e.g. postgres://USER:PASSWORD@HOST:5432/DATABASE)'],
    [{}, { DATABASE_URL: 'postgres://u:pw@h:0/db' }, 'DATABASE_URL: "postgres://u:***@h:0/db": port "0" is not a number between 1 and 65535'],
    [{ databaseUrl: true }, {}, '--databaseUrl: needs a value'],
  ] as const)('%j %j → %s', (flags, env, message) => {
    let caught: unknown;
    try {
      loadConfig(flags, env, cwd);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toBe(message);
    // SECURITY: a refused URL never shows its password.
    expect((caught as ConfigError).message).not.toMatch(/secret|:pw@/);
  });
});

describe('loadConfig REDIS_URL and PLINTH_REDIS_PREFIX', () => {
  it('is unset by default (one node, everything in-process)', () => {
    const config = loadConfig({}, {}, cwd);
    expect(config.redisUrl).toBeUndefined();
    expect(config.redisPrefix).toBeUndefined();
  });

  it.each([
    [{}, { REDIS_URL: 'redis://127.0.0.1:6379' }, 'redis://127.0.0.1:6379'],
    [{}, { REDIS_URL: 'rediss://:secret@cache.example.com:6380/2' }, 'rediss://:secret@cache.example.com:6380/2'],
    [{ redisUrl: 'redis://flag:6379' }, { REDIS_URL: 'redis://env:6379' }, 'redis://flag:6379'],
    [{}, { REDIS_URL: '' }, undefined],
  ] as const)('%j %j → %s', (flags, env, expected) => {
    expect(loadConfig(flags, env, cwd).redisUrl).toBe(expected);
  });

  it('takes the key prefix from the flag, then the environment', () => {
    expect(loadConfig({}, { PLINTH_REDIS_PREFIX: 'app1:' }, cwd).redisPrefix).toBe('app1:');
    expect(loadConfig({ redisPrefix: 'flag:' }, { PLINTH_REDIS_PREFIX: 'env:' }, cwd).redisPrefix).toBe('flag:');
  });

  it.each([
    [{ redisUrl: 'not a url' }, {}, '--redisUrl: "not a url" is not a URL like redis://:PASSWORD@HOST:6379/0'],
    [{}, { REDIS_URL: 'http://u:secret@h:6379' }, 'REDIS_URL: "http://u:***@h:6379": only redis:// or rediss:// (TLS) URLs are supported, e.g. redis://:PASSWORD@HOST:6379/0'],
    [{}, { REDIS_URL: 'redis://:secret@h:0' }, 'REDIS_URL: "redis://:***@h:0": port "0" is not a number between 1 and 65535'],
    [{}, { REDIS_URL: 'redis://h:6379/cache' }, 'REDIS_URL: "redis://h:6379/cache": the path "/cache" is not a database number (e.g. /0)'],
    [{ redisUrl: true }, {}, '--redisUrl: needs a value'],
    [{}, { PLINTH_REDIS_PREFIX: 'has space' }, 'PLINTH_REDIS_PREFIX: "has space" is not 1 to 64 printable characters without spaces (e.g. plinth:)'],
  ] as const)('%j %j → %s', (flags, env, message) => {
    let caught: unknown;
    try {
      loadConfig(flags, env, cwd);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toBe(message);
    expect((caught as ConfigError).message).not.toContain('secret');
  });
});

describe('loadConfig connectionsPerIp', () => {
  it('is unset by default (the HTTP layer applies 1000), and reads the flag, then the environment', () => {
    expect(loadConfig({}, {}, cwd).connectionsPerIp).toBeUndefined();
    expect(loadConfig({}, { PLINTH_CONNECTIONS_PER_IP: '50' }, cwd).connectionsPerIp).toBe(50);
    expect(loadConfig({ connectionsPerIp: '0' }, { PLINTH_CONNECTIONS_PER_IP: '50' }, cwd).connectionsPerIp).toBe(0);
  });

  it('refuses anything but a whole number up to 10000000', () => {
    for (const bad of ['-1', '1.5', 'many', '10000001']) {
      expect(() => loadConfig({ connectionsPerIp: bad }, {}, cwd)).toThrow(ConfigError);
    }
  });
});

describe('loadConfig bodyMemoryLimit', () => {
  it('is unset by default (the HTTP layer applies 256 MiB), and takes a size from the flag or the environment', () => {
    expect(loadConfig({}, {}, cwd).bodyMemoryLimit).toBeUndefined();
    expect(loadConfig({}, { PLINTH_BODY_MEMORY_LIMIT: '1GiB' }, cwd).bodyMemoryLimit).toBe(1 << 30);
    expect(loadConfig({ bodyMemoryLimit: '64MiB' }, {}, cwd).bodyMemoryLimit).toBe(64 << 20);
    expect(() => loadConfig({ bodyMemoryLimit: 'lots' }, {}, cwd)).toThrow(ConfigError);
  });
});

describe('loadConfig outboundAllow', () => {
  it('is unset by default (public addresses only), and takes IPv4 and IPv6 ranges from the flag, then the environment', () => {
    expect(loadConfig({}, {}, cwd).outboundAllow).toBeUndefined();
    expect(loadConfig({}, { PLINTH_OUTBOUND_ALLOW: '127.0.0.0/8, ::1/128' }, cwd).outboundAllow).toEqual(['127.0.0.0/8', '::1/128']);
    expect(loadConfig({ outboundAllow: '10.0.0.0/8,10.0.0.0/8,192.168.1.5' }, { PLINTH_OUTBOUND_ALLOW: '127.0.0.0/8' }, cwd).outboundAllow).toEqual(['10.0.0.0/8', '192.168.1.5']);
  });

  it('stops the start at a bad entry, naming the flag or variable and the entry', () => {
    for (const bad of ['10.0.0.0/33', 'fd00::/129', 'localhost', '*', '10.0.0.0/8/1', '1.2.3.4:80']) {
      expect(() => loadConfig({ outboundAllow: `127.0.0.0/8,${bad}` }, {}, cwd)).toThrow(`--outboundAllow: "${bad}" is not an IP address or CIDR range`);
    }
    expect(() => loadConfig({}, { PLINTH_OUTBOUND_ALLOW: '10.0.0.0/33' }, cwd)).toThrow('PLINTH_OUTBOUND_ALLOW: "10.0.0.0/33"');
  });
});

describe('loadConfig: PORT', () => {
  it('listens on every IPv4 interface at PORT when neither --http nor PLINTH_HTTP is given', () => {
    expect(loadConfig({}, { PORT: '3000' }, cwd).http).toEqual({ host: '0.0.0.0', port: 3000 });
    expect(loadConfig({}, { PORT: '3000', PLINTH_HTTP: '127.0.0.1:4000' }, cwd).http).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(loadConfig({ http: '127.0.0.1:5000' }, { PORT: '3000' }, cwd).http).toEqual({ host: '127.0.0.1', port: 5000 });
    expect(loadConfig({}, { PORT: '' }, cwd).http).toEqual({ host: '127.0.0.1', port: 8090 });
  });

  it.each(['0', '65536', 'abc', '80.5', '-1', '123456'])('refuses PORT=%s, naming it', (raw) => {
    expect(() => loadConfig({}, { PORT: raw }, cwd)).toThrow(/^PORT: .* is not a port number between 1 and 65535/);
  });
});

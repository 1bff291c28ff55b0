/**
 * The container files (docs/operations.md, "Deploying") keep their invariants: no Docker engine
 * runs here to build the image, so what the image and the compose stack must hold
 * is checked in the files themselves — a non-root runtime with a health check, a
 * data volume and `npm ci --omit=dev` (whose `prepare` must not need TypeScript);
 * compose's two nodes on PostgreSQL and Redis behind nginx; nginx set up for SSE.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

interface Instruction {
  name: string;
  args: string;
  stage: string;
}

/** The Dockerfile's instructions, continuation lines joined, comments dropped, each with its stage's name. */
function dockerfile(): Instruction[] {
  const out: Instruction[] = [];
  let stage = '';
  let pending = '';
  for (const raw of read('Dockerfile').split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    pending += pending === '' ? line : ` ${line}`;
    if (pending.endsWith('\\')) {
      pending = pending.slice(0, -1).trimEnd();
      continue;
    }
    const space = pending.indexOf(' ');
    const name = pending.slice(0, space).toUpperCase();
    const args = pending.slice(space + 1).trim();
    if (name === 'FROM') stage = args.split(' AS ')[1]?.trim() ?? args;
    out.push({ name, args, stage });
    pending = '';
  }
  return out;
}

type YamlMap = { [key: string]: unknown };
const compose = parseYaml(read('compose.yaml')) as YamlMap;
const services = compose.services as { [name: string]: YamlMap };
const plinthNodes = Object.entries(services).filter(([, s]) => s.build !== undefined);

describe('Dockerfile', () => {
  const all = dockerfile();
  const runtime = all.filter((i) => i.stage === all.filter((x) => x.name === 'FROM').at(-1)!.stage);
  const find = (name: string): Instruction[] => runtime.filter((i) => i.name === name);

  it('builds in stages from node:20-bookworm-slim', () => {
    const froms = all.filter((i) => i.name === 'FROM');
    const stages = froms.map((f) => f.stage);
    expect(stages).toEqual(expect.arrayContaining(['build', 'prod-deps', 'runtime']));
    for (const from of froms) {
      const image = from.args.split(' ')[0];
      // Each stage starts from the slim Node 20 image or from an earlier stage.
      expect(image === 'node:20-bookworm-slim' || stages.slice(0, stages.indexOf(from.stage)).includes(image), from.args).toBe(true);
    }
    expect(all.some((i) => i.stage === 'build' && i.name === 'RUN' && i.args.includes('npm run build'))).toBe(true);
  });

  it('builds the dashboard into dist/dashboard in the build stage, which the runtime copies whole', () => {
    const build = all.filter((i) => i.stage === 'build');
    const copyDashboard = build.findIndex((i) => i.name === 'COPY' && i.args === 'dashboard ./dashboard');
    const runBuild = build.findIndex((i) => i.name === 'RUN' && i.args.includes('npm run build'));
    expect(copyDashboard, 'COPY dashboard ./dashboard in the build stage').toBeGreaterThanOrEqual(0);
    expect(copyDashboard).toBeLessThan(runBuild);
    expect(build[runBuild]!.args).toContain('test -f dist/dashboard/index.html');
    expect(find('COPY').some((c) => c.args.includes('--from=build') && c.args.endsWith('/app/dist ./dist'))).toBe(true);
    expect(read('.dockerignore').split('\n').map((l) => l.trim())).not.toContain('dashboard');
  });

  it('installs the runtime dependencies with npm ci --omit=dev, install scripts on (native modules built)', () => {
    const install = all.find((i) => i.name === 'RUN' && i.args.includes('npm ci --omit=dev'));
    expect(install, 'a RUN with npm ci --omit=dev').toBeDefined();
    expect(install!.args).not.toContain('--ignore-scripts');
    expect(find('COPY').some((c) => c.args.includes(`--from=${install!.stage}`) && c.args.includes('node_modules'))).toBe(true);
    expect(find('COPY').some((c) => c.args.includes('--from=build') && c.args.includes('/app/dist'))).toBe(true);
  });

  it('runs as a non-root user, with a health check, a data volume and port 8090', () => {
    const user = find('USER');
    expect(user).toHaveLength(1);
    expect(['root', '0', '0:0']).not.toContain(user[0].args);
    const healthcheck = find('HEALTHCHECK');
    expect(healthcheck).toHaveLength(1);
    expect(healthcheck[0].args).toContain('CMD ["node", "-e"');
    expect(healthcheck[0].args).toContain('http://127.0.0.1:8090/api/health?ready=1');
    expect(find('VOLUME').map((v) => v.args)).toEqual(['/data']);
    expect(find('EXPOSE').map((v) => v.args)).toEqual(['8090']);
    const cmd = find('CMD');
    expect(cmd).toHaveLength(1);
    const argv = JSON.parse(cmd[0].args) as string[];
    expect(argv.slice(0, 3)).toEqual(['node', 'bin/plinth.js', 'serve']);
    expect(argv).toEqual(expect.arrayContaining(['--http=0.0.0.0:8090', '--dir=/data']));
    // The USER line comes before the command it runs.
    expect(runtime.indexOf(user[0])).toBeLessThan(runtime.indexOf(cmd[0]));
  });

  it('leaves node_modules, dist, data, secrets and .env files out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['.git', 'node_modules', 'dist', 'plinth_data', '.env', 'secrets']));
  });
});

describe('npm prepare without the dev dependencies', () => {
  it('skips the build with a note and succeeds, so npm ci --omit=dev works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plinth-prepare-'));
    try {
      mkdirSync(join(dir, 'scripts'));
      copyFileSync(join(root, 'scripts/prepare.mjs'), join(dir, 'scripts/prepare.mjs'));
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', type: 'module' }));
      const run = await new Promise<{ code: number; stderr: string }>((done) => {
        execFile(process.execPath, [join(dir, 'scripts/prepare.mjs')], { cwd: dir, env: { PATH: process.env.PATH } }, (err, _stdout, stderr) => {
          done({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stderr });
        });
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('TypeScript is not installed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prepare).toBe('node scripts/prepare.mjs');
  });
});

describe('compose.yaml', () => {
  it('runs two Plinth nodes on PostgreSQL and Redis, each started once they are healthy', () => {
    expect(plinthNodes.map(([name]) => name)).toHaveLength(2);
    for (const [name, node] of plinthNodes) {
      const env = node.environment as YamlMap;
      expect(env.DATABASE_URL ?? env.DATABASE_URL_FILE, name).toBeTruthy();
      expect(String(env.REDIS_URL), name).toMatch(/^redis:\/\/redis:6379/);
      const deps = node.depends_on as { [name: string]: YamlMap };
      expect(deps.postgres?.condition, name).toBe('service_healthy');
      expect(deps.redis?.condition, name).toBe('service_healthy');
      // Only nginx is published: a node reached directly would bypass the proxy it trusts.
      expect(node.ports, name).toBeUndefined();
      expect(node.volumes as string[]).toContain('plinth-data:/data');
    }
  });

  it('gives the database, Redis and nginx a health check and declares its volumes and secrets', () => {
    for (const name of ['postgres', 'redis', 'nginx']) {
      expect((services[name]?.healthcheck as YamlMap | undefined)?.test, name).toBeDefined();
    }
    expect(Object.keys(compose.volumes as YamlMap)).toEqual(expect.arrayContaining(['plinth-data', 'postgres-data']));
    const used = plinthNodes.flatMap(([, n]) => (n.secrets as string[] | undefined) ?? []);
    for (const secret of used) expect(Object.keys(compose.secrets as YamlMap)).toContain(secret);
  });

  it('puts nginx in front with deploy/nginx.conf, balancing across both nodes', () => {
    const nginx = services.nginx;
    expect(nginx.ports as string[]).toHaveLength(1);
    expect(nginx.volumes as string[]).toContain('./deploy/nginx.conf:/etc/nginx/nginx.conf:ro');
    const conf = read('deploy/nginx.conf');
    for (const [name] of plinthNodes) expect(conf).toContain(`server ${name}:8090`);
  });
});

describe('deploy/nginx.conf', () => {
  const conf = read('deploy/nginx.conf').split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');

  it('passes Server-Sent Events through unbuffered, on long-lived HTTP/1.1 connections', () => {
    expect(conf).toContain('proxy_buffering off;');
    expect(conf).toContain('proxy_http_version 1.1;');
    const timeout = /proxy_read_timeout\s+(\d+)(s|m|h)?;/.exec(conf);
    expect(timeout, 'proxy_read_timeout').not.toBeNull();
    const seconds = Number(timeout![1]) * { s: 1, m: 60, h: 3600 }[timeout![2] ?? 's']!;
    // Longer than the 5 minutes a quiet stream stays open on the node.
    expect(seconds).toBeGreaterThan(300);
  });

  it('needs no sticky sessions, and overwrites X-Forwarded-For rather than appending to it', () => {
    expect(conf).not.toMatch(/\b(ip_hash|sticky|hash)\b/);
    expect(conf).toContain('proxy_set_header X-Forwarded-For $remote_addr;');
    expect(conf).not.toContain('$proxy_add_x_forwarded_for');
  });
});

/**
 * Compiles Plinth's src/ into a private directory for the benchmark, so a run
 * measures the current source without touching the shared dist/ (and without
 * tsx's on-the-fly compilation inflating the start-up time).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

function tsFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/**
 * Builds `<root>/src` into `<outDir>/dist` and returns the CLI entry: bundled by the
 * project's own scripts/build.mjs, as `npm run build` ships it, or with `bundle: false`
 * transpiled file by file (CPU profiles then name each source file and package).
 * Falls back to the project's own dist/ when esbuild is not installed.
 */
export async function buildPlinth(root, outDir, { bundle = true } = {}) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return { entry: join(root, 'dist/cli/main.js'), source: 'dist/ (esbuild not found; run npm run build first)' };
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  // NOTE: src/cli/version.ts reads ../../package.json relative to itself, and the
  // nearest package.json makes the .js files ES modules: copy the project's.
  cpSync(join(root, 'package.json'), join(outDir, 'package.json'));
  const projectBuild = join(root, 'scripts/build.mjs');
  if (bundle && existsSync(projectBuild)) {
    const { buildDist } = await import(pathToFileURL(projectBuild).href);
    return { entry: await buildDist(root, join(outDir, 'dist')), source: 'src/ (bundled by scripts/build.mjs, as npm run build does)' };
  }
  const src = join(root, 'src');
  await esbuild.build({
    entryPoints: tsFiles(src).map((f) => relative(root, f)),
    absWorkingDir: root,
    outbase: 'src',
    outdir: join(outDir, 'dist'),
    format: 'esm',
    platform: 'node',
    target: 'node20',
    bundle: false,
    sourcemap: true,
    logLevel: 'error',
  });
  return { entry: join(outDir, 'dist/cli/main.js'), source: 'src/ (transpiled by esbuild)' };
}

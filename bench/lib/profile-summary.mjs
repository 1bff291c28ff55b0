#!/usr/bin/env node
/**
 * Summarizes a V8 .cpuprofile (from `npm run bench -- --profile`): the functions
 * with the most self time, self time per package or source folder, and the
 * functions with the most inclusive time (themselves and what they call).
 *
 *   node bench/lib/profile-summary.mjs bench/results/profiles/CPU….cpuprofile [top=25]
 */
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/lib/profile-summary.mjs FILE.cpuprofile [top]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const top = Number(topArg ?? 25);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
}
// Percentages are of busy time: idle samples (the server waiting for requests) are left out.
const idle = [...self].filter(([id]) => byId.get(id).callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);
const total = [...self.values()].reduce((a, b) => a + b, 0) - idle;

function where(url) {
  if (!url) return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 13).split('/').slice(0, url.slice(nm + 13).startsWith('@') ? 2 : 1).join('/');
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return 'plinth:' + url.slice(dist + 6).split('/').slice(0, -1).join('/');
  if (url.startsWith('node:')) return url;
  return url;
}

/** Where a function is: its package, or for Plinth's own code its file and line. */
function source(cf) {
  if (!cf.url || cf.url.includes('node_modules')) return where(cf.url);
  const file = cf.url.slice(cf.url.lastIndexOf('/') + 1);
  return `${where(cf.url)}/${file}:${cf.lineNumber + 1}`;
}

const fnSelf = new Map();
const groupSelf = new Map();
for (const [id, us] of self) {
  const n = byId.get(id);
  if (n.callFrame.functionName === '(idle)') continue;
  const cf = n.callFrame;
  const name = `${cf.functionName || '(anonymous)'} ${source(cf)}`;
  fnSelf.set(name, (fnSelf.get(name) ?? 0) + us);
  const g = where(cf.url);
  groupSelf.set(g, (groupSelf.get(g) ?? 0) + us);
}
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`busy: ${(total / 1e6).toFixed(1)} s (idle ${(idle / 1e6).toFixed(1)} s left out)\n\nself time by function:`);
for (const [name, us] of [...fnSelf].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${name}`);
console.log('\nself time by package / folder:');
for (const [name, us] of [...groupSelf].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${name}`);

// Inclusive time: each sample counts once for every distinct function on its stack.
const parent = new Map();
for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
const label = (n) => `${n.callFrame.functionName || '(anonymous)'} ${source(n.callFrame)}`;
const inclusive = new Map();
for (const [id, us] of self) {
  if (byId.get(id).callFrame.functionName === '(idle)') continue;
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) seen.add(label(byId.get(cur)));
  for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + us);
}
console.log('\ninclusive time by function:');
for (const [name, us] of [...inclusive].filter(([n]) => !n.startsWith('(root)')).sort((a, b) => b[1] - a[1]).slice(0, top * 2)) console.log(`${pct(us)}  ${name}`);

import { describe, expect, it } from 'vitest';
import { createProgressBar, type ProgressUpdate } from './progress-bar.js';

function render(isTerminal: boolean, updates: ProgressUpdate[]): string {
  let out = '';
  const bar = createProgressBar((text) => (out += text), isTerminal);
  for (const u of updates) bar.update(u);
  bar.end();
  return out;
}

const POSTS: ProgressUpdate[] = [
  { label: 'posts', done: 0, total: 2500 },
  { label: 'posts', done: 1000, total: 2500 },
  { label: 'posts', done: 2500, total: 2500 },
  { label: 'tags', done: 0, total: 1 },
  { label: 'tags', done: 1, total: 1 },
];

describe('createProgressBar', () => {
  it('redraws one line in place on a terminal and clears it at the end', () => {
    const out = render(true, POSTS);
    expect(out.split('\r').filter((s) => s !== '')).toEqual([
      'posts [------------------------] 0/2,500 rows 0%\x1b[K',
      'posts [##########--------------] 1,000/2,500 rows 40%\x1b[K',
      'posts [########################] 2,500/2,500 rows 100%\x1b[K',
      'tags [------------------------] 0/1 rows 0%\x1b[K',
      'tags [########################] 1/1 rows 100%\x1b[K',
      '\x1b[K',
    ]);
    expect(out).not.toContain('\n');
  });

  it('prints one plain line per finished step elsewhere', () => {
    expect(render(false, POSTS)).toBe('posts: 2,500 rows\ntags: 1 row\n');
  });

  it('shows an empty step as complete', () => {
    expect(render(true, [{ label: 'x', done: 0, total: 0 }])).toContain('0/0 rows 100%');
    expect(render(false, [{ label: 'x', done: 0, total: 0 }])).toBe('x: 0 rows\n');
  });
});

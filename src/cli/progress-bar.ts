/**
 * The progress of a long copy on standard error: one line redrawn in place on a
 * terminal, one plain line per finished step otherwise (logs, CI, pipes).
 */

/** One step's progress: `done` of `total` units of `label`. */
export interface ProgressUpdate {
  label: string;
  done: number;
  total: number;
}

/** A ProgressBar shows updates and is ended once the work is over. */
export interface ProgressBar {
  update(progress: ProgressUpdate): void;
  /** Clears the redrawn line (a terminal) or prints nothing more (otherwise). */
  end(): void;
}

const BAR_WIDTH = 24;

/**
 * Creates a progress bar writing to `write`. On a terminal the line is redrawn
 * with `\r` and cleared to its end; otherwise a line is printed when a step
 * reaches its total, so logs get one line per step instead of a stream of `\r`.
 */
export function createProgressBar(write: (text: string) => void, isTerminal: boolean, unit: [one: string, many: string] = ['row', 'rows']): ProgressBar {
  let drawn = false;
  return {
    update({ label, done, total }) {
      if (isTerminal) {
        const ratio = total === 0 ? 1 : Math.min(1, done / total);
        const filled = Math.round(ratio * BAR_WIDTH);
        const bar = '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled);
        write(`\r${label} [${bar}] ${count(done)}/${count(total)} ${unit[1]} ${Math.floor(ratio * 100)}%\x1b[K`);
        drawn = true;
      } else if (done === total) {
        write(`${label}: ${count(done)} ${done === 1 ? unit[0] : unit[1]}\n`);
      }
    },
    end() {
      if (drawn) write('\r\x1b[K');
      drawn = false;
    },
  };
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

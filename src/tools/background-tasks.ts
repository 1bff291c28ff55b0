/**
 * BackgroundTasks runs work that must not hold up an HTTP answer (a mail sent
 * after a request-* flow answered), logs its failures, and lets shutdown wait.
 */

/** A log function for a failed task. */
export type TaskErrorLog = (err: unknown, what: string) => void;

/** BackgroundTasks tracks fire-and-forget work. */
export class BackgroundTasks {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly onError: TaskErrorLog) {}

  /** Starts `task` now; a failure is logged as `what`, never thrown. */
  run(what: string, task: () => Promise<void>): void {
    const running = Promise.resolve()
      .then(task)
      .catch((err: unknown) => this.onError(err, what))
      .finally(() => this.pending.delete(running));
    this.pending.add(running);
  }

  /** Resolves once every task started so far has finished. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}

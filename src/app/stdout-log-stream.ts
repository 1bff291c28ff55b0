/**
 * Where the node's pino lines go when no stream is given: stdout, written in chunks
 * (docs/operations.md §Logs, "Stdout"). pino's default writes every line with its own
 * `write(2)`: one system call and one thread-pool round trip per request for the access
 * line, a fifth of a small request's CPU time. Here lines gather up to 4 KiB, or for at
 * most 100 ms, and go out in one write. pino flushes what is left when the process exits
 * (also on an uncaught error); only a SIGKILL can lose the last 100 ms of lines.
 */
import pino from 'pino';

/** Bytes gathered before a write. At most PIPE_BUF (4096), so a write to a pipe stays atomic. */
const CHUNK_BYTES = 4096;

/** The longest a line waits, in milliseconds. */
const FLUSH_MS = 100;

type Destination = ReturnType<typeof pino.destination>;

let stream: Destination | undefined;

/** The process's buffered stdout destination, one for every node of the process. */
export function stdoutLogStream(): Destination {
  stream ??= pino.destination({ dest: 1, minLength: CHUNK_BYTES, periodicFlush: FLUSH_MS });
  return stream;
}

/** Writes the lines waiting in the stdout buffer, if it was ever opened (when a node stops). */
export function flushStdoutLog(): void {
  try {
    stream?.flushSync();
  } catch {
    // Stdout is gone or busy (EAGAIN): the periodic flush or the exit handler writes it.
  }
}

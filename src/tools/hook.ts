/**
 * A Hook is an ordered chain of async handlers around an action, as PocketBase's
 * hooks are: each handler receives the event and calls `await e.next()` to let
 * the rest of the chain (and finally the action) run; one that returns without
 * calling it stops the chain, so the action does not happen. See docs/hooks.md.
 *
 * A handler is app code: what it throws that is not an AppError becomes a
 * UserCodeError (the generic 400, its stack logged), while an error of the action
 * that merely passes back up through a handler's `await e.next()` stays as it is,
 * so Plinth's own failures remain 500s.
 */
import { asUserCodeError } from '../errors/user-code-error.js';
import { inSpan, tracing } from './tracing.js';

/** Errors thrown by an action (Plinth's own code) on their way back up through the handlers. */
const fromAction = new WeakSet<object>();

/** An event passed along a hook chain. */
export interface HookEvent {
  /** Runs the rest of the chain and then the action; resolves when they finished. */
  next(): Promise<void>;
}

/** A handler of a hook; may be async. */
export type HookHandler<E> = (e: E) => unknown;

/** What `bind` returns: removes the handler again. */
export interface HookHandle {
  unbind(): void;
}

interface Bound<E> {
  fn: HookHandler<E>;
  /** Collection names or ids the handler is limited to; empty = every one. */
  tags: readonly string[];
}

/** A Hook of events `E`, handlers optionally limited to tags (collection names or ids). */
export class Hook<E extends HookEvent> {
  private handlers: Bound<E>[] = [];
  /** The hook's name (`onRecordCreate`), set when it becomes an app method; names its trace spans. */
  name = 'hook';

  /** True while no handler is bound: the action runs with nothing around it. */
  get isEmpty(): boolean {
    return this.handlers.length === 0;
  }

  /** Adds a handler at the end of the chain; with tags it runs only for events carrying one of them. */
  bind(fn: HookHandler<E>, ...tags: string[]): HookHandle {
    if (typeof fn !== 'function') throw new TypeError('a hook handler must be a function');
    const bound: Bound<E> = { fn, tags };
    // Copy on write: a trigger already running keeps the list it started with.
    this.handlers = [...this.handlers, bound];
    return { unbind: () => { this.handlers = this.handlers.filter((b) => b !== bound); } };
  }

  /** Removes every handler. */
  unbindAll(): void {
    this.handlers = [];
  }

  /**
   * Runs the handlers that match `tags` in order around `action`, with `e.next` set for
   * each step. Resolves once the chain finished; rejects with what a handler threw.
   */
  async trigger(e: Omit<E, 'next'> & Partial<HookEvent>, tags: readonly string[], action: (e: E) => unknown): Promise<void> {
    const chain = tags.length === 0 ? this.handlers : this.handlers.filter((b) => b.tags.length === 0 || b.tags.some((t) => tags.includes(t)));
    const event = e as E;
    const step = async (i: number): Promise<void> => {
      let called: Promise<void> | undefined;
      const rest = async (): Promise<void> => {
        try {
          if (i + 1 < chain.length) await step(i + 1);
          else await action(event);
        } catch (err) {
          if (typeof err === 'object' && err !== null) fromAction.add(err);
          throw err;
        } finally {
          // The handler that called next sees its own next again afterwards.
          event.next = next;
        }
      };
      // Calling next twice runs the rest of the chain once; the second call waits for the first.
      const next = (): Promise<void> => (called ??= rest());
      event.next = next;
      try {
        await chain[i]!.fn(event);
      } catch (err) {
        throw typeof err === 'object' && err !== null && fromAction.has(err) ? err : asUserCodeError(err);
      }
    };
    if (chain.length === 0) {
      event.next = () => Promise.resolve();
      await action(event);
      return;
    }
    // One span per trigger that has handlers (docs/observability.md §3).
    const tracer = tracing.tracer;
    if (tracer) return inSpan(tracer, `hook ${this.name}`, { 'plinth.hook.name': this.name, 'plinth.hook.handlers': chain.length }, () => step(0));
    await step(0);
  }
}

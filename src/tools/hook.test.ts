import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.js';
import { UserCodeError } from '../errors/user-code-error.js';
import { Hook, type HookEvent } from './hook.js';

interface Ev extends HookEvent { n: number }

describe('Hook: errors of handlers and of the action', () => {
  it('wraps what a handler throws that is not an AppError, keeping it as the cause', async () => {
    const hook = new Hook<Ev>();
    const thrown = new Error('handler bug');
    hook.bind(() => { throw thrown; });
    const err = await hook.trigger({ n: 1 }, [], () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as UserCodeError).status).toBe(400);
    expect((err as UserCodeError).cause).toBe(thrown);
  });

  it('wraps thrown non-errors too, and leaves an AppError as it is', async () => {
    const hook = new Hook<Ev>();
    hook.bind(() => { throw 'a string'; });
    expect(await hook.trigger({ n: 1 }, [], () => undefined).catch((e: unknown) => e)).toBeInstanceOf(UserCodeError);
    const own = new AppError(409, 'Conflict.');
    const other = new Hook<Ev>();
    other.bind(() => { throw own; });
    expect(await other.trigger({ n: 1 }, [], () => undefined).catch((e: unknown) => e)).toBe(own);
  });

  it("passes the action's own error back up through handlers unwrapped (Plinth's failures stay 500s)", async () => {
    const hook = new Hook<Ev>();
    hook.bind(async (e) => { await e.next(); });
    hook.bind(async (e) => { await e.next(); });
    const bug = new TypeError('plinth bug');
    const err = await hook.trigger({ n: 1 }, [], () => { throw bug; }).catch((e: unknown) => e);
    expect(err).toBe(bug);
  });

  it('runs the action directly with no handler bound, its error unwrapped', async () => {
    const hook = new Hook<Ev>();
    const bug = new Error('direct');
    expect(await hook.trigger({ n: 1 }, [], () => { throw bug; }).catch((e: unknown) => e)).toBe(bug);
  });
});

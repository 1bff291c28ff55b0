import { describe, expect, it } from 'vitest';
import { badRequest, notFound } from './app-error.js';
import { isServiceUnavailable, unavailable } from './service-unavailable.js';

const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isServiceUnavailable', () => {
  it.each([
    ['a refused connection', coded('ECONNREFUSED'), true],
    ['a reset connection', coded('ECONNRESET'), true],
    ['SQLSTATE 08006 (connection failure)', coded('08006'), true],
    ['SQLSTATE 57P01 (admin shutdown)', coded('57P01'), true],
    ['SQLSTATE 53300 (too many connections)', coded('53300'), true],
    ['node-postgres losing its connection', new Error('Connection terminated unexpectedly'), true],
    ['a pool that cannot connect in time', new Error('timeout exceeded when trying to connect'), true],
    ['a 503 AppError', unavailable(), true],
    ['a refused connection wrapped in a 400', badRequest('Failed.', {}, coded('ECONNREFUSED')), true],
    ['a refused connection in an AggregateError', new AggregateError([coded('ECONNREFUSED')], ''), true],
    ['a statement timeout (57014): a 400, the query is the client\'s to narrow', coded('57014'), false],
    ['a unique violation (23505)', coded('23505'), false],
    ['a syntax error (42601)', coded('42601'), false],
    ['a plain error', new Error('boom'), false],
    ['a 404', notFound(), false],
    ['not an error', 'ECONNREFUSED', false],
  ])('%s → %s', (_name, err, expected) => {
    expect(isServiceUnavailable(err)).toBe(expected);
  });

  it('stops on a cycle of causes', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(isServiceUnavailable(a)).toBe(false);
  });
});

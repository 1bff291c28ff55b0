/**
 * Broker target URLs (docs/outbound.md §2): defaults, a named exchange or stream,
 * credentials, and what is refused; the error text of a client, credentials masked;
 * the delivery log's redacted form.
 */
import { describe, expect, it } from 'vitest';
import { redactTarget } from '../../core/events/redact-target.js';
import { brokerErrorMessage } from './broker-error.js';
import { parseBrokerTarget } from './broker-targets.js';

describe('parseBrokerTarget', () => {
  it('reads an amqp target: default exchange, vhost and port; Plinth\'s parameter left out of the connect URL', () => {
    const parsed = parseBrokerTarget('amqp://user:p%40ss@rabbit.internal/prod?heartbeat=30');
    expect(parsed).toEqual({ ok: true, target: {
      kind: 'amqp', connectUrl: 'amqp://user:p%40ss@rabbit.internal/prod?heartbeat=30', exchange: 'plinth.events',
      host: 'rabbit.internal', port: 5672, where: 'rabbit.internal:5672',
    } });
    const named = parseBrokerTarget('amqps://u:p@[::1]/?exchange=orders.events');
    expect(named).toMatchObject({ ok: true, target: { exchange: 'orders.events', host: '::1', port: 5671, where: '[::1]:5671', connectUrl: 'amqps://u:p@[::1]/' } });
  });

  it('reads a nats target: default stream, user and password, or a token', () => {
    expect(parseBrokerTarget('nats://nats.internal')).toEqual({ ok: true, target: { kind: 'nats', server: 'nats.internal:4222', host: 'nats.internal', stream: 'PLINTH_EVENTS', where: 'nats.internal:4222' } });
    expect(parseBrokerTarget('nats://u:p%2Fw@n:4333?stream=ORDERS')).toMatchObject({ ok: true, target: { server: 'n:4333', stream: 'ORDERS', user: 'u', pass: 'p/w' } });
    expect(parseBrokerTarget('nats://s3cr3t@n')).toMatchObject({ ok: true, target: { token: 's3cr3t' } });
  });

  it.each([
    ['https://example.com', 'unsupported scheme https:'],
    ['amqp://', 'names no host'],
    ['amqp://h?exchnage=x', 'unknown parameter "exchnage"'],
    ['amqp://h?exchange=amq.topic', 'reserved by RabbitMQ'],
    ['amqp://h?exchange=a%20b', 'may hold only letters'],
    ['amqp://h?exchange=', '1 to 255 characters'],
    ['nats://h?stream=a.b', 'may not hold spaces'],
    ['nats://h?stream=A>', 'may not hold spaces'],
    ['nats://h/path', 'has no path'],
    ['nats://h?subject=x', 'unknown parameter "subject"'],
    ['nats://h#frag', 'no #fragment'],
    ['nope', 'invalid URL'],
  ])('refuses %s', (url, problem) => {
    const parsed = parseBrokerTarget(url);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.problem).toContain(problem);
  });
});

describe('brokerErrorMessage and redactTarget', () => {
  it('masks credentials a client quotes, on one bounded line', () => {
    const message = brokerErrorMessage(Object.assign(new Error('cannot reach amqp://guest:hunter2@rabbit:5672/\nretrying'), { code: 'ECONNREFUSED' }));
    expect(message).toBe('cannot reach amqp://***@rabbit:5672/ retrying (ECONNREFUSED)');
    expect(brokerErrorMessage(new Error('x'.repeat(1000))).length).toBeLessThanOrEqual(301);
  });

  it('masks passwords and tokens in target URLs', () => {
    expect(redactTarget('amqp://user:hunter2@rabbit/vhost?exchange=x')).toBe('amqp://user:***@rabbit/vhost?exchange=x');
    expect(redactTarget('nats://s3cr3t@nats:4222')).toBe('nats://***@nats:4222');
    expect(redactTarget('https://example.com/hook')).toBe('https://example.com/hook');
    expect(redactTarget('::nonsense')).toBe('***');
  });
});

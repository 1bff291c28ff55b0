/**
 * The outbound policy (docs/outbound.md §1): which addresses `--outboundAllow` opens,
 * plain http only inside the allowed ranges, and the save-time check of targets,
 * through a resolver that answers from a table.
 */
import { describe, expect, it } from 'vitest';
import { OutboundPolicy, type ResolveAll } from './outbound-policy.js';

const table: Record<string, string[]> = {
  'public.test': ['93.184.215.14'],
  'broker.internal': ['10.1.2.3'],
  'mixed.test': ['93.184.215.14', '10.0.0.7'],
  'v6.test': ['::1'],
};
const resolve: ResolveAll = (hostname, callback) => {
  const list = table[hostname];
  if (!list) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
  callback(null, list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
};

describe('OutboundPolicy.refusedAddress', () => {
  it('admits public addresses over TLS only, without allowed ranges', () => {
    const policy = new OutboundPolicy([], resolve);
    expect(policy.allowsPlaintext).toBe(false);
    expect(policy.refusedAddress('93.184.215.14', false)).toBeNull();
    expect(policy.refusedAddress('93.184.215.14', true)).toContain('plain http');
    expect(policy.refusedAddress('127.0.0.1', false)).toBe('loopback');
    expect(policy.refusedAddress('10.0.0.1', false)).toBe('private');
  });

  it('opens exactly the allowed ranges, plain http included, and IPv4-mapped forms of them', () => {
    const policy = new OutboundPolicy(['127.0.0.0/8', 'fd00::/8', '192.168.1.10'], resolve);
    expect(policy.refusedAddress('127.0.0.1', true)).toBeNull();
    expect(policy.refusedAddress('127.9.9.9', false)).toBeNull();
    expect(policy.refusedAddress('::ffff:127.0.0.1', true)).toBeNull();
    expect(policy.refusedAddress('fd12::1', true)).toBeNull();
    expect(policy.refusedAddress('192.168.1.10', true)).toBeNull();
    expect(policy.refusedAddress('192.168.1.11', false)).toBe('private');
    expect(policy.refusedAddress('128.0.0.1', true)).toContain('plain http');
    expect(policy.refusedAddress('::1', false)).toBe('loopback');
    expect(policy.refusedAddress('169.254.169.254', false)).toBe('link-local');
  });
});

describe('OutboundPolicy.checkTarget', () => {
  const closed = new OutboundPolicy([], resolve);
  const open = new OutboundPolicy(['10.0.0.0/8', '::1/128'], resolve);

  const policies = { closed, open };
  it.each([
    ['https://public.test/hook', 'closed', null],
    ['http://public.test/hook', 'closed', 'plain http is refused'],
    ['http://public.test/hook', 'open', 'public.test resolves to 93.184.215.14: plain http'],
    ['https://127.0.0.1/hook', 'closed', '127.0.0.1: loopback'],
    ['https://mixed.test/', 'closed', 'mixed.test resolves to 10.0.0.7: private'],
    ['https://mixed.test/', 'open', null],
    ['http://broker.internal:8080/', 'open', null],
    ['amqp://user:secret@broker.internal/vhost', 'closed', 'broker.internal resolves to 10.1.2.3: private'],
    ['amqp://user:secret@broker.internal/vhost?exchange=x', 'open', null],
    ['nats://token@[::1]:4222', 'open', null],
    ['nats://v6.test:4222', 'closed', 'v6.test resolves to ::1: loopback'],
    ['amqps://public.test', 'closed', null],
    ['https://user:pw@public.test/', 'closed', 'credentials in the URL'],
    ['ftp://public.test/', 'closed', 'unsupported scheme ftp:'],
    ['https://nowhere.test/', 'closed', 'nowhere.test does not resolve (ENOTFOUND)'],
    ['not a url', 'closed', 'invalid URL'],
  ] as const)('%s (%s) → %s', async (url, which, expected) => {
    const reason = await policies[which].checkTarget(url);
    if (expected === null) expect(reason).toBeNull();
    else expect(reason).toContain(expected);
  });

  it('never quotes the credentials of a refused target', async () => {
    expect(await closed.checkTarget('amqp://user:secret@broker.internal/')).not.toContain('secret');
  });
});

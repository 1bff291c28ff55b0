import { describe, expect, it } from 'vitest';
import { IpList, ipCounterKey, isIpOrCidr, normalizeIp } from './ip-list.js';

describe('normalizeIp', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['[::1]:8080', '::1'],
    ['192.0.2.1:443', '192.0.2.1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['unknown', ''],
    ['', ''],
  ])('%s → %s', (raw, expected) => expect(normalizeIp(raw)).toBe(expected));
});

describe('ipCounterKey', () => {
  it('groups an IPv6 /64 and keeps IPv4 as is', () => {
    expect(ipCounterKey('2001:db8:1:2:aaaa::1')).toBe(ipCounterKey('2001:db8:1:2:bbbb::2'));
    expect(ipCounterKey('2001:db8:1:2::1')).not.toBe(ipCounterKey('2001:db8:1:3::1'));
    expect(ipCounterKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(ipCounterKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(ipCounterKey('::1')).toBe('0:0:0:0::/64');
  });
});

describe('IpList', () => {
  it.each([
    [['10.0.0.0/8'], '10.200.1.1', true],
    [['10.0.0.0/8'], '11.0.0.1', false],
    [['192.0.2.1'], '::ffff:192.0.2.1', true],
    [['2001:db8::/32'], '2001:db8:ffff::1', true],
    [['2001:db8::/32'], '2001:db9::1', false],
    [['*'], '198.51.100.1', true],
    [['not-an-ip'], '1.2.3.4', false],
    [[], '1.2.3.4', false],
  ])('%j has %s: %s', (entries, ip, expected) => expect(new IpList(entries).has(ip)).toBe(expected));

  it('is empty without usable entries', () => {
    expect(new IpList([]).empty).toBe(true);
    expect(new IpList(['junk']).empty).toBe(true);
    expect(new IpList(['*']).empty).toBe(false);
  });
});

describe('isIpOrCidr', () => {
  it.each([
    ['10.0.0.1', true], ['10.0.0.0/8', true], ['::1', true], ['fd00::/8', true],
    ['10.0.0.0/33', false], ['::/129', false], ['10.0.0.1:80', false], ['[::1]', false], ['10.0.0.0/8/1', false], ['host', false],
  ])('%s: %s', (text, expected) => expect(isIpOrCidr(text)).toBe(expected));
});

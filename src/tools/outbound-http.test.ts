/**
 * The outbound HTTP guard: address classification (with mapped and other
 * embedded forms), the connect-time check through a custom resolver, redirects
 * re-checked hop by hop, and the answer's type and size caps — against a real
 * HTTP server on loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress, refusedAddressReason } from './outbound-address.js';
import { OutboundHttp, OutboundRequestError, type ResolveAll } from './outbound-http.js';

describe('refusedAddressReason', () => {
  it.each([
    ['0.0.0.0', 'this-network'], ['0.1.2.3', 'this-network'],
    ['10.0.0.1', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'], ['169.254.0.1', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'], ['100.127.255.255', 'carrier-grade NAT'],
    ['192.0.0.192', 'IETF protocol assignments'],
    ['224.0.0.1', 'multicast'], ['239.255.255.250', 'multicast'], ['255.255.255.255', 'reserved or broadcast'],
    ['::', 'unspecified'], ['::1', 'loopback'],
    ['fe80::1', 'link-local'], ['febf::1', 'link-local'],
    ['fc00::1', 'unique local (private)'], ['fd00:ec2::254', 'unique local (private)'],
    ['ff02::1', 'multicast'],
    // IPv4 addresses inside IPv6 forms.
    ['::ffff:127.0.0.1', 'loopback (embedded in IPv6)'], ['::ffff:7f00:1', 'loopback (embedded in IPv6)'],
    ['::FFFF:169.254.169.254', 'link-local (embedded in IPv6)'], ['0:0:0:0:0:ffff:a00:1', 'private (embedded in IPv6)'],
    ['::ffff:0:10.1.2.3', 'private (embedded in IPv6)'], ['::10.0.0.1', 'private (embedded in IPv6)'],
    ['64:ff9b::169.254.169.254', 'link-local (embedded in IPv6)'], ['64:ff9b::a9fe:a9fe', 'link-local (embedded in IPv6)'],
    ['64:ff9b::7f00:1', 'loopback (embedded in IPv6)'], ['64:ff9b:1::1', 'local-use NAT64'],
    ['2002:a9fe:a9fe::', 'link-local (embedded in IPv6)'], ['2002:c0a8:0101::1', 'private (embedded in IPv6)'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'IETF protocol assignments'],
    // Not plain addresses at all.
    ['fe80::1%eth0', 'not an IP address'], ['localhost', 'not an IP address'], ['', 'not an IP address'], ['1.2.3', 'not an IP address'],
  ])('%s → %s', (address, reason) => {
    expect(refusedAddressReason(address)).toBe(reason);
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    '1.1.1.1', '8.8.8.8', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '169.253.255.255', '223.255.255.255',
    '2606:4700:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:0808:0808::1',
  ])('%s is public', (address) => {
    expect(refusedAddressReason(address)).toBeNull();
  });
});

describe('OutboundHttp', () => {
  let server: Server;
  let base: string;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/png') return void res.writeHead(200, { 'Content-Type': 'image/png' }).end(Buffer.alloc(100, 1));
      if (url.pathname === '/html') return void res.writeHead(200, { 'Content-Type': 'text/html' }).end('<p>hi</p>');
      if (url.pathname === '/big') return void res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': '5000' }).end(Buffer.alloc(5000, 1));
      if (url.pathname === '/stream') {
        // No Content-Length: the cap must hold while reading.
        res.writeHead(200, { 'Content-Type': 'image/png', 'Transfer-Encoding': 'chunked' });
        for (let i = 0; i < 10; i++) res.write(Buffer.alloc(1000, 1));
        return void res.end();
      }
      if (url.pathname === '/redirect') return void res.writeHead(302, { Location: url.searchParams.get('to') ?? '/' }).end();
      if (url.pathname === '/loop') return void res.writeHead(302, { Location: '/loop' }).end();
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const limits = { maxBytes: 1000, timeoutMs: 5000, acceptType: (t: string) => t.startsWith('image/') };
  /** A resolver that answers from a table, as a DNS server an attacker controls would. */
  const resolving = (table: Record<string, string[]>): ResolveAll => (hostname, callback) => {
    const list = table[hostname];
    if (!list) return callback(new Error(`ENOTFOUND ${hostname}`), []);
    callback(null, list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
  const refusal = async (work: Promise<unknown>): Promise<string> => {
    const err = await work.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(OutboundRequestError);
    return (err as Error).message;
  };

  it('the test guard fetches from loopback over http, through the given resolver', async () => {
    const http = OutboundHttp.allowingLoopbackForTests(resolving({ 'avatars.test': ['127.0.0.1'] }));
    const res = await http.get(`http://avatars.test:${port}/png`, limits);
    expect(res).toMatchObject({ mediaType: 'image/png', url: `http://avatars.test:${port}/png` });
    expect(res.body.length).toBe(100);
    // A redirect on loopback is followed.
    expect((await http.get(`${base}/redirect?to=/png`, limits)).url).toBe(`${base}/png`);
  });

  it('the production guard refuses http, and a hostname that resolves to loopback at connect time', async () => {
    const http = OutboundHttp.publicOnly(resolving({ 'rebind.test': ['127.0.0.1'], 'mixed.test': ['93.184.215.14', '10.0.0.7'], 'meta.test': ['::ffff:169.254.169.254'] }));
    expect(await refusal(http.get(`${base}/png`, limits))).toBe('refused scheme http:');
    expect(await refusal(http.get(`https://rebind.test:${port}/png`, limits))).toContain('refused rebind.test (127.0.0.1: loopback)');
    expect(await refusal(http.get(`https://mixed.test:${port}/png`, limits))).toContain('10.0.0.7: private');
    expect(await refusal(http.get(`https://meta.test/latest/meta-data/`, limits))).toContain('link-local (embedded in IPv6)');
    expect(await refusal(http.get('https://127.0.0.1/', limits))).toBe('refused address 127.0.0.1: loopback');
    expect(await refusal(http.get('https://[::ffff:7f00:1]/', limits))).toContain('loopback (embedded in IPv6)');
    expect(await refusal(http.get('https://169.254.169.254/latest/meta-data/', limits))).toContain('link-local');
    expect(await refusal(http.get('file:///etc/passwd', limits))).toBe('refused scheme file:');
  });

  it('checks every redirect hop: private, metadata and loopback-by-name targets are refused', async () => {
    const http = OutboundHttp.allowingLoopbackForTests(resolving({ 'internal.test': ['10.1.2.3'] }));
    for (const to of ['http://10.0.0.1/x', 'http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/', 'http://internal.test/', 'http://100.100.100.200/']) {
      const message = await refusal(http.get(`${base}/redirect?to=${encodeURIComponent(to)}`, limits));
      expect(message).toMatch(/refused/);
    }
    expect(await refusal(http.get(`${base}/redirect?to=${encodeURIComponent('ftp://example.com/')}`, limits))).toBe('refused scheme ftp:');
    expect(await refusal(http.get(`${base}/loop`, limits))).toBe('more than 3 redirects');
  });

  it('caps the answer: type, declared size, streamed size', async () => {
    const http = OutboundHttp.allowingLoopbackForTests();
    expect(await refusal(http.get(`${base}/html`, limits))).toBe('refused content type text/html');
    expect(await refusal(http.get(`${base}/big`, limits))).toBe('body of 5000 bytes is over 1000');
    expect(await refusal(http.get(`${base}/stream`, limits))).toBe('body over 1000 bytes');
    expect(await refusal(http.get(`${base}/missing`, limits))).toBe('status 404');
  });
});

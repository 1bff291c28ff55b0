/**
 * Which network addresses an outbound request may reach: public Internet
 * addresses only — never this host, the networks it sits in, a carrier's shared
 * space or a cloud's metadata service, nor those same addresses dressed up as
 * IPv4-mapped, IPv4-compatible, NAT64 or 6to4 IPv6 addresses.
 */
import { BlockList, isIP } from 'node:net';

// Each range with why it is refused; the reason names the refusal in errors and logs.
const IPV4_REFUSED: readonly [network: string, prefix: number, reason: string][] = [
  ['0.0.0.0', 8, 'this-network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  // 169.254.169.254 is the metadata service of AWS, GCP, Azure, OpenStack, ….
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  // 192.0.0.0/24 holds NAT64 discovery (192.0.0.170) and Oracle Cloud's metadata (192.0.0.192).
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  // 240.0.0.0/4 ends with the limited broadcast address 255.255.255.255.
  ['240.0.0.0', 4, 'reserved or broadcast'],
];

const IPV6_REFUSED: readonly [network: string, prefix: number, reason: string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b:1::', 48, 'local-use NAT64'],
  ['100::', 64, 'discard'],
  // Teredo (2001::/32) tunnels to any IPv4 address, ORCHID and other special-purpose blocks.
  ['2001::', 23, 'IETF protocol assignments'],
  ['2001:db8::', 32, 'documentation'],
  // fd00:ec2::254 is the metadata service of AWS over IPv6.
  ['fc00::', 7, 'unique local (private)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

const ranges = (() => {
  const byReason = new Map<string, BlockList>();
  for (const [network, prefix, reason] of IPV4_REFUSED) block(byReason, reason).addSubnet(network, prefix, 'ipv4');
  for (const [network, prefix, reason] of IPV6_REFUSED) block(byReason, reason).addSubnet(network, prefix, 'ipv6');
  return [...byReason];
})();

function block(byReason: Map<string, BlockList>, reason: string): BlockList {
  let list = byReason.get(reason);
  if (!list) byReason.set(reason, (list = new BlockList()));
  return list;
}

/**
 * Why an outbound request must not reach `address`, or null when it is a public
 * address. Anything that is not a plain IP address (a zone id, a hostname) is refused.
 */
export function refusedAddressReason(address: string): string | null {
  const family = isIP(address);
  if (family === 4) return reasonOf(address, 'ipv4');
  // A zone id (fe80::1%eth0) scopes a link-local address to an interface.
  if (family !== 6 || address.includes('%')) return 'not an IP address';
  const bytes = ipv6Bytes(address);
  if (!bytes) return 'not an IP address';
  const embedded = embeddedIpv4(bytes);
  if (embedded !== null) {
    const reason = reasonOf(embedded, 'ipv4');
    if (reason !== null) return `${reason} (embedded in IPv6)`;
  }
  return reasonOf(address, 'ipv6');
}

/** Whether an outbound request may reach `address` (a public IP address). */
export function isPublicAddress(address: string): boolean {
  return refusedAddressReason(address) === null;
}

/** Whether `address` is a loopback address (127.0.0.0/8, ::1, or IPv4 loopback inside IPv6). */
export function isLoopbackAddress(address: string): boolean {
  const reason = refusedAddressReason(address);
  return reason === 'loopback' || reason === 'loopback (embedded in IPv6)';
}

function reasonOf(address: string, type: 'ipv4' | 'ipv6'): string | null {
  for (const [reason, list] of ranges) if (list.check(address, type)) return reason;
  return null;
}

/**
 * The IPv4 address an IPv6 address carries, when its form embeds one: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d),
 * NAT64 (64:ff9b::a.b.c.d) or 6to4 (2002:aabb:ccdd::).
 * SECURITY: each reaches the IPv4 address on a host or network that translates it.
 */
function embeddedIpv4(b: Uint8Array): string | null {
  const zeros = (from: number, to: number) => b.subarray(from, to).every((x) => x === 0);
  const quad = (at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return quad(12);
  if (zeros(0, 8) && b[8] === 0xff && b[9] === 0xff && zeros(10, 12)) return quad(12);
  // ::a.b.c.d, except :: and ::1 themselves (checked as IPv6).
  if (zeros(0, 12) && !zeros(12, 15)) return quad(12);
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return quad(12);
  if (b[0] === 0x20 && b[1] === 0x02) return quad(2);
  return null;
}

/** The 16 bytes of a textual IPv6 address (with `::` and a trailing dotted quad), or null. */
function ipv6Bytes(address: string): Uint8Array | null {
  let text = address;
  const out = new Uint8Array(16);
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    if (isIP(last) !== 4) return null;
    tail = last.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? Number.parseInt(g, 16) : NaN)));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const all = halves.length === 2 ? [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest] : head;
  if (all.length !== 8 || all.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return null;
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  if (tail.length === 4) out.set(tail, 12);
  return out;
}

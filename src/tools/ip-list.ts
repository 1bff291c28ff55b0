/**
 * IP addresses and CIDR ranges: parsing, normalising and matching lists such as
 * trusted proxies, `superuserIPs` and `rateLimits.excludedIPs`.
 */
import { BlockList, isIP, isIPv4 } from 'node:net';

/**
 * Normalises an address: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes IPv4, IPv6 is
 * lower-cased. Returns '' for anything that is not an IP address.
 */
export function normalizeIp(raw: string): string {
  let ip = raw.trim();
  if (ip.startsWith('[') && ip.includes(']')) ip = ip.slice(1, ip.indexOf(']'));
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(ip)) ip = ip.slice(0, ip.lastIndexOf(':'));
  const zone = ip.indexOf('%');
  if (zone >= 0) ip = ip.slice(0, zone);
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  const family = isIP(ip);
  if (family === 4) return ip;
  if (family === 6) return ip.toLowerCase();
  return '';
}

/**
 * The key that stands for one client in per-IP counters: the IPv4 address, or the /64
 * network of an IPv6 address.
 *
 * SECURITY: one IPv6 subscriber usually holds a whole /64 and can rotate addresses inside
 * it at will, so counting single IPv6 addresses would not limit anyone.
 */
export function ipCounterKey(ip: string): string {
  const normal = normalizeIp(ip);
  if (isIP(normal) !== 6) return normal || ip;
  return `${expandIpv6(normal).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, as lower-case hex without leading zeros. */
function expandIpv6(ip: string): string[] {
  let text = ip;
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16).toString(16));
}

/** Tests whether `text` is an IP address or a CIDR range (`10.0.0.0/8`, `fd00::/8`). */
export function isIpOrCidr(text: string): boolean {
  return parseEntry(text) !== null;
}

function parseEntry(text: string): { ip: string; prefix?: number } | null {
  const [address, prefix, extra] = text.trim().split('/');
  // Only plain addresses belong in lists: no ports, brackets or zones.
  if (extra !== undefined || isIP(address) === 0) return null;
  if (prefix === undefined) return { ip: normalizeIp(address) };
  if (!/^\d{1,3}$/.test(prefix)) return null;
  const bits = Number(prefix);
  return bits <= (isIPv4(address) ? 32 : 128) ? { ip: address.toLowerCase(), prefix: bits } : null;
}

/**
 * An IpList matches addresses against IPs and CIDR ranges; `*` matches every address.
 * Entries that are neither are ignored (settings validation reports them).
 */
export class IpList {
  private readonly blocks = new BlockList();
  private readonly any: boolean;
  /** Whether the list has no usable entry. */
  readonly empty: boolean;

  constructor(entries: readonly string[]) {
    let usable = 0;
    this.any = entries.some((e) => e.trim() === '*');
    for (const entry of entries) {
      const parsed = parseEntry(entry);
      if (!parsed) continue;
      usable++;
      const family = isIPv4(parsed.ip) ? 'ipv4' : 'ipv6';
      if (parsed.prefix === undefined) this.blocks.addAddress(parsed.ip, family);
      else this.blocks.addSubnet(parsed.ip, parsed.prefix, family);
    }
    this.empty = usable === 0 && !this.any;
  }

  /** Whether `ip` is in the list. */
  has(ip: string): boolean {
    if (this.any) return true;
    const normal = normalizeIp(ip);
    if (!normal) return false;
    return this.blocks.check(normal, isIPv4(normal) ? 'ipv4' : 'ipv6');
  }
}

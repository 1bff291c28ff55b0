/**
 * Which peers an outbound connection of Plinth may reach (docs/outbound.md §1):
 * public addresses over TLS, plus the ranges the operator allows with
 * `--outboundAllow`. Plain-text HTTP reaches only the allowed ranges. One policy
 * guards every outbound request: webhooks, `app.http.send`, OAuth2 avatar
 * downloads and broker connections.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { IpList } from './ip-list.js';
import { refusedAddressReason } from './outbound-address.js';

/** DNS resolution as `dns.lookup` does it with `all: true`. */
export type ResolveAll = (hostname: string, callback: (err: Error | null, addresses: LookupAddress[]) => void) => void;

const defaultResolve: ResolveAll = (hostname, callback) => dnsLookup(hostname, { all: true, verbatim: true }, callback);

/** A refused connection, address or target; its message says why. */
export class OutboundRefusal extends Error {
  override readonly name = 'OutboundRefusal';
}

/** The URL schemes a target may have, and whether each carries its payload in plain text. */
const TARGET_SCHEMES: Record<string, { plaintext: boolean; credentials: boolean }> = {
  'https:': { plaintext: false, credentials: false },
  'http:': { plaintext: true, credentials: false },
  // NOTE: brokers are judged by address only: a NATS server upgrades nats:// to TLS when it
  // requires it, so the scheme does not tell whether the link is plain (docs/outbound.md §2).
  'amqp:': { plaintext: false, credentials: true },
  'amqps:': { plaintext: false, credentials: true },
  'nats:': { plaintext: false, credentials: true },
};

/**
 * An OutboundPolicy decides whether a connection may reach an address. Without
 * allowed ranges it admits public addresses only, over TLS for HTTP.
 */
export class OutboundPolicy {
  private readonly allowed: IpList;
  private readonly lookups: Record<'plain' | 'tls', LookupFunction>;

  /**
   * `allow`: IPs and CIDR ranges (validated by the configuration) whose addresses are
   * allowed even when private, loopback or link-local. `resolve`: DNS, a seam for tests.
   */
  constructor(readonly allow: readonly string[] = [], readonly resolve: ResolveAll = defaultResolve) {
    this.allowed = new IpList(allow);
    this.lookups = { plain: this.guardedLookup(true), tls: this.guardedLookup(false) };
  }

  /** Whether any range is allowed: without one, plain http can never be sent. */
  get allowsPlaintext(): boolean {
    return !this.allowed.empty;
  }

  /**
   * Why a connection must not reach `address`, or null when it may. `plaintext`: the
   * connection would carry its payload unencrypted (http:), which only allowed ranges get.
   */
  refusedAddress(address: string, plaintext: boolean): string | null {
    if (this.allowed.has(address)) return null;
    const reason = refusedAddressReason(address);
    // SECURITY: http to a public address could be read and changed on the way; allowed ranges are the operator's own networks.
    if (reason === null && plaintext) return 'plain http to an address outside --outboundAllow (use https)';
    return reason;
  }

  /** A `lookup` for net/tls/http connects that refuses the host when any of its addresses is refused. */
  lookup(plaintext: boolean): LookupFunction {
    return plaintext ? this.lookups.plain : this.lookups.tls;
  }

  /** Why `hostname` (a name or an IP literal, IPv6 without brackets) must not be reached, or null. */
  async checkHost(hostname: string, plaintext: boolean): Promise<string | null> {
    if (isIP(hostname) !== 0) {
      const reason = this.refusedAddress(hostname, plaintext);
      return reason === null ? null : `${hostname}: ${reason}`;
    }
    let addresses: LookupAddress[];
    try {
      addresses = await new Promise<LookupAddress[]>((resolve, reject) => this.resolve(hostname, (err, all) => (err ? reject(err) : resolve(all))));
    } catch (err) {
      return `${hostname} does not resolve (${(err as { code?: string }).code ?? (err as Error).message})`;
    }
    if (addresses.length === 0) return `${hostname} has no address`;
    for (const a of addresses) {
      const reason = this.refusedAddress(a.address, plaintext);
      if (reason !== null) return `${hostname} resolves to ${a.address}: ${reason}`;
    }
    return null;
  }

  /**
   * Why a delivery target (`https://`, `http://`, `amqp://`, `amqps://`, `nats://`) must not
   * be saved, or null: the scheme, and every address its host resolves to now. The check
   * is repeated when the connection is made (DNS may change in between).
   */
  async checkTarget(raw: string): Promise<string | null> {
    if (!URL.canParse(raw)) return 'invalid URL';
    const url = new URL(raw);
    const scheme = TARGET_SCHEMES[url.protocol];
    if (!scheme) return `unsupported scheme ${url.protocol} (https, http, amqp, amqps or nats)`;
    if (!scheme.credentials && (url.username !== '' || url.password !== '')) return 'credentials in the URL are not allowed; send them as headers';
    if (scheme.plaintext && !this.allowsPlaintext) return 'plain http is refused; use https (or allow the range with --outboundAllow)';
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (host === '') return 'the URL names no host';
    return this.checkHost(host, scheme.plaintext);
  }

  private guardedLookup(plaintext: boolean): LookupFunction {
    return (hostname, options, callback) => {
      this.resolve(hostname, (err, addresses) => {
        if (err) return callback(err, '', 0);
        const refused = addresses.find((a) => this.refusedAddress(a.address, plaintext) !== null);
        if (refused || addresses.length === 0) {
          const reason = refused ? `${refused.address}: ${this.refusedAddress(refused.address, plaintext)}` : 'no address';
          return callback(new OutboundRefusal(`refused ${hostname} (${reason})`), '', 0);
        }
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        if (wanted.length === 0) return callback(new OutboundRefusal(`no IPv${options.family} address for ${hostname}`), '', 0);
        if (options.all) return (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, wanted);
        return callback(null, wanted[0]!.address, wanted[0]!.family);
      });
    };
  }
}

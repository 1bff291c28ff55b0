/**
 * The save-time check of a webhook's http(s) URL (docs/webhooks.md §3): every address its
 * host resolves to must be one the node's outbound policy lets it reach. The same check runs
 * again when a delivery connects (OutboundHttp), so a DNS answer that changes later is caught.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { TargetCheck } from '../core/webhooks/webhook-validate.js';
import { isLoopbackAddress, refusedAddressReason } from '../tools/outbound-address.js';

/**
 * A TargetCheck for the node's policy: https to public addresses only, plus plain http and
 * loopback when the node was built with a test guard (PlinthOptions.outbound; never
 * reachable by configuration), as OutboundHttp itself allows.
 */
export function createTargetCheck(loopbackAllowed: boolean): TargetCheck {
  const reasonFor = (address: string): string | null => {
    if (loopbackAllowed && isLoopbackAddress(address)) return null;
    const reason = refusedAddressReason(address);
    return reason === null ? null : `${address} is ${reason}`;
  };
  return async (url) => {
    if (url.protocol === 'http:' && !loopbackAllowed) return 'plain http is refused; use https';
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (isIP(host) !== 0) return reasonFor(host);
    let addresses: { address: string }[];
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      return `${host} does not resolve`;
    }
    for (const a of addresses) {
      const reason = reasonFor(a.address);
      if (reason !== null) return reason;
    }
    return addresses.length === 0 ? `${host} does not resolve` : null;
  };
}

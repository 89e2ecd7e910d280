import { BlockList, isIP } from 'node:net';
import type { EdgePolicy } from './edge-policy.js';

/** "::ffff:127.0.0.1" → "127.0.0.1": an IPv4 peer on a dual-stack socket is matched as IPv4. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** The addresses and CIDR blocks of `[gateway] trusted_proxies`. */
export function proxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return list;
}

function isTrusted(proxies: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && proxies.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The client's address. X-Forwarded-For is believed only when the peer is a
 * trusted proxy, and then read from the right, past every trusted hop: the
 * first untrusted address is the client (anything left of it the client may
 * have written itself). Anyone else's X-Forwarded-For is ignored.
 */
export function clientAddress(peer: string, forwardedFor: string | string[] | undefined, proxies: BlockList): string {
  let address = plainAddress(peer);
  if (forwardedFor === undefined || !isTrusted(proxies, address)) return address;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map((hop) => plainAddress(hop.trim()));
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = hops[index]!;
    if (isIP(hop) === 0) break; // garbage: stop at the last address a trusted hop vouched for
    address = hop;
    if (!isTrusted(proxies, hop)) break;
  }
  return address;
}

export function clientIpPolicy(trustedProxies: readonly string[]): EdgePolicy {
  const proxies = proxyList(trustedProxies);
  return {
    apply: (request) => {
      const { request: http } = request.exchange;
      request.clientIp = clientAddress(http.socket.remoteAddress ?? '', http.headers['x-forwarded-for'], proxies);
    },
  };
}

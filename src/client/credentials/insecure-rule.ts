// Credentials travel only where nobody else can read them.
import { isIP } from 'node:net';

export interface CredentialChannel {
  /** The channel to this endpoint is TLS. */
  readonly secure: boolean;
  /** host:port of the endpoint. */
  readonly address: string;
  /** allow_insecure_credentials / allowInsecureCredentials: the user accepts plaintext. */
  readonly allowInsecure: boolean;
}

/**
 * Why credentials must not be sent on this channel, or undefined when they
 * may: over TLS, to a loopback address (it never leaves the machine), or
 * when the user allowed plaintext explicitly.
 */
export function insecureCredentialsProblem(channel: CredentialChannel): string | undefined {
  if (channel.secure || channel.allowInsecure || isLoopbackAddress(channel.address)) return undefined;
  return `refusing to send credentials in plaintext to ${channel.address}: configure TLS for this target, or set allow_insecure_credentials: true in its [dependencies] entry (allowInsecureCredentials in client options) if the network is trusted`;
}

/** localhost, 127.0.0.0/8, ::1 (bracketed or not), and IPv4-mapped 127.x. */
export function isLoopbackAddress(address: string): boolean {
  const host = hostOf(address).toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1' || host.startsWith('::ffff:127.');
  return false;
}

function hostOf(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) return bracketed[1]!;
  const colons = address.split(':').length - 1;
  if (colons === 1) return address.slice(0, address.lastIndexOf(':'));
  return address; // a bare IPv6 address or a host without a port
}

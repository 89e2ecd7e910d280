import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { isWildcardHost } from '../discovery/keys.js';
import { ServerStartError } from './start-errors.js';

export interface AdvertiseInput {
  readonly bindHost: string;
  /** TuskServerOptions.advertiseHost, else TUSK_ADVERTISE_HOST or the descriptor's advertise_host; null when none. */
  readonly chosen: string | null;
  /** True when an instance is registered in etcd, where other machines read it. */
  readonly sharedRegistry: boolean;
  readonly interfaces?: NodeJS.Dict<NetworkInterfaceInfo[]>;
}

function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/** The first non-internal interface address, IPv4 before IPv6 (link-local IPv6 needs a zone, so it never qualifies). */
export function firstExternalAddress(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string | undefined {
  const addresses = Object.values(interfaces).flatMap((list) => list ?? []).filter((info) => !info.internal);
  return addresses.find((info) => info.family === 'IPv4')?.address ?? addresses.find((info) => info.family === 'IPv6' && !info.address.startsWith('fe80:'))?.address;
}

/**
 * The host written to the registry. An explicit choice wins; a server bound
 * to one address advertises it; a wildcard-bound server advertises, in etcd,
 * the first non-internal interface address (other machines must reach it),
 * and 127.0.0.1 in the machine-local registries. Loopback never goes into
 * etcd unless the server is bound to loopback itself.
 */
export function chooseAdvertiseHost({ bindHost, chosen, sharedRegistry, interfaces }: AdvertiseInput): string {
  const boundToLoopback = isLoopbackHost(bindHost);
  if (chosen !== null) {
    if (sharedRegistry && isLoopbackHost(chosen) && !boundToLoopback) {
      throw new ServerStartError(`refusing to register loopback address ${chosen} in etcd for a server bound to ${bindHost}: other machines cannot reach it; set TUSK_ADVERTISE_HOST to this machine's address`);
    }
    return chosen;
  }
  if (!isWildcardHost(bindHost)) return bindHost;
  if (!sharedRegistry) return '127.0.0.1';
  const external = firstExternalAddress(interfaces);
  if (external === undefined) {
    throw new ServerStartError(`no address to register in etcd: the server binds ${bindHost || 'every interface'} and this machine has no non-internal network interface; set TUSK_ADVERTISE_HOST`);
  }
  return external;
}

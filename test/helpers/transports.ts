// Issue 12: the hardening tests run on both transports, grpc-js' and tusk's lean one on node:http2. Each test file
// loops over TRANSPORTS and selects one through the same descriptor keys users set.
import type { RawDescriptor, RawValue } from '../../src/config/types.js';

export const TRANSPORTS = ['grpc-js', 'http2'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

/** `config` with `[server] transport` set to `transport`, its other [server] keys kept. */
export function onServerTransport(transport: TransportName, config: RawDescriptor = {}): RawDescriptor {
  return { ...config, server: { ...((config.server ?? {}) as Record<string, RawValue>), transport } };
}

/** `config` with `[client] transport` set to `transport`, its other [client] keys kept. */
export function onClientTransport(transport: TransportName, config: RawDescriptor = {}): RawDescriptor {
  return { ...config, client: { ...((config.client ?? {}) as Record<string, RawValue>), transport } };
}

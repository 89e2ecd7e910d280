// The etcd layout shared with etcd's own Go gRPC naming resolver (DESIGN.md
// "Discovery in etcd", a contract): key `<prefix>/<service>/<host:port>`,
// value `{"Op":0,"Addr":"host:port","Metadata":{...}}`.
import type { Endpoint, Registration } from './types.js';

/** grpc-go naming's `endpoints.Add`; `Delete` (1) is expressed by deleting the key instead. */
export const ENDPOINT_OP_ADD = 0;

/** The contract value, exactly in this JSON shape. */
export interface EndpointValue {
  readonly Op: typeof ENDPOINT_OP_ADD;
  readonly Addr: string;
  readonly Metadata: Readonly<Record<string, unknown>>;
}

/** `<prefix>/<service>/`, with the trailing slash so "a.Svc" never matches "a.SvcV2". */
export function serviceKeyPrefix(prefix: string, service: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  return trimmed === '' ? `${service}/` : `${trimmed}/${service}/`;
}

export function instanceKey(prefix: string, service: string, address: string): string {
  return serviceKeyPrefix(prefix, service) + address;
}

export function encodeEndpointValue(registration: Pick<Registration, 'address' | 'metadata'>): string {
  const value: EndpointValue = { Op: ENDPOINT_OP_ADD, Addr: registration.address, Metadata: registration.metadata };
  return JSON.stringify(value);
}

/** The endpoint a stored value describes, or null when it is not the contract shape. */
export function decodeEndpointValue(text: string): Endpoint | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isPlainObject(parsed)) return null;
  const { Op, Addr, Metadata } = parsed;
  if (Op !== ENDPOINT_OP_ADD || typeof Addr !== 'string' || Addr === '') return null;
  // Go writers may leave Metadata out (nil); anything but an object carries nothing we can read.
  const metadata = isPlainObject(Metadata) ? Metadata : {};
  return { address: Addr, metadata };
}

/** Bind hosts meaning "every interface": fine to listen on, never an address a peer can dial. */
const WILDCARD_HOSTS: ReadonlySet<string> = new Set(['0.0.0.0', '::', '[::]', '']);

/**
 * True for a wildcard bind host ("0.0.0.0", "::", "[::]", or empty). The one
 * definition config (advertise_host check), the server (advertise-host choice)
 * and the registries share; this module imports nothing at run time, so any
 * layer may use it without a cycle.
 */
export function isWildcardHost(host: string): boolean {
  return WILDCARD_HOSTS.has(host);
}

/**
 * Rejects addresses no peer could dial: the registry must never advertise a
 * wildcard bind address such as 0.0.0.0 or [::].
 */
export function assertAdvertisableAddress(address: string): void {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address);
  if (!match) throw new Error(`registry address must be "host:port", got "${address}"`);
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (isWildcardHost(host)) {
    throw new Error(`registry address "${address}" is a wildcard; advertise a reachable host (TUSK_ADVERTISE_HOST)`);
  }
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
    throw new Error(`registry address "${address}" has an invalid port`);
  }
}

/** A stable order so that listeners can compare lists cheaply. */
export function sortEndpoints(endpoints: Iterable<Endpoint>): Endpoint[] {
  return [...endpoints].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

/** True when both lists name the same addresses with the same metadata. */
export function sameEndpoints(a: readonly Endpoint[], b: readonly Endpoint[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

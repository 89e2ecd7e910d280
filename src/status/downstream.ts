import type { TuskError } from './tusk-error.js';

/**
 * The errors a tusk client received from a downstream call, with the
 * endpoint address it called. A server that passes such an error on sends it
 * without that address (see src/server/outward-message.ts).
 */
const downstreamAddresses = new WeakMap<TuskError, string>();

export function markDownstream<E extends TuskError>(error: E, address: string): E {
  downstreamAddresses.set(error, address);
  return error;
}

export function downstreamAddressOf(error: TuskError): string | undefined {
  return downstreamAddresses.get(error);
}

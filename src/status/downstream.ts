import type { TuskError } from './tusk-error.js';

/**
 * The errors a tusk client received from a downstream call, with the
 * endpoint address it called. A server that passes such an error on sends it
 * without that address (see src/server/outward-message.ts).
 */
const downstreamAddresses = new WeakMap<TuskError, string>();

/** Errors a tusk client call rejected with that came from no wire (no endpoint, every circuit open, ...). */
const fromClientCalls = new WeakSet<TuskError>();

/** Errors whose status says the server only relayed them: its own caller must not count them against it. */
const relayedByServer = new WeakSet<TuskError>();

/**
 * Trailer a TuskServer adds to a status it passes on from one of its own
 * client calls. A tusk client then knows the failure is not the answering
 * endpoint's: its breaker ignores it, so a dependency's outage never opens
 * the circuits of the healthy instances in front of it.
 */
export const RELAYED_TRAILER = 'tusk-relayed';

export function markDownstream<E extends TuskError>(error: E, address: string): E {
  downstreamAddresses.set(error, address);
  return error;
}

export function downstreamAddressOf(error: TuskError): string | undefined {
  return downstreamAddresses.get(error);
}

export function markFromClientCall<E extends TuskError>(error: E): E {
  fromClientCalls.add(error);
  return error;
}

/** A handler rethrowing this error passes on what one of its own client calls got. */
export function cameFromClientCall(error: TuskError): boolean {
  return downstreamAddresses.has(error) || fromClientCalls.has(error);
}

export function markRelayed<E extends TuskError>(error: E): E {
  relayedByServer.add(error);
  return error;
}

export function wasRelayed(error: TuskError): boolean {
  return relayedByServer.has(error);
}

import { NotSentError } from '../resilience/failure.js';
import { downstreamAddressOf } from '../status/downstream.js';
import type { TuskError } from '../status/tusk-error.js';

/** grpc-js' per-call diagnostics, appended to its own messages: ",LB pick: 0.001s,remote_addr=10.0.0.7:5000". */
const GRPC_DIAGNOSTICS = /,\s*(?:LB pick|remote_addr|local_addr|name resolution|metadata filters|call started)\b[^,]*/g;
/** IPv4 or bracketed IPv6 literals, with grpc-js' "ipv4:"/"ipv6:" peer prefix and a port when present. */
const IP_ADDRESS = /(?:ipv[46]:)?(?:\b(?:\d{1,3}\.){3}\d{1,3}\b|\[[0-9A-Fa-f:.%]+\])(?::\d{1,5}\b)?/g;
/** host:port, as our transport and breakers name endpoints; only used on their own messages. */
const HOST_PORT = /\b[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*:\d{1,5}\b/g;

const PLACEHOLDER = '[address]';

/**
 * The message a server sends for a TuskError its handler threw. The rule:
 * an error a tusk client received from a downstream call (or a failure of the
 * client's own transport, NotSentError) is passed on with its code, details
 * and message, minus the transport's internals: grpc-js' diagnostics and
 * every network address of the downstream hop. A handler's own TuskError
 * goes out as written.
 */
export function outwardMessage(error: TuskError): string {
  if (error instanceof NotSentError) return withoutAddresses(error.message).replace(HOST_PORT, PLACEHOLDER);
  const address = downstreamAddressOf(error);
  if (address === undefined) return error.message;
  return withoutAddresses(error.message).split(address).join(PLACEHOLDER);
}

function withoutAddresses(message: string): string {
  return message.replace(GRPC_DIAGNOSTICS, '').replace(IP_ADDRESS, PLACEHOLDER);
}

import type { Transport } from '../../client/transport.js';

/**
 * Whether nobody on the network can read this transport's calls: a grpc-js
 * transport built with TLS credentials, or the in-memory one, says so; an
 * injected transport that does not set `secure` is treated as plaintext.
 * Credentials (tokens, keys) go to non-loopback addresses only when this is true.
 */
export const transportIsSecure = (transport: Transport): boolean => transport.secure === true;

import type { Transport } from '../../client/transport.js';

/**
 * Whether calls on this transport travel over TLS: a grpc-js transport built
 * with TLS credentials says so; any other (in-memory, injected) is treated as
 * plaintext. Credentials (tokens, keys) must not be sent when this is false.
 */
export const transportIsSecure = (transport: Transport): boolean => transport.secure === true;

export { createInMemoryTransport, type InMemoryTransportOptions } from './in-memory-transport.js';

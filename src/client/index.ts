export type { CallOptions } from './call-options.js';
export type { ClientOptions } from './client-options.js';
export { createClient } from './create-client.js';

// The lean client transport on node:http2 ([client] transport = "http2").
export { Http2ClientTransport, type Http2ClientOptions } from './http2-transport.js';
export type { ConnectionState } from './connection.js';
export type { LeanClientTls } from './lean-client-tls.js';

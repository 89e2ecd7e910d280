export type { CallOptions } from './call-options.js';
export type { ClientCaller, ClientOptions } from './client-options.js';
export type { ClientInterceptor, ClientNext, ClientRequest, ClientResponse } from './interceptors.js';
export { createClient, closeClient, clientEndpoints, type TuskClient } from './create-client.js';
export type { Transport, TransportCallOptions, TransportFactory } from './transport.js';
export { TransportPool, sharedTransportPool } from './transport-pool.js';
export { setClientTraceHook, type ClientTraceHook, type ClientCallTrace, type ClientCallInfo } from './trace-hook.js';
export { setClientStateObserver, type ClientStateObserver } from './client-observer.js';
export { insecureCredentialsProblem, type ClientCredentials, type Credential, type CredentialChannel } from './credentials/index.js';

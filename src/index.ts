// The public API of 'tusk-grpc': what generated code and service authors import.
export * from './status/index.js';
export * from './tsk/index.js';
export * from './config/index.js';
export * from './server/index.js';
export * from './security/auth/index.js';
export * from './client/index.js';
export * from './discovery/index.js';
export * from './balancer/index.js';
export * from './resilience/index.js';
export * from './overload/index.js';
export * from './telemetry/index.js';
export * from './testing/index.js';
export * from './security/tls/index.js';
export * from './events/index.js';
export * from './sagas/index.js';
export * from './gateway/index.js';

export type { CallContext, CallMetadata, TraceContext } from './call-context.js';
export { ServiceBase } from './service-base.js';
export { TuskServer } from './tusk-server.js';
export type { TuskServerOptions } from './server-options.js';
export type { ServerAuthHook, ServerCallHook, ServerCallInfo, ServerCallOutcome } from './server-hooks.js';
export { ERROR_DETAILS_TRAILER } from './handler-errors.js';

export type { CallContext, CallMetadata, TraceContext } from './call-context.js';
export { ServiceBase, useEventBroker } from './service-base.js';
export { TuskServer } from './tusk-server.js';
export type { TuskServerOptions } from './server-options.js';
export { onStreamEnd, type ServerMiddleware, type ServerNext, type ServerRequest, type ServerResponse } from './middleware.js';
export type { ServerAuthHook, ServerCallHook, ServerCallInfo, ServerCallOutcome } from './server-hooks.js';
export { ERROR_DETAILS_TRAILER } from './handler-errors.js';

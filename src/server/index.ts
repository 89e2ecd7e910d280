export type { CallContext, CallMetadata, TraceContext } from './call-context.js';
export { ServiceBase } from './service-base.js';

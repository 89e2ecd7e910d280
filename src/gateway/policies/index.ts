// The gateway's edge policies (issue 13): CORS, client address, auth, rate limits, composed by EdgePipeline.
export { EdgePipeline, type EdgePipelineOptions } from './edge-pipeline.js';
export type { EdgePolicy, EdgeRequest } from './edge-policy.js';
export { clientAddress, proxyList } from './client-ip.js';
export { rateLimitKey } from './rate-limit.js';
export { redactedUrl, type RedisStoreOptions } from './rate-limit-store.js';

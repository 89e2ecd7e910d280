// The HTTP edge: REST transcoding (google.api.http), Connect and gRPC-Web in front of tusk services.
export { TuskGateway, type TuskGatewayOptions } from './tusk-gateway.js';
export { GatewayDefinitionError, readGatewayService, type GatewayService, type HttpBinding } from './http-rules.js';
export { httpStatusOf } from './http-errors.js';
export { parsePathTemplate, matchPathTemplate, type PathTemplate } from './path-template.js';
export {
  loadGatewayConfig, GatewayConfigError, type GatewaySettings, type EdgePolicySettings, type CorsSettings, type RateLimitSettings, type LimitSettings, type MethodEdgeSettings,
} from './gateway-config.js';
export type { RedisStoreOptions } from './policies/index.js';
export { openApiDocument } from './openapi.js';

export type { Endpoint, Registration, RegistrationHandle, EndpointsListener, Registry } from './types.js';
export { createRegistry, DEFAULT_LOCAL_REGISTRY_DIR, DEFAULT_REGISTRY_TTL_MS, type CreateRegistryOptions } from './create-registry.js';
export { EtcdRegistry, type EtcdRegistryOptions } from './etcd-registry.js';
export { EtcdUnreachableError } from './etcd-errors.js';
export { LocalRegistry, type LocalRegistryOptions } from './local-registry.js';
export { StaticRegistry } from './static-registry.js';
export {
  assertAdvertisableAddress,
  decodeEndpointValue,
  encodeEndpointValue,
  ENDPOINT_OP_ADD,
  instanceKey,
  isWildcardHost,
  serviceKeyPrefix,
  type EndpointValue,
} from './keys.js';

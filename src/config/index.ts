export type * from './types.js';
export { defineService, definedServiceDescriptors, type MethodKind, type MethodDescriptor, type ServiceDescriptor } from './service-definition.js';

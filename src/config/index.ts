export type * from './types.js';
export { defineService, definedServiceDescriptors, type MethodKind, type MethodDescriptor, type ServiceDescriptor } from './service-definition.js';
export { parseDuration, formatDuration } from './durations.js';
export { didYouMean, editDistance } from './did-you-mean.js';
export { DESCRIPTOR_SCHEMA, LOG_LEVELS } from './schema.js';
export type { KeySpec, LeafSpec, BlockSpec, MapSpec, SectionSpec, ScalarType } from './schema-types.js';
export { formatIssue, type DescriptorIssue } from './issues.js';
export { validateDescriptorDocument, type ProtoFileInfo, type DescriptorValidation, type ValidateDescriptorOptions } from './validate-document.js';

// A plain grpc-js service definition for a generated descriptor, for the
// tests' bare grpc-js peers (servers that speak a contract by hand, raw
// clients): one mapping instead of a copy in each peer.
import type * as grpc from '@grpc/grpc-js';
import type { ServiceDescriptor } from '../../src/config/service-definition.js';
import { toBuffer } from '../../src/status/bytes.js';

/** Keyed by proto method name ("Echo"), or by the generated localName ("echo") for client constructors. */
export function grpcDefinition(descriptor: ServiceDescriptor, keyedBy: 'name' | 'localName' = 'name'): grpc.ServiceDefinition {
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const method of Object.values(descriptor.methods)) {
    definition[method[keyedBy]] = {
      path: method.path,
      requestStream: method.kind === 'client_streaming' || method.kind === 'bidi_streaming',
      responseStream: method.kind === 'server_streaming' || method.kind === 'bidi_streaming',
      requestSerialize: (message: unknown) => toBuffer(method.serializeRequest(message)),
      requestDeserialize: (bytes: Buffer) => method.deserializeRequest(bytes),
      responseSerialize: (message: unknown) => toBuffer(method.serializeResponse(message)),
      responseDeserialize: (bytes: Buffer) => method.deserializeResponse(bytes),
    };
  }
  return definition;
}

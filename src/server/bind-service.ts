import type { ServiceDefinition, UntypedHandleCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { MethodDescriptor } from '../config/service-definition.js';
import type { Logger } from '../telemetry/logger-types.js';
import type { ActiveCalls } from './active-calls.js';
import { bufferCodec, toBuffer } from './codec.js';
import { handleBidiStreaming, type BidiStreamingMethod } from './handle-bidi-streaming.js';
import { handleClientStreaming, type ClientStreamingMethod } from './handle-client-streaming.js';
import { handleServerStreaming, type ServerStreamingMethod } from './handle-server-streaming.js';
import { handleUnary, type UnaryMethod } from './handle-unary.js';
import type { HandlerEnv } from './handler-env.js';
import { withMiddleware, type AnyHandler, type ServerMiddleware } from './middleware.js';
import type { ServiceBase } from './service-base.js';

export interface BoundService {
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

function adapt(env: HandlerEnv, method: MethodDescriptor, handler: (...args: any[]) => any): UntypedHandleCall {
  switch (method.kind) {
    case 'unary':
      return handleUnary(env, handler as UnaryMethod);
    case 'server_streaming':
      return handleServerStreaming(env, handler as ServerStreamingMethod);
    case 'client_streaming':
      return handleClientStreaming(env, handler as ClientStreamingMethod);
    case 'bidi_streaming':
      return handleBidiStreaming(env, handler as BidiStreamingMethod);
  }
}

/**
 * The instance's method for one RPC, bound to it and wrapped in the
 * middleware; without middleware the handler itself (no cost).
 */
export function boundHandler(service: ServiceBase, method: MethodDescriptor, middleware: readonly ServerMiddleware[]): AnyHandler {
  const handler: unknown = (service as unknown as Record<string, unknown>)[method.localName];
  if (typeof handler !== 'function') {
    throw new TypeError(`tusk-grpc: ${service.descriptor.name} has no method ${method.localName}() for RPC ${method.name}`);
  }
  const bound = (handler as AnyHandler).bind(service);
  return middleware.length === 0 ? bound : withMiddleware(method.kind, bound, middleware);
}

/**
 * The grpc-js service definition and implementation for one service instance:
 * every RPC of its descriptor mapped onto the instance method of the same
 * localName, through the adapter for its kind.
 */
export function bindService(service: ServiceBase, logger: Logger, activeCalls: ActiveCalls, middleware: readonly ServerMiddleware[] = []): BoundService {
  const descriptor = service.descriptor;
  const definition: Record<string, ServiceDefinition[string]> = {};
  const implementation: UntypedServiceImplementation = {};
  for (const method of Object.values(descriptor.methods)) {
    const codec = bufferCodec(method);
    definition[method.localName] = {
      path: method.path,
      requestStream: method.kind === 'client_streaming' || method.kind === 'bidi_streaming',
      responseStream: method.kind === 'server_streaming' || method.kind === 'bidi_streaming',
      requestSerialize: (message: unknown) => toBuffer(method.serializeRequest(message)),
      requestDeserialize: codec.deserialize,
      responseSerialize: codec.serialize,
      responseDeserialize: (bytes: Buffer) => method.deserializeResponse(bytes),
      originalName: method.name,
    };
    const env: HandlerEnv = { service: descriptor.name, method: method.name, logger, activeCalls };
    implementation[method.localName] = adapt(env, method, boundHandler(service, method, middleware));
  }
  return { definition, implementation };
}

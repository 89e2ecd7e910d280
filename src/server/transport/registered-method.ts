import type { ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { UNARY_ADAPTER, type UnaryAdapter } from '../handle-unary.js';

export type MethodType = 'unary' | 'clientStream' | 'serverStream' | 'bidi';

/** One RPC the lean transport serves: what grpc-js' Server keeps per path. */
export interface RegisteredMethod {
  readonly path: string;
  readonly type: MethodType;
  readonly func: (...args: any[]) => unknown;
  readonly serialize: (value: any) => Buffer;
  readonly deserialize: (bytes: Buffer) => any;
  /** A tusk unary handler's adapter, which takes the lean transport's own call object (transport/unary-surface.ts). */
  readonly unaryAdapter?: UnaryAdapter;
}

const methodType = (requestStream: boolean, responseStream: boolean): MethodType =>
  requestStream ? (responseStream ? 'bidi' : 'clientStream') : responseStream ? 'serverStream' : 'unary';

/**
 * The methods of a grpc-js service definition and implementation, as
 * Server.addService() reads them (an implementation may name a method by its
 * proto name instead); health and reflection add themselves this way too.
 */
export function registeredMethods(definition: ServiceDefinition, implementation: UntypedServiceImplementation): RegisteredMethod[] {
  const methods: RegisteredMethod[] = [];
  for (const [name, attrs] of Object.entries(definition)) {
    const func = implementation[name] ?? (typeof attrs.originalName === 'string' ? implementation[attrs.originalName] : undefined);
    if (typeof func !== 'function') throw new Error(`tusk-grpc: no implementation for ${attrs.path}`);
    methods.push({
      path: attrs.path,
      type: methodType(attrs.requestStream, attrs.responseStream),
      func: (func as (...args: any[]) => unknown).bind(implementation),
      serialize: attrs.responseSerialize as (value: any) => Buffer,
      deserialize: attrs.requestDeserialize as (bytes: Buffer) => any,
      ...(UNARY_ADAPTER in func ? { unaryAdapter: (func as { [UNARY_ADAPTER]: UnaryAdapter })[UNARY_ADAPTER] } : {}),
    });
  }
  return methods;
}

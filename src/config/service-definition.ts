import type { EventType } from '../events/types.js';
import type { RawDescriptor } from './types.js';

export type MethodKind = 'unary' | 'server_streaming' | 'client_streaming' | 'bidi_streaming';

/**
 * One RPC as the runtime sees it. Codecs are plain functions over bytes, so
 * neither the server adapters nor the client pipeline depend on a message
 * library or on grpc-js types.
 */
export interface MethodDescriptor<Req = any, Res = any> {
  /** Proto name, e.g. "GetUser". */
  readonly name: string;
  /** Name on the generated base and client, e.g. "getUser". */
  readonly localName: string;
  /** "/user.v1.UserService/GetUser" */
  readonly path: string;
  readonly kind: MethodKind;
  readonly serializeRequest: (message: Req) => Uint8Array;
  readonly deserializeRequest: (bytes: Uint8Array) => Req;
  readonly serializeResponse: (message: Res) => Uint8Array;
  readonly deserializeResponse: (bytes: Uint8Array) => Res;
}

/** What generated code hands the runtime for one service: `<Svc>Descriptor`. */
export interface ServiceDescriptor {
  /** Full proto name, e.g. "user.v1.UserService". */
  readonly name: string;
  /** Proto file relative to the buf module root, e.g. "user/v1/user.proto". */
  readonly protoFile: string;
  /** The .tsk beside it, relative like protoFile; null when the service uses defaults. */
  readonly descriptorFile: string | null;
  /**
   * Where that .tsk was when the code was generated (relative to the generated
   * file). When it exists at load time it is read instead of `config`.
   */
  readonly descriptorSource?: URL;
  /**
   * `import.meta.url` of the generated module that recorded descriptorSource.
   * Compiled to another folder (tsc's outDir) that URL points into it; the
   * .tsk is then looked for at the same path below each folder above the
   * module, up to the nearest one with a package.json.
   */
  readonly generatedModule?: string;
  /** Keyed by localName. */
  readonly methods: Readonly<Record<string, MethodDescriptor>>;
  /** The validated .tsk, with `@env` still deferred. */
  readonly config: RawDescriptor;
  /**
   * Base64 of a serialized google.protobuf.FileDescriptorSet holding the proto
   * file and its transitive imports; server reflection is built from it.
   */
  readonly fileDescriptorSet?: string;
  /** The events of `[events] publishes` and `[subscriptions]`, with their codecs; absent when the service declares none. */
  readonly events?: ServiceEventTypes;
}

/**
 * The message types a service's events carry, as generated. Groups and
 * delivery policies are not here: they come from the .tsk at load time
 * (ResolvedDescriptor.subscriptions), like method timeouts.
 */
export interface ServiceEventTypes {
  /** Keyed by full message name. */
  readonly publishes: Readonly<Record<string, EventType<any>>>;
  /** Keyed by handler method name (the `[subscriptions]` block name). */
  readonly subscriptions: Readonly<Record<string, EventType<any>>>;
}

const definedServices = new Map<string, ServiceDescriptor>();

/**
 * Called by generated modules at import time; records the descriptors this
 * process has loaded, for diagnostics. A client never picks a caller from this
 * list: the caller is explicit (`ClientOptions.caller`, `ServiceBase.clientOf`).
 */
export function defineService<D extends ServiceDescriptor>(descriptor: D): D {
  definedServices.set(descriptor.name, descriptor);
  return descriptor;
}

export function definedServiceDescriptors(): readonly ServiceDescriptor[] {
  return [...definedServices.values()];
}

import { toBuffer } from '../status/bytes.js';
import type { MethodDescriptor } from '../config/service-definition.js';

/**
 * What the wrapped request deserializer returns instead of throwing: grpc-js
 * answers a throwing deserializer with INTERNAL, but bytes the codec cannot
 * read are the caller's fault, so the adapters turn this into INVALID_ARGUMENT.
 */
export class MalformedRequest {
  constructor(readonly cause: unknown) {}
}

export interface BufferCodec {
  readonly serialize: (message: unknown) => Buffer;
  readonly deserialize: (bytes: Buffer) => unknown;
}

// grpc-js wants Buffers; the descriptor's codecs speak Uint8Array.
export { toBuffer };

export function bufferCodec(method: MethodDescriptor): BufferCodec {
  return {
    serialize: (message) => toBuffer(method.serializeResponse(message)),
    deserialize: (bytes) => {
      try {
        return method.deserializeRequest(bytes);
      } catch (error) {
        return new MalformedRequest(error);
      }
    },
  };
}

// grpc-js adapters shared by the transport's call kinds: metadata, errors, streams.
import * as grpc from '@grpc/grpc-js';
import { Code } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';

export const DETAILS_TRAILER = 'tusk-error-details-bin';

export function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function toGrpcMetadata(metadata: Readonly<Record<string, string>>): grpc.Metadata {
  const result = new grpc.Metadata();
  for (const key in metadata) {
    const value = metadata[key]!;
    if (key.endsWith('-bin')) result.set(key, Buffer.from(value, 'base64'));
    else result.set(key, value);
  }
  return result;
}

/** A grpc-js failure as the TuskError the caller sees: the server's code, message and JSON details. */
export function grpcError(error: unknown): TuskError {
  if (error instanceof TuskError) return error;
  const failure = error as Partial<grpc.ServiceError>;
  if (typeof failure?.code !== 'number') return new TuskError(Code.UNKNOWN, error instanceof Error ? error.message : String(error));
  let details: unknown;
  const raw = failure.metadata?.get(DETAILS_TRAILER)[0];
  if (raw !== undefined) {
    try {
      details = JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : raw);
    } catch {
      details = undefined; // malformed details never hide the status itself
    }
  }
  return new TuskError(failure.code as number as Code, failure.details ?? failure.message ?? '', details);
}

export async function* readResponses(call: AsyncIterable<unknown>): AsyncIterable<Uint8Array> {
  try {
    for await (const message of call) yield message as Uint8Array;
  } catch (error) {
    throw grpcError(error);
  }
}

/** Writes every request with backpressure, then half-closes; stops quietly when the call ended first. */
export async function pumpRequests(call: grpc.ClientWritableStream<Uint8Array> | grpc.ClientDuplexStream<Uint8Array, unknown>, requests: AsyncIterable<Uint8Array>): Promise<void> {
  let finished = false;
  const ended = new Promise<void>((resolve) => {
    call.once('status', () => {
      finished = true;
      resolve();
    });
  });
  for await (const request of requests) {
    if (finished) return;
    if (!call.write(request)) {
      await Promise.race([new Promise<void>((resolve) => call.once('drain', () => resolve())), ended]);
      if (finished) return; // the call ended while we waited: do not read another request
    }
  }
  if (!finished) call.end();
}

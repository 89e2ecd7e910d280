// grpc-js adapters shared by the transport's call kinds: metadata, errors, streams.
import * as grpc from '@grpc/grpc-js';
import { Code } from '../status/codes.js';
import { metadataToRecord } from '../server/create-call-context.js';
import { markDownstream } from '../status/downstream.js';
import { STATUS_DETAILS_TRAILER } from '../status/status-details.js';
import { TuskError, messageOf } from '../status/tusk-error.js';
import type { TransportCallOptions } from './transport.js';
import { notProcessedError } from './not-processed.js';
import { PUSHBACK_TRAILER, RELAYED_TRAILER, receivedError } from './received-error.js';

export { toBuffer } from '../status/bytes.js';

export function toGrpcMetadata(metadata: Readonly<Record<string, string>>): grpc.Metadata {
  const result = new grpc.Metadata();
  for (const key in metadata) {
    const value = metadata[key]!;
    if (key.endsWith('-bin')) result.set(key, Buffer.from(value, 'base64'));
    else result.set(key, value);
  }
  return result;
}

/** Hands a call's response headers and trailers, as text records, and its end to whoever asked for them. */
export function reportMetadata(call: Pick<grpc.ClientUnaryCall, 'on'>, { onHeader, onTrailer, onEnd }: Pick<TransportCallOptions, 'onHeader' | 'onTrailer' | 'onEnd'>, address: string): void {
  if (onHeader !== undefined) call.on('metadata', (metadata: grpc.Metadata) => onHeader(metadataToRecord(metadata)));
  if (onTrailer === undefined && onEnd === undefined) return;
  call.on('status', (status: grpc.StatusObject) => {
    onTrailer?.(metadataToRecord(status.metadata));
    onEnd?.(status.code === grpc.status.OK ? undefined : grpcError(status, address));
  });
}

/**
 * A grpc-js failure as the TuskError the caller sees: the server's code,
 * message and the details of its google.rpc.Status, marked as received from
 * `address` (a server passing it on leaves that address out).
 */
export function grpcError(error: unknown, address: string): TuskError {
  if (error instanceof TuskError) return error;
  const failure = error as Partial<grpc.ServiceError>;
  if (typeof failure?.code !== 'number') return markDownstream(new TuskError(Code.UNKNOWN, messageOf(error)), address);
  // A call the server provably never processed may be retried for any method (README "Retries").
  const notProcessed = notProcessedError({ code: failure.code, details: failure.details ?? '' });
  if (notProcessed !== undefined) return markDownstream(notProcessed, address);
  const raw = failure.metadata?.get(STATUS_DETAILS_TRAILER)[0];
  const pushback = failure.metadata?.get(PUSHBACK_TRAILER)[0];
  return receivedError({
    code: failure.code,
    message: failure.details ?? failure.message ?? '',
    detailsBytes: Buffer.isBuffer(raw) ? raw : undefined,
    pushback: typeof pushback === 'string' ? pushback : undefined,
    relayed: (failure.metadata?.get(RELAYED_TRAILER).length ?? 0) > 0,
  }, address);
}

export async function* readResponses(call: AsyncIterable<unknown>, address: string): AsyncIterable<Uint8Array> {
  try {
    for await (const message of call) yield message as Uint8Array;
  } catch (error) {
    throw grpcError(error, address);
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

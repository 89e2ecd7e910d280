import type { Readable, Writable } from 'node:stream';
import { malformedRequestError } from './handler-errors.js';
import { MalformedRequest } from './codec.js';

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Resolves on 'drain'; rejects when the call aborts or the stream closes first. */
function drained(stream: Writable, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      stream.removeListener('drain', onDrain);
      stream.removeListener('close', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(signal.aborted ? signal.reason : new Error('response stream closed'));
    };
    const onAbort = () => {
      cleanup();
      reject(signal.reason);
    };
    stream.on('drain', onDrain);
    stream.on('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Writes a handler's responses with backpressure: when grpc-js' buffer is
 * full (write() returns false) the next item is pulled only after 'drain'.
 * On abort it stops pulling and asks the handler's iterator to return.
 * `beforeWrite` runs before every write (the adapters send the handler's headers on the first).
 */
export async function writeAll(stream: Writable, responses: AsyncIterable<unknown>, signal: AbortSignal, beforeWrite?: () => void): Promise<void> {
  const iterator = responses[Symbol.asyncIterator]();
  let exhausted = false;
  try {
    for (;;) {
      const next = await untilAborted(iterator.next(), signal);
      if (next.done) {
        exhausted = true;
        return;
      }
      beforeWrite?.();
      if (!stream.write(next.value)) await drained(stream, signal);
    }
  } finally {
    // Not awaited: an async generator stuck in an await finishes its return() only when it resumes.
    if (!exhausted) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

/**
 * The request stream as an async iterable. The handler may stop early without
 * destroying the duplex (its response side is still needed); a call that ends
 * underneath it surfaces as the signal's reason rather than a stream error.
 */
export async function* readAll(stream: Readable, signal: AbortSignal): AsyncGenerator<unknown, void, undefined> {
  try {
    for await (const message of stream.iterator({ destroyOnReturn: false })) {
      if (message instanceof MalformedRequest) throw malformedRequestError(message);
      yield message;
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw error;
  }
}

import type { Readable } from 'node:stream';
import { badRequest } from './http-errors.js';

/**
 * The 5-byte message prefix gRPC-Web and Connect's streaming protocol share:
 * one flags byte and a big-endian 32-bit length, then the message.
 */
export interface Frame {
  readonly flags: number;
  readonly data: Uint8Array;
}

/** gRPC-Web: the frame carries trailers, not a message. */
export const GRPC_WEB_TRAILER_FLAG = 0x80;
/** Connect: the frame is the end-of-stream JSON. */
export const CONNECT_END_STREAM_FLAG = 0x02;
/** Both: the message is compressed; the gateway accepts identity only. */
export const COMPRESSED_FLAG = 0x01;

export function encodeFrame(flags: number, data: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(5 + data.byteLength);
  frame[0] = flags;
  frame.writeUInt32BE(data.byteLength, 1);
  frame.set(data, 5);
  return frame;
}

/** Every frame of a request body; a cut-off frame is INVALID_ARGUMENT before any upstream call. */
export function decodeFrames(body: Uint8Array): Frame[] {
  const frames: Frame[] = [];
  const view = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  for (let offset = 0; offset < view.length; ) {
    if (view.length - offset < 5) throw badRequest('body', `the request ends inside a frame prefix (${view.length - offset} of 5 bytes)`);
    const length = view.readUInt32BE(offset + 1);
    if (view.length - offset - 5 < length) throw badRequest('body', `a frame says ${length} bytes but ${view.length - offset - 5} follow`);
    frames.push({ flags: view[offset]!, data: view.subarray(offset + 5, offset + 5 + length) });
    offset += 5 + length;
  }
  return frames;
}

/** The one request message of a unary or server-streaming call, from its frames. */
export function singleMessage(frames: readonly Frame[]): Uint8Array {
  const messages = frames.filter((frame) => (frame.flags & (GRPC_WEB_TRAILER_FLAG | CONNECT_END_STREAM_FLAG)) === 0);
  if (messages.length !== 1) throw badRequest('body', `a unary or server-streaming call sends one message, not ${messages.length}`);
  return uncompressed(messages[0]!);
}

/** A message frame's bytes; a compressed one is INVALID_ARGUMENT (the gateway accepts identity only). */
export function uncompressed(frame: Frame): Uint8Array {
  if ((frame.flags & COMPRESSED_FLAG) !== 0) throw badRequest('body', 'compressed messages are not accepted: send them uncompressed (identity)');
  return frame.data;
}

/**
 * The request's frames as they arrive, for client streams: the body is read
 * chunk by chunk (the socket is paused while the upstream catches up), a
 * frame is yielded once whole, and the body as a whole stays within `maxBytes`
 * (413). A cut-off last frame is INVALID_ARGUMENT. The request is not destroyed
 * when the reader stops early, so an answer can still go out on its socket.
 */
export async function* streamFrames(request: Readable, maxBytes: number, tooLarge: () => Error): AsyncGenerator<Frame> {
  let pending: Buffer = Buffer.alloc(0);
  let size = 0;
  for await (const chunk of request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 5) {
      const length = pending.readUInt32BE(1);
      if (length > maxBytes) throw tooLarge();
      if (pending.length < 5 + length) break;
      yield { flags: pending[0]!, data: pending.subarray(5, 5 + length) };
      pending = pending.subarray(5 + length);
    }
  }
  if (pending.length > 0) {
    throw pending.length < 5
      ? badRequest('body', `the request ends inside a frame prefix (${pending.length} of 5 bytes)`)
      : badRequest('body', `a frame says ${pending.readUInt32BE(1)} bytes but ${pending.length - 5} follow`);
  }
}

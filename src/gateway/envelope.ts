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
  if ((messages[0]!.flags & COMPRESSED_FLAG) !== 0) throw badRequest('body', 'compressed messages are not accepted: send them uncompressed (identity)');
  return messages[0]!.data;
}

// The message encodings gRPC peers use: identity, gzip and deflate (zlib).
// Decompression is bounded by the receive limit, so a small compressed
// message cannot inflate into an unbounded buffer.
import { deflate, gunzip, gzip, inflate, type InputType, type ZlibOptions } from 'node:zlib';
import { promisify } from 'node:util';
import { Code } from '../status/codes.js';
import type { FrameFault } from './frame-decoder.js';

export type MessageEncoding = 'identity' | 'gzip' | 'deflate';

/** What this server sends as grpc-accept-encoding. */
export const ACCEPTED_ENCODINGS = 'identity,deflate,gzip';

type Zlib = (input: InputType, options: ZlibOptions) => Promise<Buffer>;
const decompressors: Record<'gzip' | 'deflate', Zlib> = { gzip: promisify(gunzip), deflate: promisify(inflate) };
const compressors: Record<'gzip' | 'deflate', Zlib> = { gzip: promisify(gzip), deflate: promisify(deflate) };

/** The grpc-encoding header's value, or undefined for one this server cannot read. */
export function parseEncoding(header: string | undefined): MessageEncoding | undefined {
  if (header === undefined || header === 'identity') return 'identity';
  if (header === 'gzip' || header === 'deflate') return header;
  return undefined;
}

/** Inflates a compressed message; a fault when it is corrupt or inflates past `maxBytes`. */
export async function decompress(encoding: 'gzip' | 'deflate', payload: Buffer, maxBytes: number): Promise<Buffer | FrameFault> {
  try {
    return await decompressors[encoding](payload, { maxOutputLength: Math.max(1, maxBytes) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      return { code: Code.RESOURCE_EXHAUSTED, details: `Received message that decompresses to a size larger than ${maxBytes}` };
    }
    return { code: Code.INTERNAL, details: `Failed to decompress a ${encoding} message` };
  }
}

export function compress(encoding: 'gzip' | 'deflate', payload: Uint8Array): Promise<Buffer> {
  return compressors[encoding](payload, {});
}

/**
 * The encoding for responses: the one the caller compressed its request with,
 * when it also says it accepts it (grpc-accept-encoding), else identity.
 */
export function responseEncoding(requestEncoding: MessageEncoding, acceptEncoding: string | undefined): MessageEncoding {
  if (requestEncoding === 'identity' || acceptEncoding === undefined) return 'identity';
  return acceptEncoding.split(',').some((name) => name.trim() === requestEncoding) ? requestEncoding : 'identity';
}

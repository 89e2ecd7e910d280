import type { IncomingMessage } from 'node:http';
import { Code } from '../status/codes.js';
import { GatewayFailure } from './http-errors.js';

/**
 * The whole request body, refused with 413 as soon as it passes `maxBytes`
 * (by Content-Length before reading, or while reading a chunked body), so an
 * oversized request costs no more than maxBytes of memory.
 */
export function bodyTooLarge(maxBytes: number): GatewayFailure {
  return new GatewayFailure(Code.RESOURCE_EXHAUSTED, `the request body is larger than max_body (${maxBytes} bytes)`, 413);
}

export async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => bodyTooLarge(maxBytes);
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    request.resume(); // drain what is sent, so the answer goes out on a healthy connection
    throw tooLarge();
  }
  // Plain listeners, not `for await`: leaving an async iterator destroys the request, and with it the socket the 413 goes out on.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      request.off('data', onData);
      request.resume(); // the rest is read and dropped
      reject(tooLarge());
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks, size)));
    request.once('error', reject);
    request.once('close', () => {
      if (!request.complete) reject(new GatewayFailure(Code.CANCELLED, 'the client went away before sending the whole body', 499));
    });
  });
}

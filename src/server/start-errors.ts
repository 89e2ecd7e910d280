import { createServer } from 'node:net';
import { OneLineError } from '../status/fatal.js';
import { messageOf } from '../status/tusk-error.js';

/** A server that cannot start: one line for whoever runs it (no grpc-js stack). */
export class ServerStartError extends OneLineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServerStartError';
  }
}

/** grpc-js reports a failed bind as "No address added ... errors: [listen EADDRINUSE: ...]"; say what it means. */
export function bindFailure(host: string, port: number, error: unknown): ServerStartError {
  const text = messageOf(error);
  if (/EADDRINUSE/.test(text)) return new ServerStartError(`port ${port} is already in use on ${host}`, { cause: error });
  if (/EACCES/.test(text)) return new ServerStartError(`no permission to listen on port ${port} of ${host}`, { cause: error });
  if (/EADDRNOTAVAIL/.test(text)) return new ServerStartError(`cannot listen on ${host}: no interface of this machine has that address`, { cause: error });
  return new ServerStartError(`cannot listen on ${host}:${port}: ${text}`, { cause: error });
}

/**
 * Fails with our one line before grpc-js tries a port that is taken or a host
 * this machine lacks:
 * grpc-js would print its own "E No address added ..." line to stderr first.
 * (bindFailure still covers the tiny race of someone taking it in between.)
 */
export function assertPortFree(host: string, port: number): Promise<void> {
  // Port 0 too: a host this machine does not have fails the same way (EADDRNOTAVAIL).
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => reject(bindFailure(host, port, error)));
    probe.listen({ host: host.replace(/^\[|\]$/g, ''), port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

import { inspect } from 'node:util';

/**
 * An error whose message is the whole story for whoever runs the process:
 * a bad descriptor value ("user.tsk:4:9: USER_PORT is not set"), a port in
 * use, an unreachable etcd. When nothing catches it, the process prints that
 * one line to stderr, with no stack, and exits 1 (see installOneLineFatal).
 */
export class OneLineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OneLineError';
  }
}

export function isOneLineError(error: unknown): error is OneLineError {
  return error instanceof OneLineError;
}

let installed = false;

/**
 * Makes an uncaught OneLineError (thrown, or a rejected top-level await)
 * end the process with its message and exit code 1. Other uncaught errors
 * keep Node's own behaviour: printed in full, exit code 1. Installed once,
 * by the runtime's entry points (loading a descriptor, starting a server).
 */
export function installOneLineFatal(): void {
  if (installed) return;
  installed = true;
  process.on('uncaughtException', (error) => {
    if (isOneLineError(error)) exitWithLine(error.message);
    // Ours is not the only listener: someone else decides what happens to other errors.
    if (process.listenerCount('uncaughtException') > 1) return;
    process.stderr.write(`${inspect(error)}\n`);
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    if (isOneLineError(reason)) exitWithLine(reason.message);
    if (process.listenerCount('unhandledRejection') > 1) return;
    // Node's default for an unhandled rejection, which any listener turns off: crash with the reason.
    throw reason;
  });
}

function exitWithLine(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

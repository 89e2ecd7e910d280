// Whether the `--import tusk-grpc/telemetry` entry instrumented grpc-js, kept
// on a global symbol: the entry and the app may load this package through
// different paths (dist vs. source), and asking must not load the instrumentation.
const INSTALLED = Symbol.for('tusk-grpc.telemetry.grpcInstrumentation');

export function markGrpcInstrumentationInstalled(): void {
  (globalThis as Record<symbol, unknown>)[INSTALLED] = true;
}

/** True when grpc-js is instrumented in this process (the `--import` entry ran). */
export function isGrpcInstrumentationInstalled(): boolean {
  return (globalThis as Record<symbol, unknown>)[INSTALLED] === true;
}

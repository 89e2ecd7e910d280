import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';

let installed: GrpcInstrumentation | undefined;

/**
 * Creates and enables the grpc-js instrumentation once per process. It must run
 * before grpc-js is loaded (see register.ts); later calls return the same one.
 */
export function installGrpcInstrumentation(): GrpcInstrumentation {
  installed ??= new GrpcInstrumentation();
  return installed;
}

/** True when the `--import tusk-grpc/telemetry` entry ran in this process. */
export function isGrpcInstrumentationInstalled(): boolean {
  return installed !== undefined;
}

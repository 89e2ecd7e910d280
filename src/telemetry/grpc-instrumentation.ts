import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { markGrpcInstrumentationInstalled } from './instrumentation-state.js';

let installed: GrpcInstrumentation | undefined;

/**
 * Creates and enables the grpc-js instrumentation once per process. It must run
 * before grpc-js is loaded (see register.ts); later calls return the same one.
 */
export function installGrpcInstrumentation(): GrpcInstrumentation {
  if (!installed) {
    installed = new GrpcInstrumentation();
    markGrpcInstrumentationInstalled();
  }
  return installed;
}

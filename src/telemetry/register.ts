/**
 * The one-line tracing set-up: `node --import tusk-grpc/telemetry app.js`.
 *
 * grpc-js is only patched when the instrumentation exists before grpc-js is
 * first loaded, and under ESM only when the import-in-the-middle loader hook
 * sees that load. An `--import`ed module runs before the app's own imports, so
 * this file (1) registers the loader hook, limited to the modules an
 * instrumentation asked for, and (2) creates the GrpcInstrumentation right away.
 * Its spans go to the global ProxyTracerProvider; `startTelemetry()` (called by
 * TuskServer once the descriptor names the service) plugs the real SDK in.
 */
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { installGrpcInstrumentation } from './grpc-instrumentation.js';

if (isMainThread) {
  // Only modules that a Hook() named (here @grpc/grpc-js) go through the
  // wrapper, so the rest of the app loads exactly as without telemetry.
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, registerOptions);
  installGrpcInstrumentation();
  // The loader runs on its own thread: wait until it knows which modules to wrap.
  await waitForAllMessagesAcknowledged();
}

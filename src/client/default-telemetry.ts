import { createClientHook, createClientStateGauges } from '../telemetry/runtime-hooks.js';
import { useDefaultClientStateObserver } from './client-observer.js';
import { useDefaultClientTraceHook } from './trace-hook.js';

/**
 * Observability without user code: the first createClient installs the
 * telemetry trace hook (call and attempt spans, client RED metrics) and the
 * state gauges (endpoints, breakers) into the process-wide metrics, unless the
 * application already chose its own with setClientTraceHook /
 * setClientStateObserver (passing `undefined` there turns each off).
 */
export function installDefaultClientTelemetry(): void {
  useDefaultClientTraceHook(() => createClientHook());
  useDefaultClientStateObserver(createClientStateGauges);
}

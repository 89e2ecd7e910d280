import type { MethodKind } from '../config/service-definition.js';

/**
 * Where tracing plugs into the client pipeline. No-op until the telemetry
 * layer installs a hook with `setClientTraceHook`; with none installed the
 * pipeline skips it entirely.
 */
export interface ClientCallInfo {
  /** Full service name. */
  readonly service: string;
  /** Proto method name. */
  readonly method: string;
  readonly kind: MethodKind;
  /** Outgoing metadata so far (parent's traceparent, x-request-id, caller's). */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ClientCallTrace {
  /** Metadata to add to every attempt (e.g. this call's own traceparent). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** An attempt starts on `address`; the returned function ends it. */
  startAttempt(attempt: number, address: string): (error?: unknown) => void;
  /** A pipeline decision worth recording: "retry", "circuit_open", "budget_exhausted", ... */
  event(name: string, attributes?: Readonly<Record<string, string | number | boolean>>): void;
  end(error?: unknown): void;
}

export interface ClientTraceHook {
  startCall(info: ClientCallInfo): ClientCallTrace | undefined;
}

let installed: ClientTraceHook | undefined;

export function setClientTraceHook(hook: ClientTraceHook | undefined): void {
  installed = hook;
}

export function clientTraceHook(): ClientTraceHook | undefined {
  return installed;
}

import type { MethodKind } from '../config/service-definition.js';

/**
 * Where tracing plugs into the client pipeline. createClient installs the
 * telemetry hook (src/telemetry createClientHook: spans and client metrics)
 * unless the application chose one with `setClientTraceHook`; choosing
 * `undefined` turns it off, and the pipeline then skips this stage entirely.
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
  /** Metadata to add to an attempt (e.g. its traceparent); read after `startAttempt`. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** An attempt starts on `address`; the returned function ends it. */
  startAttempt(attempt: number, address: string): (error?: unknown) => void;
  /** Runs the attempt's transport call (e.g. with the attempt's span active). */
  runInAttempt?<T>(fn: () => T): T;
  /**
   * A pipeline decision: "pick" { endpoint, reason: balancer }, "retry" { attempt, reason },
   * "budget_exhausted" { attempt }, "give_up" { attempt, reason }, "circuit_open", "endpoints_busy"
   * (every usable endpoint in pushback or at its adaptive limit), "pushback" { endpoint, pushback_ms }.
   */
  event(name: string, attributes?: Readonly<Record<string, string | number | boolean>>): void;
  end(error?: unknown): void;
}

export interface ClientTraceHook {
  startCall(info: ClientCallInfo): ClientCallTrace | undefined;
}

let installed: ClientTraceHook | undefined;
/** The application called setClientTraceHook: the default is no longer installed. */
let chosen = false;

/** Replaces the hook of every client, existing ones included; `undefined` = no hook at all. */
export function setClientTraceHook(hook: ClientTraceHook | undefined): void {
  installed = hook;
  chosen = true;
}

/** Installs `createDefault()` once, unless the application chose a hook (or none) itself. */
export function useDefaultClientTraceHook(createDefault: () => ClientTraceHook): void {
  if (chosen || installed !== undefined) return;
  installed = createDefault();
}

export function clientTraceHook(): ClientTraceHook | undefined {
  return installed;
}

import type { BreakerStateName } from '../resilience/endpoint-breaker.js';

/**
 * Where metrics learn the client runtime's state outside any one call:
 * endpoints known per service and each endpoint's breaker state. Read at
 * the moment of each change, so installing it after clients exist works
 * for every later change. createClient installs the telemetry gauges
 * (src/telemetry createClientStateGauges) unless the application chose an
 * observer (or `undefined`, none) with `setClientStateObserver`.
 */
export interface ClientStateObserver {
  /** The client of `service` now knows `count` endpoints. */
  endpointsKnown?(service: string, count: number): void;
  breakerState?(service: string, endpoint: string, state: BreakerStateName): void;
  /** An endpoint left the client's list: forget its series. */
  endpointLeft?(service: string, endpoint: string): void;
}

let installed: ClientStateObserver | undefined;
let chosen = false;

export function setClientStateObserver(observer: ClientStateObserver | undefined): void {
  installed = observer;
  chosen = true;
}

/** Installs `createDefault()` once, unless the application chose an observer (or none) itself. */
export function useDefaultClientStateObserver(createDefault: () => ClientStateObserver): void {
  if (chosen || installed !== undefined) return;
  installed = createDefault();
}

export function clientStateObserver(): ClientStateObserver | undefined {
  return installed;
}

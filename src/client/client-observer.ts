import type { BreakerStateName } from '../resilience/endpoint-breaker.js';

/**
 * Where metrics learn the client runtime's state outside any one call:
 * endpoints known per service and each endpoint's breaker state. Read at
 * the moment of each change, so installing it after clients exist works
 * for every later change.
 */
export interface ClientStateObserver {
  /** The client of `service` now knows `count` endpoints. */
  endpointsKnown?(service: string, count: number): void;
  breakerState?(service: string, endpoint: string, state: BreakerStateName): void;
  /** An endpoint left the client's list: forget its series. */
  endpointLeft?(service: string, endpoint: string): void;
}

let installed: ClientStateObserver | undefined;

export function setClientStateObserver(observer: ClientStateObserver | undefined): void {
  installed = observer;
}

export function clientStateObserver(): ClientStateObserver | undefined {
  return installed;
}

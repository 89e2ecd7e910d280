import type { Priority } from '../config/types.js';

/** The request header a trusted caller sets to choose its call's priority (`[server] overload { trust_priority_header }`). */
export const PRIORITY_HEADER = 'tusk-priority';

export function parsePriority(text: string | undefined): Priority | undefined {
  return text === 'critical' || text === 'default' || text === 'sheddable' ? text : undefined;
}

export interface PriorityShares {
  /** Share of the limit only critical calls may use. */
  readonly criticalReserve: number;
  /** Sheddable calls are admitted only while in-flight calls are below this share of the limit. */
  readonly sheddableShare: number;
}

/** In-flight counts each priority is admitted below, for one limit; at least one call always fits. */
export interface AdmissionThresholds {
  readonly critical: number;
  readonly default: number;
  readonly sheddable: number;
}

/**
 * Sheddable work hits its ceiling first, then default work; critical work may
 * fill the whole limit, so the reserve above the default ceiling is its own.
 * Small limits (a CPU-heavy service may run 2 calls at once) would round the
 * shares away, so each step keeps at least one slot: critical gets one more
 * than default, sheddable one fewer (never below one).
 */
export function admissionThresholds(limit: number, shares: PriorityShares): AdmissionThresholds {
  const normal = Math.max(1, limit * (1 - shares.criticalReserve));
  const reserve = shares.criticalReserve > 0 ? 1 : 0;
  const spare = shares.sheddableShare < 1 ? 1 : 0;
  return {
    critical: Math.max(limit, normal + reserve),
    default: normal,
    sheddable: Math.max(1, Math.min(normal - spare, limit * shares.sheddableShare)),
  };
}

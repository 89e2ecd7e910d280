import type { BlockSpec, LeafSpec } from './schema-types.js';

/** Admission priorities, most important first (src/overload/priority.ts). */
export const PRIORITIES = ['critical', 'default', 'sheddable'] as const;
export const LIMITERS = ['gradient2', 'aimd', 'fixed'] as const;

const share = (fallback: number, example: string, meaning: string): LeafSpec => ({ kind: 'leaf', type: { kind: 'number', min: 0, max: 1 }, default: fallback, example, meaning });
const count = (fallback: number, example: string, meaning: string): LeafSpec => ({ kind: 'leaf', type: { kind: 'number', integer: true, min: 1 }, default: fallback, example, meaning });

/**
 * `[server] overload { ... }`: admission control (src/overload/). On by
 * default with settings that leave a healthy server alone: a generous initial
 * limit and floor, so only real saturation sheds.
 */
export const overloadBlock: BlockSpec = {
  kind: 'block',
  meaning: 'overload protection: an adaptive concurrency limit, an event-loop gate, deadline-aware admission and priorities',
  keys: {
    enabled: { kind: 'leaf', type: { kind: 'boolean' }, default: true, example: 'false', meaning: 'admission control on; off = every call is accepted and nothing is measured' },
    limiter: { kind: 'leaf', type: { kind: 'enum', values: LIMITERS }, default: 'gradient2', example: '"aimd"', meaning: 'how the concurrency limit adapts: gradient2 (from latency), aimd (additive increase, multiplicative decrease), fixed (initial_limit)' },
    initial_limit: count(100, '50', 'concurrent calls admitted at start (fixed: always); kept within min_limit..max_limit'),
    min_limit: count(4, '20', 'floor of the adaptive limit'),
    max_limit: count(1000, '500', 'ceiling of the adaptive limit (wins over a larger min_limit)'),
    smoothing: { kind: 'leaf', type: { kind: 'number', min: 0.01, max: 1 }, default: 0.2, example: '0.5', meaning: 'gradient2: how far each measurement moves the limit toward its new estimate' },
    short_window: count(10, '25', 'gradient2: calls averaged into one latency measurement'),
    long_window: count(600, '1000', 'gradient2: measurements in the long (baseline) latency average'),
    tolerance: { kind: 'leaf', type: { kind: 'number', min: 1 }, default: 1.5, example: '2', meaning: 'gradient2: latency may grow to this multiple of the baseline before the limit shrinks' },
    latency_slack: {
      kind: 'leaf', type: { kind: 'duration' }, default: '50ms', example: '"10ms"',
      meaning: 'gradient2: latency may also grow by this much over the baseline before the limit shrinks (cheap calls queue a few ms at high concurrency without harm)',
    },
    backoff_ratio: { kind: 'leaf', type: { kind: 'number', min: 0.5, max: 1 }, default: 0.9, example: '0.8', meaning: 'factor the limit is multiplied by on a congestion signal (aimd drop, saturated event loop)' },
    latency_threshold: { kind: 'leaf', type: { kind: 'duration', minMs: 1 }, default: '1s', example: '"200ms"', meaning: 'aimd: an accepted call slower than this is a congestion signal' },
    max_loop_delay: { kind: 'leaf', type: { kind: 'duration', minMs: 1 }, default: '100ms', example: '"50ms"', meaning: 'event-loop gate: p99 event-loop delay above this means the loop is saturated and the limit backs off' },
    max_loop_utilization: { kind: 'leaf', type: { kind: 'number', min: 0, max: 1 }, default: 1, example: '0.95', meaning: 'event-loop gate: utilisation (performance.eventLoopUtilization) at or above this means saturated; 1 = delay only' },
    critical_reserve: share(0.1, '0.2', 'share of the limit only critical calls may use'),
    sheddable_share: share(0.7, '0.5', 'sheddable calls are admitted only while in-flight calls are below this share of the limit'),
    deadline_aware: { kind: 'leaf', type: { kind: 'boolean' }, default: true, example: 'false', meaning: 'refuse (DEADLINE_EXCEEDED, not run) a call whose remaining deadline is shorter than its method\'s recent typical latency' },
    pushback: { kind: 'leaf', type: { kind: 'duration', minMs: 1 }, default: '100ms', example: '"250ms"', meaning: 'retry hint of a shed call: grpc-retry-pushback-ms trailer and google.rpc.RetryInfo' },
    trust_priority_header: { kind: 'leaf', type: { kind: 'boolean' }, default: false, example: 'true', meaning: 'let callers choose a call\'s priority with the tusk-priority header (only for trusted callers)' },
  },
};

/** `[methods] X { priority: ... }`: a SERVER_METHOD_KEYS entry. */
export const priorityKey: LeafSpec = {
  kind: 'leaf', type: { kind: 'enum', values: PRIORITIES }, example: '"sheddable"',
  meaning: 'admission priority under overload: sheddable calls are refused first, critical ones keep a share of the limit (default "default")',
};

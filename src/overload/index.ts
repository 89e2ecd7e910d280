// Overload protection: admission control for TuskServer (README "Overload protection").
export { Admission, AdmittedMethod, SHEDDING_QUIET_MS, type AdmissionCall, type AdmissionObserver, type AdmissionOptions } from './admission.js';
export { createAdmission } from './create-admission.js';
export type { Limiter, LimitBounds } from './limiter.js';
export { Gradient2Limiter, type Gradient2Settings } from './gradient2-limiter.js';
export { AimdLimiter, type AimdSettings } from './aimd-limiter.js';
export { FixedLimiter } from './fixed-limiter.js';
export { createLimiter } from './create-limiter.js';
export { EventLoopGate, loopSaturated, type LoopReading, type LoopThresholds } from './event-loop-gate.js';
export { MethodLatency, MIN_LATENCY_SAMPLES } from './method-latency.js';
export { PRIORITY_HEADER, admissionThresholds, parsePriority, type AdmissionThresholds, type PriorityShares } from './priority.js';
export { Refusals, type Refusal } from './rejection.js';
export type { ShedReason } from '../status/overload-contract.js';

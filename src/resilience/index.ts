export { NotSentError, RefusedStreamError, CircuitOpenError, EndpointsBusyError, NoEndpointError, CallerError, EndpointFailureRule, BREAKER_COUNTABLE_CODES, wasNotSent } from './failure.js';
export { RetryBudget, type RetryBudgetOptions } from './retry-budget.js';
export { EndpointBreaker, type BreakerStateName } from './endpoint-breaker.js';
export { MethodRetry, retryDecision, shouldRetry, type RetryDecision, type RetryDecisionInput } from './retry.js';
export { ServiceBulkhead } from './bulkhead.js';
export { PUSHBACK_TRAILER, parsePushback, pushbackOf, wasShed, wasDeadlineTooShort, isOverloadAnswer } from './pushback.js';
export { AimdLimit, type LimitSample } from './adaptive-limit.js';

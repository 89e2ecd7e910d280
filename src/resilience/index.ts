export { NotSentError, RefusedStreamError, CircuitOpenError, NoEndpointError, CallerError, EndpointFailureRule, BREAKER_COUNTABLE_CODES, wasNotSent } from './failure.js';
export { RetryBudget, type RetryBudgetOptions } from './retry-budget.js';
export { EndpointBreaker, type BreakerStateName } from './endpoint-breaker.js';
export { MethodRetry, retryDecision, shouldRetry, type RetryDecision, type RetryDecisionInput } from './retry.js';
export { ServiceBulkhead } from './bulkhead.js';

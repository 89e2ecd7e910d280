export { NotSentError, CircuitOpenError, wasNotSent, isEndpointFailure } from './failure.js';
export { RetryBudget, type RetryBudgetOptions } from './retry-budget.js';
export { EndpointBreaker } from './endpoint-breaker.js';
export { MethodRetry, shouldRetry, type RetryDecisionInput } from './retry.js';
export { ServiceBulkhead } from './bulkhead.js';

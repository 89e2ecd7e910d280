// The client call pipeline, composed here and only here, outermost first:
//
//   1. deadline      callScope(): overall deadline, cancellation, parent propagation
//   2. trace hook    clientTraceHook() (no-op until telemetry installs one)
//   3. bulkhead      ServiceBulkhead (optional, per service)
//   4. retry         MethodRetry (cockatiel) + retryDecision() + RetryBudget
//   5. no endpoint      none known → NoEndpointError; every circuit open → CircuitOpenError; fail fast
//   6. balancer pick    among endpoints whose breaker admits calls, untried first
//   7. endpoint breaker EndpointBreaker (cockatiel) of the picked endpoint; EndpointFailureRule says what counts
//   8. per-try timeout  attemptDeadline(), inside the overall deadline
//   9. transport        the endpoint's shared Transport (grpc-js today)
import type { Balancer } from '../balancer/types.js';
import type { MethodDescriptor } from '../config/service-definition.js';
import type { RetryPolicy } from '../config/types.js';
import type { ServiceBulkhead } from '../resilience/bulkhead.js';
import { CircuitOpenError, NoEndpointError, type EndpointFailureRule } from '../resilience/failure.js';
import type { RetryBudget } from '../resilience/retry-budget.js';
import { MethodRetry, retryDecision } from '../resilience/retry.js';
import { Code } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';
import type { CallOptions } from './call-options.js';
import { attemptDeadline, callScope, type CallScope } from './call-scope.js';
import type { ClientEndpoint, EndpointSet } from './endpoint-set.js';
import { clientTraceHook, type ClientCallTrace } from './trace-hook.js';
import type { TransportCallOptions } from './transport.js';

/** Everything the pipeline needs about one method, resolved once when the client is built. */
export interface MethodPlan {
  readonly method: MethodDescriptor;
  readonly timeoutMs: number;
  readonly idempotent: boolean;
  readonly balancer: Balancer;
  readonly retryPolicy: RetryPolicy;
  readonly retry: MethodRetry;
  /** Per-attempt timeout; undefined = each attempt may use the rest of the overall deadline. */
  readonly perTryTimeoutMs: number | undefined;
}

/** What one client's pipeline works with; all of it is per client (per target service). */
export interface PipelineParts {
  readonly service: string;
  readonly endpoints: EndpointSet;
  readonly budget: RetryBudget;
  readonly bulkhead: ServiceBulkhead | undefined;
  /** Which failures count against an endpoint (circuit_breaker.on). */
  readonly failures: EndpointFailureRule;
}

/** One attempt's work on a chosen endpoint: send, and resolve with what the caller gets. */
export type Send<T> = (endpoint: ClientEndpoint, options: TransportCallOptions) => Promise<T>;

/** How long a call waits for the registry's first endpoint list when it has no deadline. */
const DISCOVERY_WAIT_MS = 10_000;

export class CallPipeline {
  private readonly service: string;
  private readonly endpoints: EndpointSet;
  private readonly budget: RetryBudget;
  private readonly bulkhead: ServiceBulkhead | undefined;
  /** The rule for attempts whose deadline is the caller's (no per-try timeout earlier): one function for all of them. */
  private readonly countsWithoutPerTry: (error: unknown) => boolean;
  private readonly countsWithPerTry: (error: unknown) => boolean;

  constructor(parts: PipelineParts) {
    ({ service: this.service, endpoints: this.endpoints, budget: this.budget, bulkhead: this.bulkhead } = parts);
    this.countsWithoutPerTry = (error) => parts.failures.counts(error, false);
    this.countsWithPerTry = (error) => parts.failures.counts(error, true);
  }

  /** Stages 1–9 for a call whose every attempt is `send`. Streams pass a `send` that resolves at the first response. */
  run<T>(plan: MethodPlan, options: CallOptions | undefined, send: Send<T>): Promise<T> {
    let scope: CallScope;
    try {
      scope = callScope(options, plan.timeoutMs); // 1
    } catch (error) {
      return Promise.reject(error); // the caller's mistake: no endpoint, breaker or span involved
    }
    const trace = clientTraceHook()?.startCall({ service: this.service, method: plan.method.name, kind: plan.method.kind, metadata: scope.metadata }); // 2
    const call: PipelineCall<T> = { plan, scope, trace, send, tried: [] };
    const result = this.bulkhead === undefined ? this.withRetry(call) : this.bulkhead.execute(() => this.withRetry(call), scope.signal); // 3
    return result.then(
      (value) => {
        trace?.end();
        return value;
      },
      (failure: unknown) => {
        const error = asTuskError(failure);
        trace?.end(error);
        throw error;
      },
    );
  }

  private withRetry<T>(call: PipelineCall<T>): Promise<T> {
    this.budget.recordCall();
    // 4: cockatiel retry; a single-attempt policy skips it (one less promise layer on the hot path).
    if (call.plan.retryPolicy.maxAttempts <= 1) return this.attempt(call, 1);
    return call.plan.retry.execute((attempt) => this.attempt(call, attempt), (error, attempt) => this.retryable(call, error, attempt), call.scope.signal);
  }

  private retryable(call: PipelineCall<unknown>, error: unknown, attempt: number): boolean {
    const { plan, scope, trace } = call;
    const decision = retryDecision(error, { policy: plan.retryPolicy, idempotent: plan.idempotent, attempt, deadline: scope.deadline }, this.budget);
    if (trace !== undefined) {
      const reason = error instanceof Error ? error.message : String(error);
      if (decision === 'retry') trace.event('retry', { attempt, reason });
      else if (decision === 'budget_exhausted') trace.event('budget_exhausted', { attempt, reason });
      else trace.event('give_up', { attempt, reason: decision });
    }
    return decision === 'retry';
  }

  private attempt<T>(call: PipelineCall<T>, attempt: number): Promise<T> {
    const deadline = call.scope.deadline;
    const waiting = this.endpoints.whenKnown(deadline === undefined ? DISCOVERY_WAIT_MS : deadline - Date.now());
    if (waiting !== undefined) return waiting.then(() => this.attemptOnEndpoint(call, attempt));
    return this.attemptOnEndpoint(call, attempt);
  }

  private async attemptOnEndpoint<T>(call: PipelineCall<T>, attempt: number): Promise<T> {
    const { plan, scope, trace } = call;
    const candidates = this.endpoints.usable(call.tried);
    if (candidates.length === 0) {
      const known = this.endpoints.all.length; // 5
      trace?.event(known === 0 ? 'no_endpoint' : 'circuit_open');
      throw known === 0 ? new NoEndpointError(this.service, this.endpoints.answered) : new CircuitOpenError(this.service, known);
    }
    const endpoint = plan.balancer.pick(candidates, scope); // 6
    call.tried.push(endpoint.address);
    trace?.event('pick', { endpoint: endpoint.address, reason: plan.balancer.name, attempt });
    const endAttempt = trace?.startAttempt(attempt, endpoint.address);
    const metadata = trace?.metadata === undefined ? scope.metadata : { ...scope.metadata, ...trace.metadata };
    const deadline = attemptDeadline(scope.deadline, plan.perTryTimeoutMs); // 8
    // Only an expiring per-try timeout says the endpoint was too slow; the caller's own deadline says nothing about it.
    const counts = deadline === scope.deadline ? this.countsWithoutPerTry : this.countsWithPerTry;
    const options: TransportCallOptions = {
      metadata,
      deadline,
      signal: scope.signal,
      probe: !endpoint.breaker.closed,
      onHeader: scope.onHeader,
      onTrailer: scope.onTrailer,
    };
    const balancer = plan.balancer;
    balancer.onStart?.(endpoint.address);
    const startedAt = performance.now();
    try {
      const result = await endpoint.breaker.execute(
        () => (trace?.runInAttempt === undefined ? call.send(endpoint, options) : trace.runInAttempt(() => call.send(endpoint, options))),
        counts,
      ); // 7, 9
      balancer.onEnd?.(endpoint.address, performance.now() - startedAt, true);
      endAttempt?.();
      return result;
    } catch (error) {
      balancer.onEnd?.(endpoint.address, performance.now() - startedAt, !counts(error));
      endAttempt?.(error);
      throw error;
    }
  }
}

/** Whatever went wrong, the caller gets a TuskError with a gRPC code (a plain Error here is a bug below us: UNKNOWN). */
function asTuskError(error: unknown): TuskError {
  return error instanceof TuskError ? error : new TuskError(Code.UNKNOWN, error instanceof Error ? error.message : String(error));
}

/** The state of one call across its attempts. */
interface PipelineCall<T> {
  readonly plan: MethodPlan;
  readonly scope: CallScope;
  readonly trace: ClientCallTrace | undefined;
  readonly send: Send<T>;
  /** Addresses already tried, so a retry goes elsewhere when it can. */
  readonly tried: string[];
}

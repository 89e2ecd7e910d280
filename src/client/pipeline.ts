// The client call pipeline, composed here and only here, outermost first:
//
//   0. interceptors ClientOptions.interceptors, wrapping each method in create-client.ts (interceptors.ts)
//   1. deadline      callScope(): overall deadline, cancellation, parent propagation
//   2. trace hook    clientTraceHook() (no-op until telemetry installs one)
//   3. bulkhead      ServiceBulkhead (optional, per service)
//   4. retry         MethodRetry (cockatiel) + retryDecision() + RetryBudget
//   5. service breaker  no usable endpoint → CircuitOpenError, fail fast
//   6. balancer pick    among endpoints whose breaker admits calls, untried first
//   7. endpoint breaker EndpointBreaker (cockatiel) of the picked endpoint
//   8. per-try timeout  attemptDeadline(), inside the overall deadline
//   9. transport        the endpoint's shared Transport (grpc-js today)
import type { Balancer } from '../balancer/types.js';
import type { MethodDescriptor } from '../config/service-definition.js';
import type { RetryPolicy } from '../config/types.js';
import type { ServiceBulkhead } from '../resilience/bulkhead.js';
import { CircuitOpenError, isEndpointFailure } from '../resilience/failure.js';
import type { RetryBudget } from '../resilience/retry-budget.js';
import { MethodRetry, retryDecision } from '../resilience/retry.js';
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

/** One attempt's work on a chosen endpoint: send, and resolve with what the caller gets. */
export type Send<T> = (endpoint: ClientEndpoint, options: TransportCallOptions) => Promise<T>;

/** How long a call waits for the registry's first endpoint list when it has no deadline. */
const DISCOVERY_WAIT_MS = 10_000;

export class CallPipeline {
  constructor(
    private readonly service: string,
    private readonly endpoints: EndpointSet,
    private readonly budget: RetryBudget,
    private readonly bulkhead: ServiceBulkhead | undefined,
  ) {}

  /** Stages 1–9 for a call whose every attempt is `send`. Streams pass a `send` that resolves at the first response. */
  run<T>(plan: MethodPlan, options: CallOptions | undefined, send: Send<T>): Promise<T> {
    const scope = callScope(options, plan.timeoutMs); // 1
    const trace = clientTraceHook()?.startCall({ service: this.service, method: plan.method.name, kind: plan.method.kind, metadata: scope.metadata }); // 2
    const call: PipelineCall<T> = { plan, scope, trace, send, tried: [] };
    const result = this.bulkhead === undefined ? this.withRetry(call) : this.bulkhead.execute(() => this.withRetry(call), scope.signal); // 3
    if (trace === undefined) return result;
    return result.then(
      (value) => {
        trace.end();
        return value;
      },
      (error: unknown) => {
        trace.end(error);
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
      trace?.event('circuit_open');
      throw new CircuitOpenError(this.service, this.endpoints.all.length); // 5
    }
    const endpoint = plan.balancer.pick(candidates, scope); // 6
    call.tried.push(endpoint.address);
    trace?.event('pick', { endpoint: endpoint.address, reason: plan.balancer.name, attempt });
    const endAttempt = trace?.startAttempt(attempt, endpoint.address);
    const metadata = trace?.metadata === undefined ? scope.metadata : { ...scope.metadata, ...trace.metadata };
    const options: TransportCallOptions = {
      metadata,
      deadline: attemptDeadline(scope.deadline, plan.perTryTimeoutMs), // 8
      signal: scope.signal,
      probe: !endpoint.breaker.closed,
      onHeader: scope.onHeader,
      onTrailer: scope.onTrailer,
    };
    const balancer = plan.balancer;
    balancer.onStart?.(endpoint.address);
    const startedAt = performance.now();
    try {
      const result = await endpoint.breaker.execute(() =>
        trace?.runInAttempt === undefined ? call.send(endpoint, options) : trace.runInAttempt(() => call.send(endpoint, options)),
      ); // 7, 9
      balancer.onEnd?.(endpoint.address, performance.now() - startedAt, true);
      endAttempt?.();
      return result;
    } catch (error) {
      balancer.onEnd?.(endpoint.address, performance.now() - startedAt, !isEndpointFailure(error));
      endAttempt?.(error);
      throw error;
    }
  }
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

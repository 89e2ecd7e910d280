// The client call pipeline, composed here and only here, outermost first:
//
//   0. interceptors ClientOptions.interceptors, wrapping each method in create-client.ts (interceptors.ts)
//   1. scope         callScope(): overall deadline, cancellation, parent propagation, metadata check;
//                    a call already cancelled or past its deadline goes no further (scopeEnded)
//   1b. credentials  CallCredentials.forCall(): the call's auth headers, once for all attempts (own,
//                    or the parent's with forward_auth); failing → UNAUTHENTICATED, unsent (credentials/)
//   2. trace hook    clientTraceHook() (no-op until telemetry installs one)
//   3. bulkhead      ServiceBulkhead slot (optional, per service), held until the call ends
//   4. retry         MethodRetry + retryDecision() + RetryBudget; backoff ends on abort, never passes the deadline,
//                    and lasts until some endpoint's pushback has ended (never the same endpoint before its pushback)
//   5. discovery     wait for the first endpoint list (signal and deadline honoured)
//   6. no endpoint   none known → NoEndpointError; every circuit open → CircuitOpenError; the others busy
//                    (pushback, adaptive limit) → EndpointsBusyError; fail fast
//   7. balancer pick among endpoints whose breaker admits calls and that are not busy, untried first
//   7b. load         the picked endpoint's EndpointLoad: its adaptive limit (AIMD, optional) counts the call,
//                    a shed or pushback answer parks the endpoint for the pushback (endpoint-load.ts)
//   7c. credentials  checkEndpoint(): auth headers go over TLS or to loopback only → else FAILED_PRECONDITION, unsent
//   8. endpoint breaker EndpointBreaker of the picked endpoint; EndpointFailureRule says what counts
//                    (an overload answer never does: busy, not broken; the balancer sees it as a slow call)
//   9. per-try timeout  attemptDeadline(), inside the overall deadline
//  10. transport     the endpoint's shared Transport (grpc-js today)
//
// A call ends when its result settles, or, for a stream (`hold`), when the
// stream ends: done, failed, or closed early by the consumer (or, abandoned
// unclosed, a grace period after the transport's onEnd: WireEnd). Until then it
// keeps its bulkhead slot, its balancer in-flight count, its attempt and call
// spans and its duration metric. A stream is retried only before its first
// message (its attempt resolves there); a failure after that still reaches the
// endpoint's breaker and the balancer by the same rule.
import type { Balancer } from '../balancer/types.js';
import { markFromClientCall } from '../status/downstream.js';
import type { MethodDescriptor } from '../config/service-definition.js';
import type { RetryPolicy } from '../config/types.js';
import type { ServiceBulkhead } from '../resilience/bulkhead.js';
import { CircuitOpenError, EndpointsBusyError, NoEndpointError, type EndpointFailureRule } from '../resilience/failure.js';
import { isOverloadAnswer, pushbackOf } from '../resilience/pushback.js';
import type { RetryBudget } from '../resilience/retry-budget.js';
import { MethodRetry, retryDecision } from '../resilience/retry.js';
import { Code } from '../status/codes.js';
import { TuskError, asTuskError, messageOf } from '../status/tusk-error.js';
import { AttemptMetadata } from './attempt-metadata.js';
import type { CallCredentials } from './credentials/index.js';
import type { CallOptions } from './call-options.js';
import { attemptDeadline, callScope, scopeEnded, type CallScope } from './call-scope.js';
import { limitSample } from './endpoint-load.js';
import type { ClientEndpoint, EndpointSet } from './endpoint-set.js';
import { clientTraceHook, type ClientCallTrace } from './trace-hook.js';
import { WireEnd } from './wire-end.js';
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
  /** Auth headers of each call; absent = this client never sends any. */
  readonly credentials?: CallCredentials | undefined;
}

/** One attempt's work on a chosen endpoint: send, and resolve with what the caller gets (a stream: at its first message). */
export type Send<T> = (endpoint: ClientEndpoint, options: TransportCallOptions) => Promise<T>;

/**
 * For calls that outlive their result (streams): gets the successful attempt's
 * result and an `end` to call once when the stream is over (no error = it
 * completed), and returns what the caller gets.
 */
export type Hold<T> = (result: T, end: (error?: unknown) => void) => T;

/** A timer may fire a millisecond early against Date.now(): a retry timed to a pushback's end waits this much more. */
const TIMER_SLACK_MS = 2;

/** How long a call waits for the registry's first endpoint list when it has no deadline. */
const DISCOVERY_WAIT_MS = 10_000;

export class CallPipeline {
  private readonly service: string;
  private readonly endpoints: EndpointSet;
  /** The rule for attempts whose deadline is the caller's (no per-try timeout earlier): one function for all of them. */
  private readonly countsWithoutPerTry: (error: unknown) => boolean;
  private readonly countsWithPerTry: (error: unknown) => boolean;

  constructor(private readonly parts: PipelineParts) {
    this.service = parts.service;
    this.endpoints = parts.endpoints;
    this.countsWithoutPerTry = (error) => parts.failures.counts(error, false);
    this.countsWithPerTry = (error) => parts.failures.counts(error, true);
  }

  /** Stages 1–10 for a call whose every attempt is `send`; with `hold`, the call lasts until the held result says it ended. */
  run<T>(plan: MethodPlan, options: CallOptions | undefined, send: Send<T>, hold?: Hold<T>): Promise<T> {
    let scope: CallScope;
    try {
      scope = callScope(options, plan.timeoutMs); // 1
    } catch (error) {
      return Promise.reject(error); // the caller's mistake: no endpoint, breaker or span involved
    }
    const trace = clientTraceHook()?.startCall({ service: this.service, method: plan.method.name, kind: plan.method.kind, metadata: scope.metadata }); // 2
    const call = new PipelineCall(plan, scope, trace, send, hold, this.parts.bulkhead);
    return this.withCredentials(call, options).then(
      (value) => {
        if (!call.held) call.end();
        return value;
      },
      (failure: unknown) => {
        const error = markFromClientCall(asTuskError(failure));
        call.end(error);
        throw error;
      },
    );
  }

  private withCredentials<T>(call: PipelineCall<T>, options: CallOptions | undefined): Promise<T> {
    const credentials = this.parts.credentials;
    if (credentials === undefined) return this.admit(call);
    let headers: ReturnType<CallCredentials['forCall']>;
    try {
      headers = credentials.forCall(options?.parent?.metadata); // 1b
    } catch (error) {
      return Promise.reject(error);
    }
    if (!(headers instanceof Promise)) {
      call.auth = headers;
      return this.admit(call);
    }
    return headers.then((resolved) => {
      call.auth = resolved;
      return this.admit(call);
    });
  }

  private admit<T>(call: PipelineCall<T>): Promise<T> {
    const ended = scopeEnded(call.scope);
    if (ended !== undefined) return Promise.reject(ended);
    const bulkhead = this.parts.bulkhead;
    if (bulkhead === undefined) return this.withRetry(call);
    const waiting = bulkhead.acquire(call.scope.signal, call.scope.deadline); // 3
    if (waiting === undefined) {
      call.holdsSlot = true;
      return this.withRetry(call);
    }
    return waiting.then(() => {
      call.holdsSlot = true;
      const endedWhileQueued = scopeEnded(call.scope);
      return endedWhileQueued === undefined ? this.withRetry(call) : Promise.reject(endedWhileQueued);
    });
  }

  private withRetry<T>(call: PipelineCall<T>): Promise<T> {
    this.parts.budget.recordCall();
    // 4: a single-attempt policy skips the retry loop (one less promise layer on the hot path).
    if (call.plan.retryPolicy.maxAttempts <= 1) return this.attempt(call, 1);
    return call.plan.retry.execute((attempt) => this.attempt(call, attempt), (error, attempt, delayMs) => this.retryable(call, error, attempt, delayMs), call.scope.signal);
  }

  private retryable<T>(call: PipelineCall<T>, error: unknown, attempt: number, backoffMs: number): boolean | number {
    const { plan, scope, trace } = call;
    // Every endpoint still pushing back: the next attempt waits for the soonest to end, if the deadline allows.
    const pushbackMs = this.endpoints.pushbackWaitMs();
    const delayMs = pushbackMs > 0 ? Math.max(backoffMs, pushbackMs + TIMER_SLACK_MS) : backoffMs;
    const decision = retryDecision(error, { policy: plan.retryPolicy, idempotent: plan.idempotent, attempt, deadline: scope.deadline, delayMs }, this.parts.budget);
    if (trace !== undefined) {
      const reason = messageOf(error);
      if (decision === 'retry') trace.event('retry', { attempt, reason });
      else if (decision === 'budget_exhausted') trace.event('budget_exhausted', { attempt, reason });
      else trace.event('give_up', { attempt, reason: decision });
    }
    return decision === 'retry' && delayMs;
  }

  private attempt<T>(call: PipelineCall<T>, attempt: number): Promise<T> {
    if (attempt > 1) {
      const ended = scopeEnded(call.scope); // after a backoff
      if (ended !== undefined) return Promise.reject(ended);
    }
    const { deadline, signal } = call.scope;
    const waitMs = deadline === undefined ? DISCOVERY_WAIT_MS : deadline - Date.now();
    const waiting = this.endpoints.whenKnown(waitMs, signal); // 5
    if (waiting === undefined) return this.attemptOnEndpoint(call, attempt);
    return waiting.then(() => {
      if (signal?.aborted) throw new TuskError(Code.CANCELLED, 'call cancelled while waiting for discovery');
      if (!this.endpoints.answered) throw new NoEndpointError(this.service, false, waitMs);
      return this.attemptOnEndpoint(call, attempt);
    });
  }

  private async attemptOnEndpoint<T>(call: PipelineCall<T>, attempt: number): Promise<T> {
    const { plan, scope, trace } = call;
    const candidates = this.endpoints.usable(call.tried);
    if (candidates.length === 0) {
      const known = this.endpoints.all.length; // 6
      const busy = known === 0 ? undefined : this.endpoints.busy();
      trace?.event(known === 0 ? 'no_endpoint' : busy !== undefined ? 'endpoints_busy' : 'circuit_open');
      if (busy !== undefined) throw new EndpointsBusyError(this.service, busy.count, busy.retryAfterMs);
      throw known === 0 ? new NoEndpointError(this.service, this.endpoints.answered) : new CircuitOpenError(this.service, known);
    }
    const endpoint = plan.balancer.pick(candidates, scope); // 7
    const limit = endpoint.load.limit; // 7b
    call.tried.push(endpoint.address);
    trace?.event('pick', { endpoint: endpoint.address, reason: plan.balancer.name, attempt });
    if (call.auth !== undefined) this.parts.credentials!.checkEndpoint(endpoint.address, endpoint.transport.secure === true, call.auth); // 7c
    const endAttempt = trace?.startAttempt(attempt, endpoint.address);
    // The caller's explicit metadata beats the credentials stage's headers.
    const outgoing = call.auth === undefined ? scope.metadata : { ...call.auth, ...scope.metadata };
    const metadata = trace?.metadata === undefined ? outgoing : { ...outgoing, ...trace.metadata };
    const deadline = attemptDeadline(scope.deadline, plan.perTryTimeoutMs); // 9
    // Only an expiring per-try timeout says the endpoint was too slow; the caller's own deadline says nothing about it.
    const counts = deadline === scope.deadline ? this.countsWithoutPerTry : this.countsWithPerTry;
    const wire = call.hold === undefined ? undefined : new WireEnd();
    const reports = call.metadata?.next();
    const options: TransportCallOptions = {
      metadata,
      deadline,
      signal: scope.signal,
      probe: !endpoint.breaker.closed,
      onHeader: reports?.onHeader,
      onTrailer: reports?.onTrailer,
      onEnd: wire?.report,
    };
    const balancer = plan.balancer;
    const send = trace?.runInAttempt === undefined ? () => call.send(endpoint, options) : () => trace.runInAttempt!(() => call.send(endpoint, options));
    balancer.onStart?.(endpoint.address);
    limit?.start();
    const startedAt = performance.now();
    let result: T;
    let endOnBreaker: ((error?: unknown) => void) | undefined;
    try {
      if (call.hold === undefined) {
        result = await endpoint.breaker.execute(send, counts); // 8, 10
      } else {
        const opened = await endpoint.breaker.executeHeld(send, counts); // 8, 10: the breaker sees the stream's whole life
        result = opened.result;
        endOnBreaker = opened.end;
      }
    } catch (error) {
      const counted = counts(error);
      const overloaded = isOverloadAnswer(error);
      if (overloaded) {
        const pushbackMs = pushbackOf(error) ?? 0;
        endpoint.load.pushBack(pushbackMs);
        trace?.event('pushback', { endpoint: endpoint.address, pushback_ms: pushbackMs });
      }
      limit?.end(limitSample(error, counted));
      balancer.onEnd?.(endpoint.address, performance.now() - startedAt, !counted && !overloaded);
      endAttempt?.(error);
      throw error;
    }
    const latencyMs = performance.now() - startedAt;
    if (call.hold === undefined) {
      limit?.end('ok');
      balancer.onEnd?.(endpoint.address, latencyMs, true);
      endAttempt?.();
      return result;
    }
    call.held = true;
    let ended = false;
    const endStream = (error?: unknown): void => {
      if (ended) return;
      ended = true;
      wire!.stop();
      endOnBreaker!(error);
      const counted = error !== undefined && counts(error);
      limit?.end(limitSample(error, counted));
      // The latency sample is the time to the first message: a stream's length says nothing about the endpoint.
      balancer.onEnd?.(endpoint.address, latencyMs, !counted && !isOverloadAnswer(error));
      endAttempt?.(error);
      call.end(error);
    };
    wire!.hold(endStream);
    call.metadata?.settle(); // a stream past its first message is not retried: this attempt is the last
    return call.hold(result, endStream);
  }
}


/** The state of one call across its attempts. */
class PipelineCall<T> {
  /** Addresses already tried, so a retry goes elsewhere when it can. */
  readonly tried: string[] = [];
  /** A bulkhead slot is taken and must be given back when the call ends. */
  holdsSlot = false;
  /** The result was held (a stream): the call ends when the stream does, not when the pipeline resolves. */
  held = false;
  /** Only when the caller asked for response header or trailer. */
  readonly metadata: AttemptMetadata | undefined;
  /** The credentials stage's auth headers (1b), for every attempt. */
  auth: Readonly<Record<string, string>> | undefined;
  private ended = false;

  constructor(
    readonly plan: MethodPlan,
    readonly scope: CallScope,
    readonly trace: ClientCallTrace | undefined,
    readonly send: Send<T>,
    readonly hold: Hold<T> | undefined,
    private readonly bulkhead: ServiceBulkhead | undefined,
  ) {
    this.metadata = scope.onHeader === undefined && scope.onTrailer === undefined ? undefined : new AttemptMetadata(scope.onHeader, scope.onTrailer);
  }

  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.metadata?.settle();
    if (this.holdsSlot) this.bulkhead!.release();
    this.trace?.end(error);
  }
}

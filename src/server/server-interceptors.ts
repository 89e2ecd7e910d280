// The server's interceptor chain, in one place. Its built-in stages run in
// sequence inside ONE grpc-js interceptor: every grpc-js interceptor layer
// costs each call a wrapper call, a listener, a set of closures and a hop per
// event, which with one layer per stage was a large part of a call's overhead.
//
//   in-flight tracking (drain) → request id → trace hook → metrics hook →
//   access log → deadline → auth → admission (overload) → user interceptors →
//   middleware → handler
//
// Middleware (middleware.ts) wraps each handler in bind-service.ts: it sees the
// CallContext and the decoded message(s) rather than grpc-js events.
//
// Observers sit before deadline and auth so refused calls are traced, counted
// and logged too. Admission comes right after auth, so an unauthenticated call
// never takes a slot; it refuses at once (src/overload/), never queues.
// grpc-js runs `interceptors[0]` closest to the wire.
import { newRequestId } from '../telemetry/request-id.js';
import { performance } from 'node:perf_hooks';
import {
  Metadata,
  type ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import type { InterceptingServerListener } from '@grpc/grpc-js/build/src/server-interceptors.js';
import { Code } from '../status/codes.js';
import { callLogFields, callOutcomeFields } from '../telemetry/logger.js';
import type { Logger } from '../telemetry/logger-types.js';
import { REQUEST_ID_HEADER, deadlinePassed, firstText, setKnownLegalText } from './create-call-context.js';
import { errorToStatus, grpcStatus } from './handler-errors.js';
import type { Admission, AdmittedMethod } from '../overload/admission.js';
import type { InFlightCalls, InFlightEntry } from './in-flight-calls.js';
import { InterceptedCallInfo } from './server-call-info.js';
import { NeverIndexedMetadata } from './never-indexed-metadata.js';
import { statusSentByTransport } from './transport/sent-status.js';
import { transportPeer } from './transport/peer.js';
import type { Principal } from '../security/auth/principal.js';
import type { ServerAuthHook, ServerCallHook, ServerCallOutcome } from './server-hooks.js';

export interface ServerChainOptions {
  readonly inFlight: InFlightCalls;
  readonly logger: Logger;
  readonly trace: ServerCallHook;
  readonly metrics: ServerCallHook;
  readonly auth?: ServerAuthHook;
  /** Overload admission; absent when `[server] overload { enabled: false }` (then it costs nothing). */
  readonly admission?: Admission;
  /** The user's own interceptors, closest to the handler. */
  readonly user?: readonly ServerInterceptor[];
}

type Finish = (outcome: ServerCallOutcome) => void;
/** grpc-js' SentStatus, which its index does not export. */
type SentStatus = Parameters<ServerInterceptingCallInterface['sendStatus']>[0];

/** The built-in stages as one interceptor, then the user's. */
export function serverInterceptorChain(options: ServerChainOptions): ServerInterceptor[] {
  // grpc-js only calls the interface's methods on what an interceptor returns; its ServerInterceptingCall class
  // (a responder, a listener and closures per call and per event) is what ChainedCall avoids.
  const builtIn: ServerInterceptor = (method, next) => new ChainedCall(options, method.path, next) as unknown as ServerInterceptingCall;
  return [builtIn, ...(options.user ?? [])];
}

/**
 * One call's pass through the built-in stages. It is at once the call the
 * layer above sends through (ServerInterceptingCallInterface) and the listener
 * of the call below (InterceptingServerListener), so the stages run as plain
 * method calls. Like grpc-js' ServerInterceptingCall, it passes nothing up
 * once the call was cancelled, and holds a read asked for while the metadata
 * is still in the stages (an auth hook awaiting a key).
 */
class ChainedCall implements ServerInterceptingCallInterface, InterceptingServerListener {
  /** The listener above: the user's interceptors or the handler. */
  private listener: InterceptingServerListener | undefined;
  /** Set once the metadata arrived: from then on grpc-js owes the call an onCancel, where it ends. */
  private info: InterceptedCallInfo | undefined;
  /** Its place among the calls in flight, for the drain on stop(). */
  private inFlight: InFlightEntry | undefined;
  private startedAt = 0;
  private finishTrace: Finish | undefined;
  private finishMetrics: Finish | undefined;
  private passedMetadata = false;
  private readWanted = false;
  private cancelled = false;
  private sentMetadata = false;
  private ended = false;
  private sentStatus: SentStatus | undefined;
  /** Set while the call holds an admission slot; released in end(). */
  private admitted: AdmittedMethod | undefined;
  private admittedAt = 0;
  private authAwaited = false;
  private shed = false;

  constructor(
    private readonly chain: ServerChainOptions,
    private readonly path: string,
    private readonly next: ServerInterceptingCallInterface,
  ) {}

  // ---- towards the wire
  start(listener: InterceptingServerListener): void {
    this.listener = listener;
    this.next.start(this);
  }

  sendMetadata(metadata: Metadata): void {
    this.sentMetadata = true;
    if (this.info) setKnownLegalText(metadata, REQUEST_ID_HEADER, this.info.requestId);
    this.next.sendMetadata(metadata);
  }

  sendMessage(message: unknown, callback: () => void): void {
    // The response headers carry the request id, so they go through sendMetadata here, not the wire's default.
    if (!this.sentMetadata) this.sendMetadata(new NeverIndexedMetadata());
    this.next.sendMessage(message, callback);
  }

  sendStatus(status: SentStatus): void {
    this.sentStatus = status;
    // A trailers-only response (an error before any message) carries the request id in the trailers.
    if (!this.sentMetadata && this.info) {
      const metadata = status.metadata ?? new NeverIndexedMetadata();
      setKnownLegalText(metadata, REQUEST_ID_HEADER, this.info.requestId);
      this.next.sendStatus({ ...status, metadata });
    } else {
      this.next.sendStatus(status);
    }
  }

  startRead(): void {
    if (this.passedMetadata) this.next.startRead();
    else this.readWanted = true;
  }

  getPeer() { return transportPeer(this.next); }
  getDeadline() { return this.next.getDeadline(); }
  getHost() { return this.next.getHost(); }
  getAuthContext() { return this.next.getAuthContext(); }
  getConnectionInfo() { return this.next.getConnectionInfo(); }
  getMetricsRecorder() { return this.next.getMetricsRecorder(); }

  // ---- from the wire
  onReceiveMetadata(metadata: Metadata): void {
    if (!this.cancelled) this.receiveMetadata(metadata);
  }

  onReceiveMessage(message: unknown): void {
    if (!this.cancelled) this.listener!.onReceiveMessage(message);
  }

  onReceiveHalfClose(): void {
    if (!this.cancelled) this.listener!.onReceiveHalfClose();
  }

  onCancel(): void {
    this.cancelled = true;
    this.end();
    const listener = this.listener;
    // The transport's stream (and its hold on this call) lasts until the peer has read the end: what the stages and
    // the handler held need not, and let go now it dies young instead of being copied by every scavenge meanwhile.
    this.listener = this.info = this.finishTrace = this.finishMetrics = undefined;
    listener?.onCancel();
  }

  /** The stages let the call through: the layer above gets the metadata (and the read it asked for meanwhile). */
  private passMetadata(metadata: Metadata): void {
    if (this.cancelled) return;
    this.passedMetadata = true;
    this.listener!.onReceiveMetadata(metadata);
    if (this.readWanted) {
      this.readWanted = false;
      this.next.startRead();
    }
  }

  private receiveMetadata(metadata: Metadata): void {
    const { chain } = this;
    // In-flight tracking, for the drain on stop().
    this.inFlight = chain.inFlight.add(this, this.path);

    // Request id: the caller's, or a new one the handler sees too; echoed back in sendMetadata/sendStatus.
    let requestId = firstText(metadata, REQUEST_ID_HEADER);
    if (!requestId) {
      requestId = newRequestId();
      setKnownLegalText(metadata, REQUEST_ID_HEADER, requestId);
    }

    // Observers: trace hook, metrics hook; the access log writes its line in end().
    const info = new InterceptedCallInfo(this.path, requestId, metadata, this.next);
    this.info = info;
    this.startedAt = performance.now();
    this.finishTrace = chain.trace.onCallStart(info) ?? undefined;
    this.finishMetrics = chain.metrics.onCallStart(info) ?? undefined;

    // Deadline: a call that arrives with its deadline already gone is refused before any handler runs.
    if (info.deadline !== undefined && info.deadline <= Date.now()) {
      this.sendStatus({ code: grpcStatus(Code.DEADLINE_EXCEEDED), details: 'deadline exceeded before the call started' });
      return;
    }

    // Auth: the hook may refuse the call with a TuskError before the handler runs. A hook that answers at once
    // (a cached token) is not made to wait for microtasks; only a pending one (a key fetch) is awaited.
    if (chain.auth) {
      let established: ReturnType<ServerAuthHook>;
      try {
        established = chain.auth(info);
      } catch (error) {
        this.refuseAuth(error);
        return;
      }
      if (established instanceof Promise) {
        this.authAwaited = true;
        established.then((principal) => this.authenticated(principal, metadata), (error: unknown) => this.refuseAuth(error));
      } else {
        this.authenticated(established, metadata);
      }
      return;
    }
    this.admit(metadata);
  }

  private authenticated(principal: Principal | void, metadata: Metadata): void {
    // A call cancelled while its key was fetched has let its stages go (onCancel).
    if (this.cancelled) return;
    if (principal) this.info!.setPrincipal(principal);
    this.admit(metadata);
  }

  private refuseAuth(error: unknown): void {
    this.sendStatus(errorToStatus(error, NOT_ABORTED, this.chain.logger));
  }

  // ---- admission (overload): its own block, between auth and the user's interceptors
  private admit(metadata: Metadata): void {
    const admission = this.chain.admission;
    const method = admission?.methodOf(this.path);
    // Health, reflection and foreign paths are never shed; a call that ended while auth ran takes no slot.
    if (method === undefined || this.ended) return this.passMetadata(metadata);
    const refusal = admission!.admit(method, this.info!);
    if (refusal !== undefined) {
      // Shedding is logged when it starts and stops (admission.ts), not once per refused call.
      this.shed = true;
      return this.sendStatus(refusal as SentStatus);
    }
    if (method.holdsSlot) {
      this.admitted = method;
      // Admitted in the same turn as the call arrived (no auth hook awaited): the arrival time serves.
      this.admittedAt = this.authAwaited ? performance.now() : this.startedAt;
    }
    this.passMetadata(metadata);
  }

  private releaseAdmission(method: AdmittedMethod, outcome: ServerCallOutcome): void {
    this.admitted = undefined;
    const endedAt = this.startedAt + outcome.durationMs;
    this.chain.admission!.release(method, endedAt - this.admittedAt, outcome.code, this.sentStatus !== undefined, this.info!.deadline);
  }
  // ---- end of admission

  /** grpc-js' onCancel: once at the end of every call, finished or not. */
  private end(): void {
    const { chain, info } = this;
    if (this.inFlight !== undefined) chain.inFlight.delete(this.inFlight);
    if (!info || this.ended) return;
    this.ended = true;
    const outcome = this.outcome();
    if (this.admitted) this.releaseAdmission(this.admitted, outcome);
    this.finishTrace?.(outcome);
    this.finishMetrics?.(outcome);
    accessLog(chain.logger, info, outcome, this.shed);
  }

  /**
   * A call the transport ended itself (a malformed frame, its deadline) never passed through sendStatus: its
   * outcome is the status the transport sent, else (a client cancel, nothing sent) inferred.
   */
  private outcome(): ServerCallOutcome {
    const durationMs = performance.now() - this.startedAt;
    // What went on the wire wins: a status the chain passed down after the transport had answered was dropped there.
    const sent = statusSentByTransport(this.next, this.sentStatus) ?? this.sentStatus;
    if (sent) return { code: sent.code, details: sent.details ?? '', durationMs };
    const expired = deadlinePassed(this.next.getDeadline());
    return { code: expired ? Code.DEADLINE_EXCEEDED : Code.CANCELLED, details: expired ? 'deadline exceeded' : 'cancelled', durationMs };
  }
}

/** The auth stage's refusals are never about an aborted call. */
const NOT_ABORTED = { aborted: false, reason: undefined };

const SERVER_FAULTS = new Set<number>([Code.UNKNOWN, Code.INTERNAL, Code.DATA_LOSS]);

/**
 * One structured line per finished call: debug when OK, error for server
 * faults, info otherwise. Fields: service, method, request_id, trace_id,
 * span_id, status (code name), code, duration_ms, peer, the caller's `subject`
 * when the auth stage established one, and on failure the
 * status `message`; never error details or request fields (README "What is logged").
 */
function accessLog(logger: Logger, call: InterceptedCallInfo, outcome: ServerCallOutcome, shed: boolean): void {
  const ok = outcome.code === Code.OK;
  // OK calls are the hot path: when debug is off, build nothing. Shed calls are many at once: debug too.
  if ((ok || shed) && logger.isLevelEnabled?.('debug') === false) return;
  const fields: Record<string, unknown> = {
    ...callLogFields({ service: call.service, method: call.method, requestId: call.requestId, trace: call.trace }),
    ...callOutcomeFields(outcome.code, outcome.durationMs),
    peer: call.peer,
    ...(call.principal ? { subject: call.principal.subject } : {}),
  };
  if (ok) logger.debug(fields, 'call finished');
  else if (shed) logger.debug({ ...fields, message: outcome.details }, 'call shed');
  else if (SERVER_FAULTS.has(outcome.code)) logger.error({ ...fields, message: outcome.details }, 'call failed');
  else logger.info({ ...fields, message: outcome.details }, 'call failed');
}

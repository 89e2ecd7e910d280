// The server's interceptor chain, in one place. grpc-js runs `interceptors[0]`
// closest to the wire: it sees incoming metadata first and outgoing status last.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  Metadata,
  ServerInterceptingCall,
  type StatusObject,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import { Code } from '../status/codes.js';
import { callLogFields, callOutcomeFields } from '../telemetry/logger.js';
import type { Logger } from '../telemetry/logger-types.js';
import type { CallMetadata, TraceContext } from './call-context.js';
import { REQUEST_ID_HEADER, callTrace, deadlineMs, deadlinePassed, firstText, metadataToRecord } from './create-call-context.js';
import { errorToStatus, grpcStatus } from './handler-errors.js';
import type { InFlightCalls } from './in-flight-calls.js';
import type { ServerAuthHook, ServerCallHook, ServerCallInfo, ServerCallOutcome } from './server-hooks.js';
import { setServerTrace } from './server-trace.js';

export interface ServerChainOptions {
  readonly inFlight: InFlightCalls;
  readonly logger: Logger;
  readonly trace: ServerCallHook;
  readonly metrics: ServerCallHook;
  readonly auth?: ServerAuthHook;
  /** The user's own interceptors, closest to the handler. */
  readonly user?: readonly ServerInterceptor[];
}

/**
 * in-flight tracking (drain) → request id → trace hook → metrics hook →
 * access log → deadline → auth → user interceptors → handler.
 * Observers sit before deadline and auth so refused calls are traced,
 * counted and logged too.
 */
export function serverInterceptorChain(options: ServerChainOptions): ServerInterceptor[] {
  return [
    options.inFlight.interceptor,
    assignRequestId,
    observeCalls((call) => options.trace.onCallStart(call)),
    observeCalls((call) => options.metrics.onCallStart(call)),
    observeCalls(accessLog(options.logger)),
    rejectExpiredDeadline,
    ...(options.auth ? [authorize(options.auth, options.logger)] : []),
    ...(options.user ?? []),
  ];
}

/** Gives every call an `x-request-id` (the caller's, or a new one) and echoes it back. */
const assignRequestId: ServerInterceptor = (_method, call) => {
  let requestId = '';
  let sentMetadata = false;
  return new ServerInterceptingCall(call, {
    start: (next) =>
      next({
        onReceiveMetadata: (metadata, nextMetadata) => {
          requestId = firstText(metadata, REQUEST_ID_HEADER) || randomUUID();
          metadata.set(REQUEST_ID_HEADER, requestId);
          nextMetadata(metadata);
        },
      }),
    sendMetadata: (metadata, next) => {
      sentMetadata = true;
      if (requestId) metadata.set(REQUEST_ID_HEADER, requestId);
      next(metadata);
    },
    sendStatus: (status, next) => {
      // A trailers-only response (an error before any message) carries it in the trailers.
      if (!sentMetadata && requestId) {
        const metadata = status.metadata ?? new Metadata();
        metadata.set(REQUEST_ID_HEADER, requestId);
        next({ ...status, metadata });
      } else {
        next(status);
      }
    },
  });
};

class InterceptedCallInfo implements ServerCallInfo {
  readonly service: string;
  readonly method: string;
  readonly peer: string;
  readonly deadline: number | undefined;
  readonly requestId: string;
  private record: CallMetadata | undefined;

  constructor(readonly path: string, private readonly rawMetadata: Metadata, call: ServerInterceptingCallInterface) {
    const [, service = '', method = ''] = path.split('/');
    this.service = service;
    this.method = method;
    this.peer = call.getPeer();
    this.deadline = deadlineMs(call.getDeadline());
    this.requestId = firstText(rawMetadata, REQUEST_ID_HEADER) ?? '';
  }

  get metadata(): CallMetadata {
    this.record ??= metadataToRecord(this.rawMetadata);
    return this.record;
  }

  header(name: string): string | undefined {
    return firstText(this.rawMetadata, name);
  }

  setServerTrace(trace: TraceContext): void {
    setServerTrace(this.rawMetadata, trace);
  }

  /** The trace context the handler sees (see callTrace); asked when the call ends. */
  get trace(): TraceContext {
    return callTrace(this.rawMetadata);
  }
}

/**
 * Runs `onStart` when a call's metadata arrives and its returned callback
 * once with the outcome. A call grpc-js ended itself (deadline, client
 * cancel) never passes through sendStatus, so that outcome is inferred.
 */
function observeCalls(onStart: (call: InterceptedCallInfo) => ((outcome: ServerCallOutcome) => void) | void): ServerInterceptor {
  return (method, call) => {
    let finish: ((outcome: ServerCallOutcome) => void) | undefined;
    let startedAt = 0;
    let sent: Pick<StatusObject, 'code' | 'details'> | undefined;
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            startedAt = performance.now();
            finish = onStart(new InterceptedCallInfo(method.path, metadata, call)) ?? undefined;
            nextMetadata(metadata);
          },
          onCancel: () => {
            if (!finish) return;
            const report = finish;
            finish = undefined;
            const durationMs = performance.now() - startedAt;
            if (sent) {
              report({ code: sent.code, details: sent.details ?? '', durationMs });
            } else {
              const expired = deadlinePassed(call.getDeadline());
              report({
                code: expired ? Code.DEADLINE_EXCEEDED : Code.CANCELLED,
                details: expired ? 'deadline exceeded' : 'cancelled',
                durationMs,
              });
            }
          },
        }),
      sendStatus: (status, next) => {
        sent = status;
        next(status);
      },
    });
  };
}

const SERVER_FAULTS = new Set<number>([Code.UNKNOWN, Code.INTERNAL, Code.DATA_LOSS]);

/**
 * One structured line per finished call: debug when OK, error for server
 * faults, info otherwise. Fields: service, method, request_id, trace_id,
 * span_id, status (code name), code, duration_ms, peer (+ details on failure).
 */
function accessLog(logger: Logger) {
  return (call: InterceptedCallInfo) => (outcome: ServerCallOutcome) => {
    const ok = outcome.code === Code.OK;
    // OK calls are the hot path: when debug is off, build nothing.
    if (ok && logger.isLevelEnabled?.('debug') === false) return;
    const fields: Record<string, unknown> = {
      ...callLogFields({ service: call.service, method: call.method, requestId: call.requestId, trace: call.trace }),
      ...callOutcomeFields(outcome.code, outcome.durationMs),
      peer: call.peer,
    };
    if (ok) logger.debug(fields, 'call finished');
    else if (SERVER_FAULTS.has(outcome.code)) logger.error({ ...fields, details: outcome.details }, 'call failed');
    else logger.info({ ...fields, details: outcome.details }, 'call failed');
  };
}

/** A call that arrives with its deadline already gone is refused before any handler runs. */
const rejectExpiredDeadline: ServerInterceptor = (_method, call) => {
  const intercepted: ServerInterceptingCall = new ServerInterceptingCall(call, {
    start: (next) =>
      next({
        onReceiveMetadata: (metadata, nextMetadata) => {
          const deadline = deadlineMs(call.getDeadline());
          if (deadline !== undefined && deadline <= Date.now()) {
            intercepted.sendStatus({ code: grpcStatus(Code.DEADLINE_EXCEEDED), details: 'deadline exceeded before the call started' });
            return;
          }
          nextMetadata(metadata);
        },
      }),
  });
  return intercepted;
};

/** The auth slot: the hook sees the call before the handler and may refuse it with a TuskError. */
function authorize(auth: ServerAuthHook, logger: Logger): ServerInterceptor {
  return (method, call) => {
    const intercepted: ServerInterceptingCall = new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            const info = new InterceptedCallInfo(method.path, metadata, call);
            Promise.resolve()
              .then(() => auth(info))
              .then(
                () => nextMetadata(metadata),
                (error: unknown) => intercepted.sendStatus(errorToStatus(error, new AbortController().signal, logger)),
              );
          },
        }),
    });
    return intercepted;
  };
}

// The server side of idempotency keys: `idempotent(ctx, store, Response, work)`
// runs `work` once per `tusk-idempotency-key` and answers a repeated key with
// the recorded outcome (response or business error). A compensation that
// arrives before its action (the action timed out before it ever ran) records
// the action as preempted, so the late action is refused with ABORTED and
// ErrorInfo reason COMPENSATED_BEFORE_ACTION instead of taking effect after
// its undo.
import { Code } from '../status/codes.js';
import type { ErrorDetails } from '../status/error-details.js';
import { asTuskError, TuskError } from '../status/tusk-error.js';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKey, parseIdempotencyKey } from './idempotency-key.js';
import { decodeJson, encodeJson } from './record-codec.js';
import { isRetryableError } from './state-machine.js';
import type { StepKind } from './types.js';
import type { VersionedStore } from './versioned-store.js';

/** ts-proto's MessageFns of the response type. */
export interface MessageCodec<R> {
  encode(message: R): { finish(): Uint8Array };
  decode(input: Uint8Array): R;
}

type IdempotencyRecord =
  | { readonly state: 'running'; readonly untilMs: number }
  /** A transient failure: the next call with the key runs the work again. */
  | { readonly state: 'released' }
  | { readonly state: 'done'; readonly response: string }
  | { readonly state: 'failed'; readonly code: Code; readonly message: string; readonly details?: ErrorDetails }
  /** The compensation came first: the action must never run. */
  | { readonly state: 'preempted'; readonly atMs: number };

export interface IdempotentRun {
  /** The call's key; undefined when the caller sent none (the work then runs as a plain call). */
  readonly key: string | undefined;
  readonly kind: StepKind | undefined;
  /** For a compensation: whether its action ran (or may have: it crashed mid-way). False = nothing to undo. */
  readonly actionRan: boolean | undefined;
}

/** The part of a CallContext the helper reads. */
export interface IdempotentCall {
  readonly metadata: Readonly<Record<string, string>>;
  readonly deadline?: number | undefined;
}

export const COMPENSATED_BEFORE_ACTION = 'COMPENSATED_BEFORE_ACTION';
/** How long a running call holds its key when the caller set no deadline. */
const DEFAULT_RUNNING_MS = 30_000;
/** A running call keeps its key a little past the caller's deadline: the handler may still be finishing. */
const RUNNING_GRACE_MS = 1_000;
const CONTENDED_TRIES = 5;

const parse = (text: string): IdempotencyRecord => decodeJson<IdempotencyRecord>(text);

function stillRunning(key: string): TuskError {
  return new TuskError(Code.UNAVAILABLE, `a call with idempotency key ${key} is still running; retry later`, { retryInfo: { retryDelayMs: 100 } });
}

export async function idempotent<R>(ctx: IdempotentCall, store: VersionedStore, codec: MessageCodec<R>, work: (run: IdempotentRun) => Promise<R>): Promise<R> {
  const key = ctx.metadata[IDEMPOTENCY_KEY_HEADER];
  if (key === undefined || key === '') return work({ key: undefined, kind: undefined, actionRan: undefined });
  const parsed = parseIdempotencyKey(key);
  const actionRan = parsed?.kind === 'compensation' ? await preemptAction(store, idempotencyKey(parsed.sagaId, parsed.step, 'action')) : undefined;
  const runningUntil = (): number => (ctx.deadline ?? Date.now() + DEFAULT_RUNNING_MS) + RUNNING_GRACE_MS;

  for (let tries = 0; tries < CONTENDED_TRIES; tries += 1) {
    const entry = await store.get(key);
    let revision: number | undefined;
    if (!entry) {
      revision = await store.create(key, encodeJson({ state: 'running', untilMs: runningUntil() }));
    } else {
      const recorded = parse(entry.value);
      if (recorded.state === 'done') return codec.decode(Buffer.from(recorded.response, 'base64'));
      if (recorded.state === 'failed') throw new TuskError(recorded.code, recorded.message, recorded.details);
      if (recorded.state === 'preempted') {
        throw new TuskError(Code.ABORTED, `the call with idempotency key ${key} was compensated before it ran; it will not run`, {
          errorInfo: { reason: COMPENSATED_BEFORE_ACTION, domain: 'tusk-grpc', metadata: { idempotency_key: key } },
        });
      }
      if (recorded.state === 'running' && recorded.untilMs > Date.now()) throw stillRunning(key);
      // Released, or a running call whose process died: take the key over.
      revision = await store.update(key, encodeJson({ state: 'running', untilMs: runningUntil() }), entry.revision);
    }
    if (revision !== undefined) return runAndRecord(store, key, revision, codec, parsed?.kind === 'compensation', () => work({ key, kind: parsed?.kind, actionRan }));
  }
  throw stillRunning(key);
}

async function runAndRecord<R>(store: VersionedStore, key: string, revision: number, codec: MessageCodec<R>, isCompensation: boolean, work: () => Promise<R>): Promise<R> {
  let response: R;
  try {
    response = await work();
  } catch (error) {
    const failure = asTuskError(error);
    // "Not now" is not an outcome: the next attempt runs again. "No" is: it is what every repeat gets,
    // except for a compensation, which is retried until it succeeds, so each retry must really run.
    const record: IdempotencyRecord = isCompensation || isRetryableError(failure)
      ? { state: 'released' }
      : { state: 'failed', code: failure.code, message: failure.message, ...(failure.details ? { details: failure.details } : {}) };
    await store.update(key, encodeJson(record), revision).catch(() => undefined);
    throw error;
  }
  const recorded: IdempotencyRecord = { state: 'done', response: Buffer.from(codec.encode(response).finish()).toString('base64') };
  await store.update(key, encodeJson(recorded), revision);
  return response;
}

/** Marks the action as never to run unless it already ran; returns whether it ran (or may have). */
async function preemptAction(store: VersionedStore, actionKey: string): Promise<boolean> {
  const preempted = encodeJson({ state: 'preempted', atMs: Date.now() });
  for (let tries = 0; tries < CONTENDED_TRIES; tries += 1) {
    const entry = await store.get(actionKey);
    if (!entry) {
      if ((await store.create(actionKey, preempted)) !== undefined) return false;
      continue;
    }
    const recorded = parse(entry.value);
    if (recorded.state === 'done' || recorded.state === 'failed') return true;
    if (recorded.state === 'preempted') return false;
    if (recorded.state === 'running' && recorded.untilMs > Date.now()) throw stillRunning(actionKey);
    // Released (it failed for now) never took effect; an expired running one may have, part way.
    if ((await store.update(actionKey, preempted, entry.revision)) !== undefined) return recorded.state === 'running';
  }
  throw stillRunning(actionKey);
}

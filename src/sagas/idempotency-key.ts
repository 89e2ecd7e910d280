import type { StepKind } from './types.js';

/** The request metadata every saga step call carries. */
export const IDEMPOTENCY_KEY_HEADER = 'tusk-idempotency-key';

/** `<sagaId>:<step>:<action|compensation>`: the same on every attempt of the step, on any instance. */
export function idempotencyKey(sagaId: string, step: string, kind: StepKind): string {
  return `${sagaId}:${step}:${kind}`;
}

export interface ParsedIdempotencyKey {
  readonly sagaId: string;
  readonly step: string;
  readonly kind: StepKind;
}

/** Undefined for a key that is not a saga step's (any other caller may send its own keys too). */
export function parseIdempotencyKey(key: string): ParsedIdempotencyKey | undefined {
  const parts = key.split(':');
  if (parts.length < 3) return undefined;
  const kind = parts.at(-1);
  if (kind !== 'action' && kind !== 'compensation') return undefined;
  return { sagaId: parts.slice(0, -2).join(':'), step: parts.at(-2)!, kind };
}

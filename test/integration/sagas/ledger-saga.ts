// The saga the integration tests drive: three steps a, b, c whose actions and
// compensations write one line each to a ledger file through the idempotency
// helper, so a step repeated under the same key shows up as a second line.
// Faults are injected by tag ("b:action", "a:compensation"): failures travel
// in the saga's state (so every instance agrees), hangs are per process (it
// is killed there).
import { appendFile } from 'node:fs/promises';
import { Code, TuskError } from '../../../src/index.js';
import { defineSaga, idempotent, type SagaStepContext, type VersionedStore, type MessageCodec } from '../../../src/sagas/index.js';

export interface LedgerFaults {
  readonly hangBefore?: string;
  readonly hangAfter?: string;
  /** Called when a hang starts (the worker prints it for the test). */
  readonly onHang?: (tag: string) => void;
}

export interface LedgerState {
  readonly label: string;
  /** Tags whose work always fails with FAILED_PRECONDITION. */
  readonly failAt?: readonly string[];
  readonly done?: readonly string[];
}

/** A response codec for the helper: the step's tag as JSON bytes. */
export const TAG_CODEC: MessageCodec<{ tag: string }> = {
  encode: (message) => ({ finish: () => Buffer.from(JSON.stringify(message)) }),
  decode: (input) => JSON.parse(Buffer.from(input).toString()) as { tag: string },
};

export const TEST_RETRY = { maxAttempts: 2, backoffMs: [20] };
export const TEST_COMPENSATION_RETRY = { maxAttempts: 4, backoffMs: [40, 80, 160] };

export function ledgerSaga(ledgerFile: string, idempotencyStore: VersionedStore, faults: LedgerFaults = {}) {
  const hang = (tag: string) => {
    faults.onHang?.(tag);
    return new Promise<never>(() => undefined); // the process is killed while here
  };
  const write = async (state: LedgerState, ctx: SagaStepContext) => {
    const tag = `${ctx.step}:${ctx.kind}`;
    if (faults.hangBefore === tag) await hang(tag);
    // What a server handler does with the key it received (here the helper runs in-process).
    const result = await idempotent({ metadata: ctx.call.metadata, deadline: ctx.deadline }, idempotencyStore, TAG_CODEC, async () => {
      await appendFile(ledgerFile, `${state.label} ${tag}\n`);
      if (state.failAt?.includes(tag)) throw new TuskError(Code.FAILED_PRECONDITION, `injected failure at ${tag}`);
      return { tag };
    });
    if (faults.hangAfter === tag) await hang(tag);
    return { done: [...(state.done ?? []), result.tag] };
  };
  return defineSaga<LedgerState>({
    name: 'ledger',
    retry: TEST_RETRY,
    compensationRetry: TEST_COMPENSATION_RETRY,
    timeoutMs: 5_000,
    steps: ['a', 'b', 'c'].map((name) => ({ name, action: write, compensate: write })),
  });
}

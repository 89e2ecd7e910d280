import { setTimeout as sleep } from 'node:timers/promises';
import { Code } from '../status/codes.js';
import { messageOf, TuskError } from '../status/tusk-error.js';

export const DEFAULT_PUBLISH_TIMEOUT_MS = 10_000;
const FIRST_RETRY_DELAY_MS = 50;
const MAX_RETRY_DELAY_MS = 500;

/** Why a publish attempt cannot succeed by retrying (e.g. the broker was closed). */
export class PermanentPublishError extends Error {}

/**
 * Calls `attempt(remainingMs)` until it stores the event or the deadline
 * passes. The caller reuses one event id, so a retry after a lost ack is
 * a duplicate the broker drops, never a second event.
 */
export async function publishUntilDeadline<R>(
  eventId: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  attempt: (remainingMs: number) => Promise<R>,
): Promise<R> {
  const deadline = Date.now() + timeoutMs;
  let delay = FIRST_RETRY_DELAY_MS;
  let lastError: unknown;
  for (;;) {
    if (signal?.aborted) throw new TuskError(Code.CANCELLED, `publish of event ${eventId} cancelled`);
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    try {
      return await attempt(remaining);
    } catch (error) {
      if (error instanceof PermanentPublishError) throw new TuskError(Code.UNAVAILABLE, `event ${eventId} not stored: ${error.message}`);
      lastError = error;
    }
    const wait = Math.min(delay, deadline - Date.now());
    if (wait > 0) await sleep(wait, undefined, signal ? { signal } : undefined).catch(() => undefined);
    delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
  }
  throw new TuskError(Code.DEADLINE_EXCEEDED, `event ${eventId} not stored within ${timeoutMs}ms${lastError === undefined ? '' : `: ${messageOf(lastError)}`}`);
}

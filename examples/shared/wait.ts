// The one polling wait of the demo and the tests (test/helpers/wait.ts
// re-exports it): the machine is shared and slow at times, so callers poll for
// a condition within a generous bound instead of sleeping a fixed time.

export interface WaitOptions {
  /** Pause between probes; default 25 ms. */
  readonly intervalMs?: number;
}

/**
 * Calls `probe` until it returns a truthy value and resolves with that value.
 * A probe that throws counts as "not yet" (a server still starting, etcd
 * coming back); its last error is in the timeout message. After `timeoutMs`
 * rejects with "timed out after N ms waiting for <what>"; `what` may be a
 * function, read at timeout so it can describe the state reached.
 */
export async function waitUntil<T>(
  probe: () => T | Promise<T>,
  timeoutMs: number,
  what: string | (() => string),
  options: WaitOptions = {},
): Promise<NonNullable<T>> {
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let lastError: unknown;
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const description = typeof what === 'function' ? what() : what;
      const cause = lastError === undefined ? '' : ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}${cause}`, lastError === undefined ? undefined : { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

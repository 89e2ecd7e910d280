/** setTimeout's longest delay: Node turns a longer one into 1 ms (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `fire` at `deadline` (epoch ms); at once when it has passed. A
 * deadline further away than a timer can hold (~24.8 days) sets no timer, as
 * grpc-js treats it: such a wait is left to the call's signal, never cut
 * short. Returns a function that cancels the timer.
 */
export function timerAt(deadline: number, fire: () => void): () => void {
  const delay = Math.max(0, deadline - Date.now());
  if (delay > MAX_TIMER_MS) return () => {};
  const timer = setTimeout(fire, delay);
  return () => clearTimeout(timer);
}

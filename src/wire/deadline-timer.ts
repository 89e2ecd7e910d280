// Node fires a timer over 2^31-1 ms (about 24.8 days) at once: a deadline
// further away is armed for the longest timer and re-armed when it runs out.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The delay to arm a deadline's timer with; the timer's callback re-arms while `deadline` is still ahead. */
export function deadlineDelay(deadline: number): number {
  return Math.max(0, Math.min(MAX_TIMER_MS, deadline - Date.now()));
}

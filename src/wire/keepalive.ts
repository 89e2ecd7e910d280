import type { Http2Session } from 'node:http2';

/**
 * Pings the peer every `timeMs` (while `wanted()` says so: a client pings
 * only with calls running unless told otherwise); a ping unanswered within
 * `timeoutMs` means the connection is dead, and it is destroyed (its calls end).
 */
export function keepSessionAlive(session: Http2Session, timeMs: number, timeoutMs: number, wanted?: () => boolean): void {
  if (!(timeMs > 0) || !Number.isFinite(timeMs)) return;
  let deadTimer: NodeJS.Timeout | undefined;
  const answered = () => {
    clearTimeout(deadTimer);
    deadTimer = undefined;
  };
  const interval = setInterval(() => {
    if (deadTimer !== undefined || session.closed || session.destroyed) return;
    if (wanted !== undefined && !wanted()) return;
    deadTimer = setTimeout(() => session.destroy(), timeoutMs).unref();
    try {
      session.ping(answered);
    } catch {
      session.destroy();
    }
  }, timeMs).unref();
  session.once('close', () => {
    clearInterval(interval);
    clearTimeout(deadTimer);
  });
}

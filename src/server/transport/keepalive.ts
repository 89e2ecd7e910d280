import type { ServerHttp2Session } from 'node:http2';

/**
 * Pings the client every `timeMs`; a ping unanswered within `timeoutMs` means
 * the connection is dead, and it is destroyed (its calls end as cancelled).
 */
export function keepSessionAlive(session: ServerHttp2Session, timeMs: number, timeoutMs: number): void {
  if (!(timeMs > 0) || !Number.isFinite(timeMs)) return;
  let deadTimer: NodeJS.Timeout | undefined;
  const answered = () => {
    clearTimeout(deadTimer);
    deadTimer = undefined;
  };
  const interval = setInterval(() => {
    if (deadTimer !== undefined || session.closed || session.destroyed) return;
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

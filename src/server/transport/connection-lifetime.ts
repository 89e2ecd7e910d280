// `[server] max_connection_idle` and `max_connection_age` on the lean
// transport, with grpc-js' semantics (the same channel options feed both):
// an idle connection (no stream for the idle time) is closed with GOAWAY; a
// connection reaching its age (±10 % jitter, so connections made together do
// not all reconnect together) gets GOAWAY "max_age", its open calls finish
// within the grace, then it is destroyed.
import { constants, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';

export interface ConnectionLifetime {
  /** No stream for this long closes the connection; undefined = never. */
  readonly idleMs?: number;
  /** GOAWAY this long (±10 %) after the connection opened; undefined = never. */
  readonly ageMs?: number;
  /** After the age's GOAWAY, calls still open get this long before the connection is destroyed; undefined = as long as they need. */
  readonly ageGraceMs?: number;
}

const MAX_AGE_DATA = Buffer.from('max_age');
/** The first GOAWAY of a graceful close names the highest stream id possible: calls already in flight towards us are still taken. */
const ANY_STREAM = 2 ** 31 - 1;
const AGE_JITTER = 0.1;
const IDLE = Symbol('tusk.idleTracker');

/** One connection's idle bookkeeping: the streams it has open and since when it has had none. */
class IdleTracker {
  openStreams = 0;
  idleSince = Date.now();
  readonly timer: NodeJS.Timeout;

  constructor(
    private readonly session: ServerHttp2Session,
    private readonly idleMs: number,
  ) {
    this.timer = setTimeout(idleTimerFired, idleMs, this);
    this.timer.unref();
  }

  opened(stream: TrackedStream): void {
    this.openStreams++;
    // On the stream itself: a closed stream no longer knows its session.
    stream[IDLE] = this;
  }

  closed(): void {
    if (--this.openStreams > 0) return;
    this.idleSince = Date.now();
    this.timer.refresh();
  }

  check(): void {
    if (this.openStreams > 0 || this.session.closed) return;
    const idleFor = Date.now() - this.idleSince;
    if (idleFor >= this.idleMs) this.session.close();
    else this.timer.refresh();
  }
}

type TrackedSession = ServerHttp2Session & { [IDLE]?: IdleTracker };
type TrackedStream = ServerHttp2Stream & { [IDLE]?: IdleTracker };

/** Arms the idle and age limits on a new server session; its timers end with the session. */
export function limitConnectionLifetime(session: ServerHttp2Session, lifetime: ConnectionLifetime): void {
  const timers: NodeJS.Timeout[] = [];
  if (lifetime.idleMs !== undefined) {
    const tracker = new IdleTracker(session, lifetime.idleMs);
    (session as TrackedSession)[IDLE] = tracker;
    timers.push(tracker.timer);
  }
  if (lifetime.ageMs !== undefined) {
    const jitter = (Math.random() * 2 - 1) * AGE_JITTER * lifetime.ageMs;
    const ageTimer = setTimeout(() => {
      const graceTimer = ageOut(session, lifetime.ageGraceMs);
      if (graceTimer !== undefined) timers.push(graceTimer);
    }, lifetime.ageMs + jitter);
    ageTimer.unref();
    timers.push(ageTimer);
  }
  if (timers.length > 0) session.once('close', () => timers.forEach(clearTimeout));
}

/** GOAWAY "max_age", then a graceful close; the grace timer that destroys what is still open, if any. */
function ageOut(session: ServerHttp2Session, graceMs: number | undefined): NodeJS.Timeout | undefined {
  if (session.closed || session.destroyed) return undefined;
  try {
    session.goaway(constants.NGHTTP2_NO_ERROR, ANY_STREAM, MAX_AGE_DATA);
  } catch {
    session.destroy();
    return undefined;
  }
  session.close();
  if (graceMs === undefined) return undefined;
  const graceTimer = setTimeout(() => session.destroy(), graceMs);
  graceTimer.unref();
  return graceTimer;
}

/**
 * The transport tells each stream's start and end (it already listens on
 * both), rather than a session 'stream' listener and a once('close') per
 * stream, which cost every call a listener wrapper and a second 'close' listener.
 */
export function streamOpened(stream: ServerHttp2Stream): void {
  (stream.session as TrackedSession | undefined)?.[IDLE]?.opened(stream);
}

/** The stream's 'close': once per stream that streamOpened saw. */
export function streamClosed(stream: ServerHttp2Stream): void {
  const tracker = (stream as TrackedStream)[IDLE];
  if (tracker === undefined) return;
  (stream as TrackedStream)[IDLE] = undefined;
  tracker.closed();
}

function idleTimerFired(tracker: IdleTracker): void {
  tracker.check();
}

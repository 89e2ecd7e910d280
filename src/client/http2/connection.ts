// One endpoint's HTTP/2 sessions, a small pool: the sessions that take new
// calls, and those that got GOAWAY and finish the calls they accepted while a
// new one opens. A second (up to a fourth) session opens only when every one
// is at the stream limit the server announced; until it is ready, calls queue
// on the least busy one. Its state is what the "never sent" rule and the
// breakers see: a call that could not get a ready session is a NotSentError.
import http2, { type ClientHttp2Session, type SecureClientSessionOptions } from 'node:http2';
import type { ClientConnectionLimits } from '../../config/types.js';
import { NotSentError } from '../../resilience/failure.js';
import { Code } from '../../status/codes.js';
import { keepSessionAlive } from '../../wire/keepalive.js';

export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'failed' | 'closed';

/** Longest wait for a connection when the call itself has no deadline (as the grpc-js transport). */
const CONNECT_TIMEOUT_MS = 20_000;
const INITIAL_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 1_000;
/** Beyond one, sessions open only at the server's stream limit: grpc-js keeps one per endpoint and queues. */
const MAX_SESSIONS = 4;

export interface ConnectionOptions {
  readonly limits: ClientConnectionLimits | undefined;
  /** TLS options for each new session (read then, so a rotated certificate is used); absent = plaintext. */
  readonly tls: (() => SecureClientSessionOptions) | undefined;
}

/** What a session learned from a GOAWAY: streams above `lastStreamId` were never processed. */
export const GOAWAY_LAST_STREAM = Symbol('tusk.goawayLastStream');
const OPEN_STREAMS = Symbol('tusk.openStreams');
export type TrackedSession = ClientHttp2Session & { [GOAWAY_LAST_STREAM]?: number; [OPEN_STREAMS]?: number };

const openStreams = (session: TrackedSession): number => session[OPEN_STREAMS] ?? 0;
/** What the server's SETTINGS allow; node reports "unlimited" (2^32-1) before they arrive. */
const streamLimit = (session: ClientHttp2Session): number => session.remoteSettings?.maxConcurrentStreams ?? Number.MAX_SAFE_INTEGER;

interface ConnectWaiter {
  readonly resolve: (session: ClientHttp2Session) => void;
  readonly reject: (error: NotSentError) => void;
}

export class Http2Connection {
  state: ConnectionState = 'idle';
  /** Calls running on any of its sessions: the keepalive pings only then, unless permit_without_calls. */
  activeCalls = 0;
  /** The sessions that take new calls; the first is the one whose connecting sets the state. */
  private pool: TrackedSession[] = [];
  private waiters: ConnectWaiter[] = [];
  private retryAt = 0;
  /** An extra session that failed to connect is not tried again for a while: calls queue on the ready ones instead. */
  private extraRetryAt = 0;
  private backoffMs = INITIAL_BACKOFF_MS;
  private readonly sessions = new Set<ClientHttp2Session>();
  private readonly connected = new WeakSet<ClientHttp2Session>();

  constructor(readonly address: string, private readonly options: ConnectionOptions) {}

  /**
   * A ready session with room for a stream, or undefined when the caller must
   * wait (connect()): for the first session, or for one more when every ready
   * one is at the server's limit. At MAX_SESSIONS, the least busy one (the
   * call queues there).
   */
  ready(): ClientHttp2Session | undefined {
    if (this.state !== 'ready') return undefined;
    const pool = this.pool;
    const first = pool[0]!;
    if (pool.length === 1 && openStreams(first) < streamLimit(first)) return first;
    for (const session of pool) if (this.connected.has(session) && openStreams(session) < streamLimit(session)) return session;
    return this.openExtra() ? undefined : this.leastBusy();
  }

  /** True while one more session is opening (started here if none is and the pool may grow). */
  private openExtra(): boolean {
    if (this.pool.some((session) => !this.connected.has(session))) return true;
    if (this.pool.length >= MAX_SESSIONS || Date.now() < this.extraRetryAt) return false;
    this.open();
    return true;
  }

  private leastBusy(): TrackedSession | undefined {
    let least: TrackedSession | undefined;
    for (const session of this.pool) {
      if (this.connected.has(session) && (least === undefined || openStreams(session) < openStreams(least))) least = session;
    }
    return least;
  }

  /**
   * Hands the waiting calls the room the ready sessions have, in order (their
   * streams open a tick later, so the room is counted here); the rest wait for
   * one more session, or queue on the least busy one when no more may open.
   */
  private serveWaiters(): void {
    for (const session of this.pool) {
      if (!this.connected.has(session)) continue;
      for (let room = streamLimit(session) - openStreams(session); room > 0 && this.waiters.length > 0; room--) this.waiters.shift()!.resolve(session);
    }
    if (this.waiters.length === 0 || this.openExtra()) return;
    const least = this.leastBusy()!;
    for (const waiter of this.waiters.splice(0)) waiter.resolve(least);
  }

  /**
   * Resolves with a ready session, or rejects with a NotSentError: UNAVAILABLE
   * when no connection could be made (the last attempt failed less than a
   * backoff ago, unless `probe`), DEADLINE_EXCEEDED when `deadline` came first,
   * CANCELLED when `signal` aborts.
   */
  connect(deadline: number | undefined, signal: AbortSignal | undefined, probe: boolean): Promise<ClientHttp2Session> {
    if (this.state === 'closed') return Promise.reject(new NotSentError(Code.UNAVAILABLE, `transport to ${this.address} is closed`));
    if (this.state === 'failed' && !probe && Date.now() < this.retryAt) {
      return Promise.reject(new NotSentError(Code.UNAVAILABLE, `no connection to ${this.address}`));
    }
    // 'ready': every session is at the server's limit and one more is opening (ready()).
    if (this.state === 'idle' || this.state === 'failed') this.open();
    const connectLimit = Date.now() + CONNECT_TIMEOUT_MS;
    const callBound = deadline !== undefined && deadline < connectLimit;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(cancelledWhileConnecting(this.address));
      let timer: NodeJS.Timeout | undefined;
      const waiter: ConnectWaiter = {
        resolve: (session) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(session);
        },
        reject: (error) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = (): void => this.dropWaiter(waiter, cancelledWhileConnecting(this.address));
      signal?.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(() => this.dropWaiter(waiter, callBound
        ? new NotSentError(Code.DEADLINE_EXCEEDED, `deadline exceeded while connecting to ${this.address}`)
        : new NotSentError(Code.UNAVAILABLE, `no connection to ${this.address} within ${CONNECT_TIMEOUT_MS / 1000} s`)), (callBound ? deadline : connectLimit) - Date.now());
      this.waiters.push(waiter);
    });
  }

  /** A call started on `session`: the process stays up while calls run. */
  begin(session: TrackedSession): void {
    session[OPEN_STREAMS] = openStreams(session) + 1;
    if (this.activeCalls++ === 0) for (const open of this.sessions) open.ref();
    if (!this.sessions.has(session)) session.ref();
  }

  end(session: TrackedSession): void {
    session[OPEN_STREAMS] = openStreams(session) - 1;
    if (--this.activeCalls === 0) for (const open of this.sessions) open.unref();
  }

  close(): void {
    this.state = 'closed';
    this.settleWaiters(new NotSentError(Code.UNAVAILABLE, `transport to ${this.address} is closed`));
    // Running calls finish; the sessions end when they have (at once with none running).
    for (const session of this.sessions) {
      if (this.activeCalls === 0) session.destroy();
      else session.close();
    }
  }

  /** A new session: the first one of the pool (the endpoint is connecting), or one more beside ready ones. */
  private open(): void {
    const first = this.pool.length === 0;
    if (first) this.state = 'connecting';
    const tls = this.options.tls?.();
    const authority = `${tls === undefined ? 'http' : 'https'}://${this.address}`;
    const session: TrackedSession = http2.connect(authority, {
      ...tls,
      settings: { enablePush: false },
      // Node's session memory check fails large messages; HTTP/2 flow control already bounds them.
      maxSessionMemory: Number.MAX_SAFE_INTEGER,
    });
    this.pool.push(session);
    this.sessions.add(session);
    const keepalive = this.options.limits?.keepalive;
    if (keepalive !== undefined) {
      keepSessionAlive(session, keepalive.timeMs, keepalive.timeoutMs, keepalive.permitWithoutCalls ? undefined : () => this.activeCalls > 0);
    }
    // One more session counts once the server's SETTINGS (its stream limit) came: calls handed to it before would
    // be refused past the limit (REFUSED_STREAM).
    session.once(first ? 'connect' : 'remoteSettings', () => {
      this.connected.add(session);
      if (!this.pool.includes(session)) return;
      this.state = 'ready';
      this.backoffMs = INITIAL_BACKOFF_MS;
      this.serveWaiters();
    });
    session.on('error', () => undefined); // reported through 'close' and each stream's own close
    session.once('goaway', (_code: number, lastStreamId: number) => {
      session[GOAWAY_LAST_STREAM] = lastStreamId;
      this.retire(session);
    });
    session.once('close', () => {
      this.sessions.delete(session);
      if (!this.pool.includes(session)) return;
      const neverConnected = this.state === 'connecting';
      if (!this.connected.has(session)) this.extraRetryAt = Date.now() + MAX_BACKOFF_MS;
      this.retire(session);
      if (neverConnected && this.pool.length === 0) this.fail();
      // An extra session that never connected: its waiters go to the ready ones.
      else if (this.state === 'ready') this.serveWaiters();
    });
    // A session with no calls must not keep the process alive (grpc-js' channels do not either).
    if (this.activeCalls === 0) session.unref();
  }

  /** New calls go to a new session; this one finishes the calls it took. */
  private retire(session: TrackedSession): void {
    const index = this.pool.indexOf(session);
    if (index < 0) return;
    this.pool.splice(index, 1);
    // The endpoint is ready while any session is: a GOAWAY on one moves its new calls to the others.
    if (this.state === 'ready' && !this.pool.some((other) => this.connected.has(other))) this.state = this.pool.length > 0 ? 'connecting' : 'idle';
    if (!session.closed && !session.destroyed) session.close();
  }

  private fail(): void {
    if (this.state === 'closed') return;
    this.state = 'failed';
    this.retryAt = Date.now() + this.backoffMs;
    this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
    this.settleWaiters(new NotSentError(Code.UNAVAILABLE, `no connection to ${this.address}`));
  }

  private settleWaiters(error: NotSentError): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  private dropWaiter(waiter: ConnectWaiter, error: NotSentError): void {
    const index = this.waiters.indexOf(waiter);
    if (index < 0) return;
    this.waiters.splice(index, 1);
    waiter.reject(error);
  }
}

function cancelledWhileConnecting(address: string): NotSentError {
  return new NotSentError(Code.CANCELLED, `call cancelled while connecting to ${address}`);
}

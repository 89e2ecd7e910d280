// One endpoint's HTTP/2 sessions: the current one takes new calls; one that
// got GOAWAY keeps serving the calls it accepted while the next one opens.
// Its state is what the "never sent" rule and the breakers see: a call that
// could not get a ready session is a NotSentError.
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

export interface ConnectionOptions {
  readonly limits: ClientConnectionLimits | undefined;
  /** TLS options for each new session (read then, so a rotated certificate is used); absent = plaintext. */
  readonly tls: (() => SecureClientSessionOptions) | undefined;
}

/** What a session learned from a GOAWAY: streams above `lastStreamId` were never processed. */
export const GOAWAY_LAST_STREAM = Symbol('tusk.goawayLastStream');
export type TrackedSession = ClientHttp2Session & { [GOAWAY_LAST_STREAM]?: number };

interface ConnectWaiter {
  readonly resolve: (session: ClientHttp2Session) => void;
  readonly reject: (error: NotSentError) => void;
}

export class Http2Connection {
  state: ConnectionState = 'idle';
  /** Calls running on any of its sessions: the keepalive pings only then, unless permit_without_calls. */
  activeCalls = 0;
  private session: TrackedSession | undefined;
  private waiters: ConnectWaiter[] = [];
  private retryAt = 0;
  private backoffMs = INITIAL_BACKOFF_MS;
  private readonly sessions = new Set<ClientHttp2Session>();

  constructor(readonly address: string, private readonly options: ConnectionOptions) {}

  /** The ready session, or undefined when the caller must wait for one (connect()). */
  ready(): ClientHttp2Session | undefined {
    return this.state === 'ready' ? this.session : undefined;
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
    if (this.state !== 'connecting') this.open();
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
  begin(session: ClientHttp2Session): void {
    if (this.activeCalls++ === 0) for (const open of this.sessions) open.ref();
    if (!this.sessions.has(session)) session.ref();
  }

  end(): void {
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

  private open(): void {
    this.state = 'connecting';
    const tls = this.options.tls?.();
    const authority = `${tls === undefined ? 'http' : 'https'}://${this.address}`;
    const session: TrackedSession = http2.connect(authority, {
      ...tls,
      settings: { enablePush: false },
      // Node's session memory check fails large messages; HTTP/2 flow control already bounds them.
      maxSessionMemory: Number.MAX_SAFE_INTEGER,
    });
    this.session = session;
    this.sessions.add(session);
    const keepalive = this.options.limits?.keepalive;
    if (keepalive !== undefined) {
      keepSessionAlive(session, keepalive.timeMs, keepalive.timeoutMs, keepalive.permitWithoutCalls ? undefined : () => this.activeCalls > 0);
    }
    session.once('connect', () => {
      if (this.session !== session) return;
      this.state = 'ready';
      this.backoffMs = INITIAL_BACKOFF_MS;
      const waiters = this.waiters;
      this.waiters = [];
      for (const waiter of waiters) waiter.resolve(session);
    });
    session.on('error', () => undefined); // reported through 'close' and each stream's own close
    session.once('goaway', (_code: number, lastStreamId: number) => {
      session[GOAWAY_LAST_STREAM] = lastStreamId;
      this.retire(session);
    });
    session.once('close', () => {
      this.sessions.delete(session);
      if (this.session !== session) return;
      const neverConnected = this.state === 'connecting';
      this.retire(session);
      if (neverConnected) this.fail();
    });
    // A session with no calls must not keep the process alive (grpc-js' channels do not either).
    if (this.activeCalls === 0) session.unref();
  }

  /** New calls go to a new session; this one finishes the calls it took. */
  private retire(session: ClientHttp2Session): void {
    if (this.session !== session) return;
    this.session = undefined;
    if (this.state === 'ready') this.state = 'idle';
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

// The lean server transport: gRPC on node:http2, which does the HTTP/2 work
// (framing, flow control, HPACK, SETTINGS). Each stream becomes a WireCall,
// the interceptor chain wraps it as on grpc-js, and the handler runs on top.
import http2, { type Http2SecureServer, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream, type ServerOptions } from 'node:http2';
import type { SecureContextOptions } from 'node:tls';
import type { ServerTls } from '../../security/tls/server-tls.js';
import type { ServerInterceptingCallInterface, ServerInterceptor, ServerMethodDefinition, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { Code } from '../../status/codes.js';
import { enforceMinPingInterval } from '../ping-policy.js';
import { keepSessionAlive } from '../../wire/keepalive.js';
import { registeredMethods, type RegisteredMethod } from './registered-method.js';
import { runHandler } from './run-handler.js';
import { statusHeaders } from '../../wire/status-trailers.js';
import type { ServerTransport } from './transport.js';
import { ignoreStreamError, TRAILERS_ONLY_OPTIONS, WireCall, type WireLimits } from './wire-call.js';
import { limitConnectionLifetime, streamClosed, streamOpened, type ConnectionLifetime } from './connection-lifetime.js';

export interface Http2TransportOptions extends WireLimits {
  readonly interceptors: readonly ServerInterceptor[];
  readonly maxConcurrentStreams: number;
  readonly keepaliveTimeMs: number;
  readonly keepaliveTimeoutMs: number;
  /** 0 = clients may ping as often as they like. */
  readonly minClientPingIntervalMs: number;
  /** max_connection_idle, max_connection_age and its grace. */
  readonly connectionLifetime: ConnectionLifetime;
  /** [tls]: served over TLS only, the certificate swapped in place when the provider reloads it; absent = plaintext. */
  readonly tls?: ServerTls;
}

interface Route {
  readonly method: RegisteredMethod;
  /** What the interceptors are handed, built once per method. */
  readonly definition: ServerMethodDefinition<unknown, unknown>;
}

export class Http2Transport implements ServerTransport {
  readonly name = 'http2';
  private readonly routes = new Map<string, Route>();
  private readonly sessions = new Set<ServerHttp2Session>();
  private server: Http2Server | Http2SecureServer | undefined;
  private stopWatchingTls: (() => void) | undefined;

  constructor(private readonly options: Http2TransportOptions) {}

  addService(definition: ServiceDefinition, implementation: UntypedServiceImplementation): void {
    for (const method of registeredMethods(definition, implementation)) {
      if (this.routes.has(method.path)) throw new Error(`tusk-grpc: method ${method.path} is already served`);
      const requestStream = method.type === 'clientStream' || method.type === 'bidi';
      const responseStream = method.type === 'serverStream' || method.type === 'bidi';
      this.routes.set(method.path, {
        method,
        definition: { path: method.path, requestStream, responseStream, requestDeserialize: method.deserialize, responseSerialize: method.serialize },
      });
    }
  }

  bind(host: string, port: number): Promise<number> {
    const options: ServerOptions = {
      settings: { maxConcurrentStreams: this.options.maxConcurrentStreams },
      // Node's session memory check degrades badly under large messages; flow control already bounds what a peer sends.
      maxSessionMemory: Number.MAX_SAFE_INTEGER,
    };
    const server = this.options.tls === undefined ? http2.createServer(options) : this.createSecureServer(options, this.options.tls);
    this.server = server;
    server.on('session', (session: ServerHttp2Session) => this.openSession(session));
    server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => this.openStream(stream, headers));
    return new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.removeListener('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  tryShutdown(done: () => void): void {
    this.stopWatchingTls?.();
    const server = this.server;
    if (!server) return done();
    server.close(() => done());
    // GOAWAY naming the last stream taken: those finish, later ones the client retries elsewhere.
    for (const session of this.sessions) if (!session.closed) session.close();
  }

  forceShutdown(): void {
    this.stopWatchingTls?.();
    for (const session of this.sessions) session.destroy();
    this.server?.close();
  }

  /**
   * TLS with the provider's current material; `client_auth` "request" asks
   * for a client certificate, "require" refuses a handshake without a valid
   * one (as grpc-js' credentials do). A reload swaps the context for new
   * connections (setSecureContext); open ones keep theirs.
   */
  private createSecureServer(options: ServerOptions, tls: ServerTls): Http2SecureServer {
    const secureOptions = (): SecureContextOptions => tls.provider.material();
    const server = http2.createSecureServer({
      ...options,
      ...secureOptions(),
      requestCert: tls.clientAuth !== 'none',
      rejectUnauthorized: tls.clientAuth === 'require',
    });
    this.stopWatchingTls = tls.provider.watch(() => server.setSecureContext(secureOptions()));
    return server;
  }

  private openSession(session: ServerHttp2Session): void {
    this.sessions.add(session);
    session.on('error', () => undefined);
    session.once('close', () => this.sessions.delete(session));
    keepSessionAlive(session, this.options.keepaliveTimeMs, this.options.keepaliveTimeoutMs);
    if (this.options.minClientPingIntervalMs > 0) enforceMinPingInterval(session, this.options.minClientPingIntervalMs);
    limitConnectionLifetime(session, this.options.connectionLifetime);
  }

  private openStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    streamOpened(stream);
    const contentType = headers['content-type'];
    if (typeof contentType !== 'string' || !contentType.startsWith('application/grpc')) {
      watchRefusedStream(stream);
      stream.respond({ ':status': 415 }, TRAILERS_ONLY_OPTIONS);
      return;
    }
    const route = this.routes.get(headers[':path'] ?? '');
    if (route === undefined) {
      watchRefusedStream(stream);
      stream.respond(statusHeaders({ ':status': 200, 'content-type': 'application/grpc' }, Code.UNIMPLEMENTED, `The server does not implement the method ${headers[':path']}`, null), TRAILERS_ONLY_OPTIONS);
      return;
    }
    let call: ServerInterceptingCallInterface = new WireCall(stream, headers, route.method, this.options);
    for (const interceptor of this.options.interceptors) call = interceptor(route.definition, call);
    runHandler(call, route.method);
  }
}

/** A stream answered at once (no route, not gRPC): its errors are ignored, its close ends it for the idle bookkeeping. */
function watchRefusedStream(stream: ServerHttp2Stream): void {
  stream.on('error', ignoreStreamError);
  stream.once('close', onRefusedStreamClose);
}
function onRefusedStreamClose(this: ServerHttp2Stream): void {
  streamClosed(this);
}

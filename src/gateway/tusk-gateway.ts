import { newRequestId } from '../telemetry/request-id.js';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientOptions } from '../client/client-options.js';
import type { ServiceDescriptor } from '../config/service-definition.js';
import { serveConnect } from './connect-handler.js';
import { connectStreamCodec, serveConnectStream } from './connect-stream-handler.js';
import { grpcWebMode, serveGrpcWeb } from './grpc-web-handler.js';
import { mediaTypeOf, send, sendError, type Exchange, type GatewayRuntime } from './exchange.js';
import { readGatewayService, type GatewayService } from './http-rules.js';
import { openApiDocument } from './openapi.js';
import { serveRest } from './rest-handler.js';
import { RestRouter, RpcPathRouter } from './router.js';
import { Upstreams } from './upstream.js';
import { loadGatewayConfig, type EdgePolicySettings } from './gateway-config.js';
import { connectErrorResponse, restErrorResponse } from './http-errors.js';
import type { GatewayMethod } from './http-rules.js';
import { EdgePipeline, type EdgeRequest, type RedisStoreOptions } from './policies/index.js';
import type { Logger } from '../telemetry/logger-types.js';
import { createLogger } from '../telemetry/logger.js';
import { asTuskError } from '../status/tusk-error.js';

export interface TuskGatewayOptions {
  /** The generated `<Svc>Descriptor`s to serve; each gets a tusk client. */
  readonly services: readonly ServiceDescriptor[];
  /**
   * A gateway .tsk with a [gateway] section (port, host, max_body, max_timeout,
   * services, emit_zero_values); options given here win over it. Its
   * `services` narrows `services` above to those names.
   */
  readonly config?: string;
  /** Default 8080; 0 = any free port (read `gateway.port` after start). */
  readonly port?: number;
  /** Default "0.0.0.0". */
  readonly host?: string;
  /** Largest accepted request body; larger gets 413. Default 4 MiB. */
  readonly maxBodyBytes?: number;
  /** Cap on every call's deadline, whatever the caller asks. Default 30 s. */
  readonly maxTimeoutMs?: number;
  /** JSON answers include fields holding zero values (0, "", false, []). Default true. */
  readonly emitZeroValues?: boolean;
  /** Options of the upstream clients (endpoints, registry, discovery, interceptors...), or a function of the service. */
  readonly client?: ClientOptions | ((descriptor: ServiceDescriptor) => ClientOptions);
  /** How long `stop()` waits for in-flight requests before closing their connections. Default 10 s. */
  readonly shutdownGraceMs?: number;
  /** A client must send its whole request (headers and body) within this; a slow one gets 408. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Peers whose X-Forwarded-For is believed for the client address (addresses or CIDR blocks). Default none. */
  readonly trustedProxies?: readonly string[];
  /** Edge policies ([cors], [rate_limit], [auth], [methods]); each given here replaces the config's. */
  readonly policies?: Partial<EdgePolicySettings>;
  /** Reconnect and command timing of the Redis rate limit store (tests shorten them). */
  readonly redis?: RedisStoreOptions;
  /** For the audit lines of refused calls and the rate limit store's state. Default: tusk-grpc's logger (TUSK_LOG_LEVEL). */
  readonly logger?: Logger;
}

type State = 'new' | 'starting' | 'serving' | 'stopping' | 'stopped';

/**
 * The HTTP edge in front of tusk services: REST transcoding of
 * google.api.http routes, and on each method's gRPC path the Connect protocol
 * (unary and server streaming) and gRPC-Web (binary and text), each call made
 * through the tusk client pipeline. `GET /healthz` answers 200 while serving;
 * `GET /openapi.json` describes the REST routes.
 */
export class TuskGateway {
  private readonly services: readonly GatewayService[];
  private readonly router: RestRouter;
  private readonly rpcPaths: RpcPathRouter;
  private readonly openApiText: string;
  private readonly options: TuskGatewayOptions;
  private runtime: GatewayRuntime | undefined;
  private edge: EdgePipeline | undefined;
  private server: Server | undefined;
  private state: State = 'new';
  private inFlight = 0;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(options: TuskGatewayOptions) {
    const known = options.services.map((descriptor) => descriptor.name);
    const methodNames = [...new Set(options.services.flatMap((descriptor) => Object.values(descriptor.methods).map((method) => method.name)))];
    const settings = options.config === undefined ? undefined : loadGatewayConfig(options.config, process.env, process.cwd(), known, methodNames);
    this.options = {
      ...(settings === undefined ? {} : {
        port: settings.port, host: settings.host, maxBodyBytes: settings.maxBodyBytes, maxTimeoutMs: settings.maxTimeoutMs, emitZeroValues: settings.emitZeroValues, trustedProxies: settings.trustedProxies,
      }),
      ...withoutUndefined(options),
      policies: { ...NO_POLICIES, ...settings?.policies, ...withoutUndefined(options.policies ?? {}) },
      services: settings?.services == null ? options.services : options.services.filter((descriptor) => settings.services!.includes(descriptor.name)),
    };
    if (this.options.services.length === 0) throw new TypeError('tusk-grpc: TuskGateway needs at least one service descriptor');
    // Every annotation is read and checked here: a bad rule fails construction, not the first request.
    this.services = this.options.services.map(readGatewayService);
    this.router = new RestRouter(this.services);
    this.rpcPaths = new RpcPathRouter(this.services);
    this.openApiText = JSON.stringify(openApiDocument(this.services));
  }

  /** The bound port; throws before start(). */
  get port(): number {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('tusk-grpc: the gateway is not listening: await gateway.start() first');
    return address.port;
  }

  /** The full names of the services it serves (the config's `services`, else every descriptor given). */
  get serviceNames(): string[] {
    return this.options.services.map((descriptor) => descriptor.name);
  }

  /** The address it listens on (the option, else the config's, else every interface). */
  get host(): string {
    return this.options.host ?? '0.0.0.0';
  }

  /** REST routes read from the google.api.http annotations. */
  get routeCount(): number {
    return this.router.size;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`tusk-grpc: gateway.start() called when ${this.state}`);
    this.state = 'starting';
    const policies = this.options.policies as EdgePolicySettings;
    this.edge = EdgePipeline.create({
      ...policies, trustedProxies: this.options.trustedProxies ?? [], redis: this.options.redis, logger: this.options.logger ?? createLogger({ name: 'tusk-gateway' }),
    });
    const clientOptions = this.options.client;
    this.runtime = {
      upstreams: new Upstreams(this.options.services, (descriptor) => (typeof clientOptions === 'function' ? clientOptions(descriptor) : (clientOptions ?? {}))),
      maxBodyBytes: this.options.maxBodyBytes ?? 4 * 1024 * 1024,
      maxTimeoutMs: this.options.maxTimeoutMs ?? 30_000,
      json: { emitZeroValues: this.options.emitZeroValues ?? true },
    };
    const requestTimeout = this.options.requestTimeoutMs ?? 30_000;
    // Node checks request timeouts every connectionsCheckingInterval (30 s by default): often enough to honour a short one.
    const connectionsCheckingInterval = Math.min(30_000, Math.max(25, Math.floor(requestTimeout / 4)));
    const server = createServer({ requestTimeout, connectionsCheckingInterval }, (request, response) => this.handle(request, response));
    this.server = server;
    server.listen(this.options.port ?? 8080, this.host);
    try {
      await once(server, 'listening');
    } catch (error) {
      this.state = 'stopped';
      await this.runtime.upstreams.close();
      await this.edge.close();
      throw error;
    }
    this.state = 'serving';
  }

  /** Stops accepting, lets in-flight requests finish (up to shutdownGraceMs), then closes connections and clients. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'new') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    const server = this.server!;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await this.drained(this.options.shutdownGraceMs ?? 10_000);
    server.closeAllConnections();
    await closed;
    await this.runtime!.upstreams.close();
    await this.edge!.close();
    this.state = 'stopped';
  }

  private drained(graceMs: number): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      timer.unref();
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    this.inFlight++;
    const abort = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) abort.abort();
      this.inFlight--;
      if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    });
    // While draining, answers close their connection so keep-alive clients move on.
    if (this.state === 'stopping') response.setHeader('connection', 'close');
    const header = request.headers['x-request-id'];
    const requestId = typeof header === 'string' && header.trim() !== '' ? header.trim() : newRequestId();
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://gateway');
    } catch {
      response.writeHead(400, { 'content-type': 'application/json', 'x-request-id': requestId });
      response.end(JSON.stringify({ code: 3, message: 'the request target is not a valid URL', details: [] }));
      return;
    }
    const exchange: Exchange = { request, response, url, requestId, signal: abort.signal, upstream: {} };
    void this.dispatch(exchange).catch((error: unknown) => {
      // The handlers answer their own failures; this is a bug's last line, never a crash.
      send(exchange, 500, 'application/json', JSON.stringify({ code: 13, message: `gateway error: ${String(error)}`, details: [] }));
    });
  }

  private async dispatch(exchange: Exchange): Promise<void> {
    const { pathname } = exchange.url;
    if (pathname === '/healthz') {
      const serving = this.state === 'serving';
      send(exchange, serving ? 200 : 503, 'text/plain', serving ? 'ok\n' : `${this.state}\n`);
      return;
    }
    if (pathname === '/openapi.json' && (exchange.request.method === 'GET' || exchange.request.method === 'HEAD')) {
      send(exchange, 200, 'application/json', this.openApiText);
      return;
    }
    const rpcMethod = this.rpcPaths.lookup(pathname);
    const restMatch = rpcMethod === undefined ? this.router.match(exchange.request.method ?? 'GET', pathname) : undefined;
    const method = rpcMethod ?? (restMatch?.kind === 'found' ? restMatch.route.method : undefined);
    // The edge policies (policies/edge-pipeline.ts) run before any route: nothing they refuse reaches a service.
    const edgeRequest: EdgeRequest = { exchange, method, clientIp: '', principal: undefined };
    try {
      if ((await this.edge!.admit(edgeRequest)) === 'answered') return;
    } catch (error) {
      return refuseAtEdge(exchange, error, method, rpcMethod !== undefined);
    }
    if (rpcMethod !== undefined) {
      // One path per method; the content type says which protocol the caller speaks.
      const mediaType = mediaTypeOf(exchange);
      const grpcWeb = grpcWebMode(mediaType);
      if (grpcWeb !== undefined) return serveGrpcWeb(this.runtime!, rpcMethod, exchange, grpcWeb);
      const streamCodec = connectStreamCodec(mediaType);
      if (streamCodec !== undefined) return serveConnectStream(this.runtime!, rpcMethod, exchange, streamCodec);
      return serveConnect(this.runtime!, rpcMethod, exchange);
    }
    return serveRest(this.runtime!, restMatch!, exchange);
  }
}

const NO_POLICIES: EdgePolicySettings = { cors: null, rateLimit: null, auth: null, methods: {} };

/**
 * A request an edge policy refused (401, 403, 429): on a method's gRPC path
 * Connect's error body, else (REST) a JSON google.rpc.Status; on gRPC paths
 * also grpc-status and grpc-message headers, which gRPC-Web clients read from
 * a trailers-only answer.
 */
function refuseAtEdge(exchange: Exchange, error: unknown, method: GatewayMethod | undefined, rpcPath: boolean): void {
  const connect = rpcPath && grpcWebMode(mediaTypeOf(exchange)) === undefined;
  const answer = connect ? connectErrorResponse(error, method?.service.registry) : restErrorResponse(error, method?.service.registry);
  const failure = asTuskError(error);
  const grpcHeaders: Record<string, string> = rpcPath ? { 'grpc-status': String(failure.code), 'grpc-message': encodeURIComponent(failure.message) } : {};
  sendError(exchange, answer, grpcHeaders);
}

function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}

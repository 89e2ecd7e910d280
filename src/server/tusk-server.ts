import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeClient } from '../client/create-client.js';
import { resolveServiceConfig } from '../config/resolve-descriptor.js';
import type { DiscoverySection, ResolvedDescriptor } from '../config/types.js';
import { createRegistry } from '../discovery/create-registry.js';
import { createAuthStage, type AuthStage } from '../security/auth/index.js';
import type { Registry, RegistrationHandle } from '../discovery/types.js';
import { serverTlsCredentials, tlsConnectionAgeOption, type ServerTls } from '../security/tls/index.js';
import { Code } from '../status/codes.js';
import { installOneLineFatal } from '../status/fatal.js';
import { TuskError } from '../status/tusk-error.js';
import { createLogger } from '../telemetry/logger.js';
import type { Logger } from '../telemetry/logger-types.js';
import { tuskMetrics } from '../telemetry/metrics.js';
import { startMetricsServer, type MetricsServer } from '../telemetry/metrics-server.js';
import { createServerMetricsHook, createServerTraceHook } from '../telemetry/runtime-hooks.js';
import { holdTelemetry } from '../telemetry/sdk.js';
import { createAdmission } from '../overload/create-admission.js';
import type { Admission } from '../overload/admission.js';
import { overloadMetrics } from '../telemetry/overload-metrics.js';
import { ActiveCalls } from './active-calls.js';
import { chooseAdvertiseHost } from './advertise-host.js';
import { EventHosting } from './event-hosting.js';
import { bindService } from './bind-service.js';
import { grpcStatus } from './handler-errors.js';
import { ServerHealth } from './health.js';
import { InFlightCalls } from './in-flight-calls.js';
import { addReflection } from './reflection.js';
import { redactingLogger } from './redacting-logger.js';
import { serverInterceptorChain } from './server-interceptors.js';
import { serverChannelOptions } from './server-limits.js';
import type { TuskServerOptions } from './server-options.js';
import { takeOwnClients, type ServiceBase } from './service-base.js';
import { handleSignalsFor, releaseSignalsFor } from './signals.js';
import { assertPortFree, bindFailure } from './start-errors.js';
import { createServerTransport, type ServerTransport } from './transport/index.js';

/** After the drain, how long sessions get to close cleanly before the sockets are cut. */
const CLOSE_AFTER_DRAIN_MS = 2_000;
/** Drain delay for a registry that does not say how fast its watchers see a removal. */
const DEFAULT_REMOVAL_VISIBLE_MS = 1_000;

type State = 'new' | 'starting' | 'serving' | 'stopping' | 'stopped';

interface Hosted {
  readonly service: ServiceBase;
  readonly config: ResolvedDescriptor;
}

const hostPort = (host: string, port: number) => (host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`);

/**
 * Hosts services built from generated bases: binds, opens the event broker
 * when a service declares events, awaits each service's optional onStart(),
 * subscribes the event handlers, registers each service in its registry, then
 * reports SERVING; stop() reverses that and drains calls and handlers.
 */
export class TuskServer {
  private readonly services: ServiceBase[] = [];
  private readonly activeCalls = new ActiveCalls();
  private state: State = 'new';
  private startPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private transport: ServerTransport | undefined;
  private health: ServerHealth | undefined;
  private inFlight: InFlightCalls | undefined;
  private admission: Admission | undefined;
  private hosted: Hosted[] = [];
  private registrations: RegistrationHandle[] = [];
  private ownedRegistries: Registry[] = [];
  private readonly registriesByDiscovery = new Map<string, Registry>();
  /** Providers of the owned registries: their `tusk_registry_connected` gauge drops to 0 when they close. */
  private readonly ownedProviders = new Set<string>();
  private boundPort = 0;
  private tls: ServerTls | undefined;
  private advertised = '';
  private drainDelayMs = 0;
  /** Services whose onStart() resolved: they get onStop(). */
  private readonly startedServices = new Set<ServiceBase>();
  private serverLogger: Logger | undefined;
  private metricsServer: MetricsServer | undefined;
  private releaseTelemetry: (() => Promise<void>) | undefined;
  private authStage: AuthStage | undefined;
  private events: EventHosting | undefined;
  readonly instanceId: string;

  constructor(private readonly options: TuskServerOptions = {}) {
    this.instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  }

  /** Serial (hex) of the TLS certificate served now; undefined without [tls] cert. */
  get tlsCertificateSerial(): string | undefined {
    return this.tls?.provider.serial;
  }

  /** The bound port once start() resolved; 0 before. */
  get port(): number {
    return this.boundPort;
  }

  /** "host:port" as written to the registry; empty before start(). */
  get address(): string {
    return this.advertised;
  }

  get logger(): Logger | undefined {
    return this.serverLogger;
  }

  /** The bound port of the `/metrics` + `/healthz` HTTP server; undefined when `[telemetry] metrics_port` is unset. */
  get metricsPort(): number | undefined {
    return this.metricsServer?.port;
  }

  add(service: ServiceBase): this {
    if (this.state !== 'new') throw new Error('tusk-grpc: add() services before start()');
    if (this.services.some((known) => known.descriptor.name === service.descriptor.name)) {
      throw new Error(`tusk-grpc: ${service.descriptor.name} is already added`);
    }
    this.services.push(service);
    return this;
  }

  start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`tusk-grpc: start() called on a server that is ${this.state}`);
    if (this.services.length === 0) throw new Error('tusk-grpc: add() at least one service before start()');
    this.state = 'starting';
    // A start-up failure nobody catches (port in use, no address to advertise) ends the process with one line.
    installOneLineFatal();
    this.startPromise = this.startServing().catch(async (error: unknown) => {
      await this.abandonStart();
      throw error;
    });
    return this.startPromise;
  }

  /**
   * NOT_SERVING, deregister, keep serving for drain_delay (watchers see the
   * removal), refuse new calls and drain up to shutdown_grace, force, then
   * each service's onStop(). Safe to call more than once.
   */
  stop(): Promise<void> {
    this.stopPromise ??= this.shutdown();
    return this.stopPromise;
  }

  private async startServing(): Promise<void> {
    const env = this.options.env ?? process.env;
    this.hosted = this.services.map((service) => ({ service, config: resolveServiceConfig(service.descriptor, env) }));
    const first = this.hosted[0]!.config;
    // TUSK_LOG_LEVEL first, then the first service's [telemetry] log_level.
    const logger = this.options.logger ? redactingLogger(this.options.logger) : createLogger({ level: first.telemetry.logLevel, env });
    this.serverLogger = logger;
    // Certificates checked before anything else starts: a bad file is one line naming it, exit 1.
    this.tls = serverTlsCredentials(first.tls, logger);
    // Before any call can arrive, so the trace hook's spans come from the real SDK.
    this.releaseTelemetry = await holdTelemetry({ serviceName: first.service.name, serviceVersion: first.service.version });

    const serviceNames = new Set(this.hosted.map(({ service }) => service.descriptor.name));
    const inFlight = new InFlightCalls((path) => serviceNames.has(path.split('/')[1] ?? ''));
    this.inFlight = inFlight;
    // [auth] of the hosted services; none = no auth stage in the chain at all. Key files are read now.
    this.authStage = this.options.auth ? undefined : createAuthStage(this.hosted.map(({ service, config }) => ({ descriptor: service.descriptor, config })), { logger });
    const auth = this.options.auth ?? this.authStage?.hook;
    // Overload admission ([server] overload): absent when off.
    this.admission = createAdmission(this.hosted.map(({ service, config }) => ({ descriptor: service.descriptor, config })), logger, overloadMetrics(tuskMetrics().registry));
    const server = createServerTransport(first.server.transport, {
      interceptors: serverInterceptorChain({
        inFlight,
        logger,
        trace: this.options.trace ?? createServerTraceHook(),
        metrics: this.options.metrics ?? createServerMetricsHook(),
        ...(auth ? { auth } : {}),
        ...(this.admission ? { admission: this.admission } : {}),
        user: this.options.interceptors ?? [],
      }),
      channelOptions: {
        ...serverChannelOptions(this.hosted.map(({ config }) => config.server), this.options.maxReceiveMessageBytes),
        ...tlsConnectionAgeOption(first.tls, first.server),
      },
      credentials: this.tls?.credentials,
      tls: this.tls,
      minClientPingIntervalMs: Math.min(...this.hosted.map(({ config }) => config.server.keepalive.minClientPingIntervalMs)),
      logger,
    });
    this.transport = server;
    for (const { service } of this.hosted) {
      const { definition, implementation } = bindService(service, logger, this.activeCalls, this.options.middleware);
      server.addService(definition, implementation);
    }
    this.health = new ServerHealth([...serviceNames]);
    this.health.addToServer(server);
    if (this.options.reflection !== false) {
      addReflection(server, this.hosted.filter(({ config }) => this.options.reflection === true || config.server.reflection).map(({ service }) => service.descriptor));
    }

    const host = this.options.host ?? first.service.host;
    const port = this.options.port ?? first.service.port;
    await assertPortFree(host, port);
    // With [tls] cert and key: TLS only, nothing plaintext on the side.
    this.boundPort = await server.bind(host, port).catch((error: unknown) => {
      throw bindFailure(host, port, error as Error);
    });
    this.advertised = hostPort(
      chooseAdvertiseHost({
        bindHost: host,
        chosen: this.options.advertiseHost ?? first.service.advertiseHost,
        sharedRegistry: this.options.registry
          ? this.options.registry.sharedAcrossMachines === true
          : this.hosted.some(({ config }) => config.discovery.provider === 'etcd'),
      }),
      this.boundPort,
    );
    if (first.telemetry.metricsPort !== null) {
      // Same interface as the gRPC port: a server bound to loopback keeps its metrics there too.
      this.metricsServer = await startMetricsServer(first.telemetry.metricsPort, { host });
      logger.info({ metrics_port: this.metricsServer.port }, 'metrics on /metrics, health on /healthz');
    }

    // The broker first, so onStart() may publish; handlers only once the services are ready.
    this.events = new EventHosting(logger);
    await this.events.open(this.hosted);
    // Services finish warming up before anyone can find them.
    await Promise.all(
      this.hosted.map(async ({ service }) => {
        await service.onStart?.();
        this.startedServices.add(service);
      }),
    );
    await this.events.subscribe(this.hosted);
    // Registered only once bound and ready; SERVING only once registered.
    for (const { service, config } of this.hosted) {
      const registry = this.registryFor(config.discovery, logger);
      const handle = await registry.register({
        service: service.descriptor.name,
        address: this.advertised,
        metadata: { ...config.service.metadata, version: config.service.version, instance_id: this.instanceId },
      });
      this.registrations.push(handle);
      if (!this.options.registry) tuskMetrics().registryConnected(config.discovery.provider, true);
      const drainDelay = this.options.drainDelayMs ?? config.server.drainDelayMs ?? registry.removalVisibleWithinMs ?? DEFAULT_REMOVAL_VISIBLE_MS;
      this.drainDelayMs = Math.max(this.drainDelayMs, drainDelay);
    }
    this.health.setAll('SERVING');
    if (this.options.handleSignals ?? true) handleSignalsFor(this);
    this.state = 'serving';
    logger.info({ bind: hostPort(host, this.boundPort), address: this.advertised, tls: this.tls === undefined ? 'off' : first.tls.clientAuth === 'require' ? 'mtls' : 'on', services: [...serviceNames], instance_id: this.instanceId }, 'serving');
  }

  /** One registry per distinct [discovery] section, unless the options supply one. */
  private registryFor(discovery: DiscoverySection, logger: Logger): Registry {
    if (this.options.registry) return this.options.registry;
    const key = JSON.stringify(discovery);
    let registry = this.registriesByDiscovery.get(key);
    if (!registry) {
      const provider = discovery.provider;
      this.ownedProviders.add(provider);
      registry = createRegistry(discovery, { logger, onConnectionChange: (connected) => tuskMetrics().registryConnected(provider, connected) });
      this.registriesByDiscovery.set(key, registry);
      this.ownedRegistries.push(registry);
    }
    return registry;
  }

  private get shutdownGraceMs(): number {
    return this.options.shutdownGraceMs ?? Math.max(0, ...this.hosted.map(({ config }) => config.server.shutdownGraceMs));
  }

  private async shutdown(): Promise<void> {
    if (this.state === 'new') {
      this.state = 'stopped';
      return;
    }
    if (this.state === 'starting') await this.startPromise?.catch(() => undefined);
    if (this.state === 'stopped') return;
    this.state = 'stopping';
    const logger = this.serverLogger!;
    const graceMs = this.shutdownGraceMs;
    const began = Date.now();
    logger.info({ in_flight: this.inFlight!.serviceCalls, drain_delay_ms: this.drainDelayMs, grace_ms: graceMs }, 'draining');

    this.health!.setAll('NOT_SERVING');
    // No new events from now; the running handlers drain alongside the calls, within the same grace.
    void this.events?.stopTaking();
    await this.deregisterAll(logger);
    // Serve on until every watcher has seen the removal, so no caller is still choosing this instance when it closes.
    if (this.drainDelayMs > 0) await sleep(this.drainDelayMs);
    const started = Date.now();
    // Refuse new calls; calls already accepted run on.
    const closed = new Promise<void>((resolve) => this.transport!.tryShutdown(resolve));
    const drained = await this.inFlight!.waitForServiceCalls(Math.max(0, graceMs - (Date.now() - started)));
    const shuttingDown = new TuskError(Code.UNAVAILABLE, 'server shutting down');
    if (!drained) {
      logger.warn({ in_flight: this.inFlight!.serviceCalls }, 'shutdown grace passed, cancelling the calls still running');
      this.activeCalls.abortAll(shuttingDown);
    }
    // Health watches and reflection streams never end on their own (nor, past the grace, service calls).
    this.inFlight!.endAll({ code: grpcStatus(shuttingDown.code), details: shuttingDown.message });
    await this.events?.drained(graceMs + this.drainDelayMs - (Date.now() - began));
    const cleanlyClosed = await Promise.race([closed.then(() => true), sleep(CLOSE_AFTER_DRAIN_MS, false, { ref: false })]);
    if (!cleanlyClosed) this.transport!.forceShutdown();
    this.admission?.close();
    const stopFailure = await this.stopServices(logger);
    // After onStop(), which may still publish.
    await this.events?.close();
    await this.closeOwnedRegistries(logger);
    await this.closeTelemetry();
    this.authStage?.close();
    releaseSignalsFor(this);
    this.state = 'stopped';
    logger.info({ drained, duration_ms: Date.now() - began }, 'stopped');
    if (stopFailure !== undefined) throw stopFailure;
  }

  /** Every started service's onStop(), in parallel; failures are logged and the first is returned. */
  private async stopServices(logger: Logger): Promise<unknown> {
    const services = [...this.startedServices];
    this.startedServices.clear();
    const results = await Promise.allSettled(services.map(async (service) => service.onStop?.()));
    let first: unknown;
    for (const [index, result] of results.entries()) {
      if (result.status === 'fulfilled') continue;
      logger.error({ err: result.reason, service: services[index]!.descriptor.name }, 'onStop() failed');
      first ??= result.reason;
    }
    // After onStop(), which may still call downstream: their discovery watches would keep the process alive.
    const clients = this.hosted.flatMap(({ service }) => takeOwnClients(service));
    for (const result of await Promise.allSettled(clients.map((client) => closeClient(client)))) {
      if (result.status === 'rejected') logger.warn({ err: result.reason }, 'closing a clientOf() client failed');
    }
    return first;
  }

  /** Metrics server, then the SDK (flushing spans of the calls that just ended). */
  private async closeTelemetry(): Promise<void> {
    const metricsServer = this.metricsServer;
    this.metricsServer = undefined;
    await metricsServer?.close();
    const release = this.releaseTelemetry;
    this.releaseTelemetry = undefined;
    await release?.();
  }

  private async deregisterAll(logger: Logger): Promise<void> {
    const handles = this.registrations;
    this.registrations = [];
    const results = await Promise.allSettled(handles.map((handle) => handle.deregister()));
    for (const result of results) {
      if (result.status === 'rejected') logger.warn({ err: result.reason }, 'deregistration failed; the lease will expire on its own');
    }
  }

  private async closeOwnedRegistries(logger: Logger): Promise<void> {
    const results = await Promise.allSettled(this.ownedRegistries.map((registry) => registry.close()));
    this.ownedRegistries = [];
    for (const provider of this.ownedProviders) tuskMetrics().registryConnected(provider, false);
    this.ownedProviders.clear();
    for (const result of results) if (result.status === 'rejected') logger.warn({ err: result.reason }, 'closing the registry failed');
  }

  /** A start() that failed half way leaves nothing bound or registered behind. */
  private async abandonStart(): Promise<void> {
    const logger = this.serverLogger ?? createLogger({ env: this.options.env ?? process.env });
    this.health?.setAll('NOT_SERVING');
    await this.deregisterAll(logger);
    this.transport?.forceShutdown();
    this.admission?.close();
    await this.stopServices(logger);
    await this.events?.close();
    await this.closeOwnedRegistries(logger);
    await this.closeTelemetry();
    this.authStage?.close();
    releaseSignalsFor(this);
    this.state = 'stopped';
  }
}

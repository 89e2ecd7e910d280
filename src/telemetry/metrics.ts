import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { CallHistogram, type HistogramSeries } from './call-histogram.js';
import type { BreakerStateName } from '../resilience/endpoint-breaker.js';

/**
 * RED metrics per method for server and client, named after the OTel RPC
 * conventions in Prometheus form (rpc.server.duration → rpc_server_duration_seconds,
 * attributes rpc.service / rpc.method / rpc.grpc.status_code as labels), plus
 * the runtime's own state under `tusk_`.
 */
export interface TuskMetrics {
  readonly registry: Registry;
  /** A server call began; the returned function records its end (status code, duration). */
  serverCallStarted(service: string, method: string): (statusCode: number, durationMs: number) => void;
  /** A client call began (all attempts together); the returned function records its end. */
  clientCallStarted(service: string, method: string): (statusCode: number, durationMs: number) => void;
  /** A client retry was scheduled. */
  retry(service: string, method: string): void;
  /** The retry budget refused a retry the policy would have made. */
  retryBudgetRejected(service: string, method: string): void;
  /** An endpoint answered "busy" (shed, pushback, deadline too short): parked for its pushback. */
  pushback(service: string, endpoint: string): void;
  /** A call found every usable endpoint busy and failed fast, unsent. */
  endpointsBusy(service: string, method: string): void;
  breakerState(service: string, endpoint: string, state: BreakerStateName): void;
  /** An endpoint left: drop its breaker series so the scrape shows only live endpoints. */
  forgetEndpoint(service: string, endpoint: string): void;
  discoveryEndpoints(service: string, count: number): void;
  registryConnected(provider: string, connected: boolean): void;
  /** The auth stage refused a call: code UNAUTHENTICATED or PERMISSION_DENIED, reason from a closed set. */
  authRefused(service: string, method: string, code: string, reason: string): void;
}

/** The gauge's value per breaker state (cockatiel's CircuitState: Closed 0, Open 1, HalfOpen 2, Isolated 3). */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerStateName, number>> = { closed: 0, open: 1, half_open: 2, isolated: 3 };

/** OTel's recommended RPC duration buckets (seconds), with finer steps under 5 ms for loopback calls. */
export const RPC_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export interface MetricsOptions {
  /** Defaults to a new registry; pass prom-client's global `register` to share one with the app. */
  readonly registry?: Registry;
  /** Also collect prom-client's process metrics (CPU, memory, event loop lag). Default true. */
  readonly processMetrics?: boolean;
}

const METHOD_LABELS = ['rpc_system', 'rpc_service', 'rpc_method'] as const;
const RESULT_LABELS = [...METHOD_LABELS, 'rpc_grpc_status_code'] as const;

type MethodLabels = Readonly<Record<(typeof METHOD_LABELS)[number], string>>;
type ResultLabels = Readonly<Record<(typeof RESULT_LABELS)[number], string>>;

/** One method's label sets, built once, its calls in flight, and one recording series per status code seen. */
class MethodSeries {
  readonly labels: MethodLabels;
  inFlight = 0;
  private readonly results = new Map<number, HistogramSeries>();

  constructor(service: string, method: string, private readonly duration: CallHistogram) {
    this.labels = { rpc_system: 'grpc', rpc_service: service, rpc_method: method };
  }

  result(statusCode: number): HistogramSeries {
    let series = this.results.get(statusCode);
    if (series === undefined) {
      const labels: ResultLabels = { ...this.labels, rpc_grpc_status_code: String(statusCode) };
      this.results.set(statusCode, (series = this.duration.seriesFor(labels)));
    }
    return series;
  }
}

/** Records the calls of one side (server or client): requests by status, duration, in flight, per method. */
function callRecorder(registry: Registry, side: 'server' | 'client'): (service: string, method: string) => (statusCode: number, durationMs: number) => void {
  const who = side === 'server' ? 'received by this server' : 'made by this process\'s clients (one per logical call, retries included)';
  const byService = new Map<string, Map<string, MethodSeries>>();
  const duration = new CallHistogram({ name: `rpc_${side}_duration_seconds`, help: `Duration of RPCs ${who}.`, buckets: RPC_DURATION_BUCKETS, registers: [registry] });
  // The per-call path touches plain fields only; prom-client reads them at scrape time. A status's call count is
  // its duration series' count, so the counter is set from those on every read.
  new Counter({
    name: `rpc_${side}_requests_total`, help: `RPCs ${who}, by final gRPC status code.`, labelNames: RESULT_LABELS, registers: [registry],
    collect() {
      this.reset();
      for (const series of duration.allSeries()) if (series.count > 0) this.inc(series.labels as ResultLabels, series.count);
    },
  });
  new Gauge({
    name: `rpc_${side}_in_flight`, help: `RPCs ${who} in progress.`, labelNames: METHOD_LABELS, registers: [registry],
    collect() {
      for (const byMethod of byService.values()) for (const series of byMethod.values()) this.set(series.labels, series.inFlight);
    },
  });
  const seriesOf = (service: string, method: string): MethodSeries => {
    let byMethod = byService.get(service);
    if (byMethod === undefined) byService.set(service, (byMethod = new Map()));
    let series = byMethod.get(method);
    if (series === undefined) byMethod.set(method, (series = new MethodSeries(service, method, duration)));
    return series;
  };
  return (service, method) => {
    const series = seriesOf(service, method);
    series.inFlight++;
    let done = false;
    return (statusCode, durationMs) => {
      if (done) return;
      done = true;
      series.inFlight--;
      series.result(statusCode).observe(durationMs / 1000);
    };
  };
}

export function createMetrics(options: MetricsOptions = {}): TuskMetrics {
  const registry = options.registry ?? new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const retries = new Counter({
    name: 'tusk_client_retries_total', help: 'Retries scheduled by client calls.', labelNames: ['service', 'method'], registers: [registry],
  });
  const budgetRejections = new Counter({
    name: 'tusk_client_retry_budget_rejections_total', help: 'Retries refused by the retry budget.',
    labelNames: ['service', 'method'], registers: [registry],
  });
  const pushbacks = new Counter({
    name: 'tusk_client_pushbacks_total', help: 'Answers in which an endpoint shed a call or asked the client to back off.',
    labelNames: ['service', 'endpoint'], registers: [registry],
  });
  const busyRefusals = new Counter({
    name: 'tusk_client_endpoints_busy_total', help: 'Calls refused in the client, unsent, because every usable endpoint was busy.',
    labelNames: ['service', 'method'], registers: [registry],
  });
  const breaker = new Gauge({
    name: 'tusk_client_breaker_state', help: 'Circuit breaker state per endpoint: 0 closed, 1 open, 2 half-open, 3 isolated.',
    labelNames: ['service', 'endpoint'], registers: [registry],
  });
  const endpoints = new Gauge({
    name: 'tusk_discovery_endpoints', help: 'Endpoints currently known per service.', labelNames: ['service'], registers: [registry],
  });
  const registryConnected = new Gauge({
    name: 'tusk_registry_connected', help: '1 while the service registry answers, else 0.', labelNames: ['provider'], registers: [registry],
  });
  const authRefusals = new Counter({
    name: 'tusk_server_auth_refusals_total', help: 'Calls the auth stage refused, by status code and reason.',
    labelNames: ['service', 'method', 'code', 'reason'], registers: [registry],
  });
  return {
    registry,
    serverCallStarted: callRecorder(registry, 'server'),
    clientCallStarted: callRecorder(registry, 'client'),
    retry: (service, method) => retries.inc({ service, method }),
    retryBudgetRejected: (service, method) => budgetRejections.inc({ service, method }),
    pushback: (service, endpoint) => pushbacks.inc({ service, endpoint }),
    endpointsBusy: (service, method) => busyRefusals.inc({ service, method }),
    breakerState: (service, endpoint, state) => breaker.set({ service, endpoint }, BREAKER_STATE_VALUE[state]),
    forgetEndpoint: (service, endpoint) => {
      breaker.remove({ service, endpoint });
      pushbacks.remove({ service, endpoint });
    },
    discoveryEndpoints: (service, count) => endpoints.set({ service }, count),
    registryConnected: (provider, connected) => registryConnected.set({ provider }, connected ? 1 : 0),
    authRefused: (service, method, code, reason) => authRefusals.inc({ service, method, code, reason }),
  };
}

let processMetrics: TuskMetrics | undefined;

/** The process-wide metrics that the runtime's hooks record into and the metrics server serves. */
export function tuskMetrics(): TuskMetrics {
  processMetrics ??= createMetrics();
  return processMetrics;
}

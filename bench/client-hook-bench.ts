// What the default client hook (createClientHook: spans + client metrics) adds to
// one call, measured in a tight loop through the real CallPipeline with an
// in-memory transport (no network, so the hook's cost is not lost in noise).
//   node --conditions=tusk-source --import tsx bench/client-hook-bench.ts [--calls 100000] [--rounds 5]
import { trace } from '@opentelemetry/api';
import { node, tracing } from '@opentelemetry/sdk-node';
import { createBalancer } from '../src/balancer/create-balancer.js';
import type { RetryPolicy } from '../src/config/types.js';
import { EndpointSet, type ClientEndpoint } from '../src/client/endpoint-set.js';
import { CallPipeline, type MethodPlan } from '../src/client/pipeline.js';
import { setClientTraceHook } from '../src/client/trace-hook.js';
import type { Transport, TransportCallOptions } from '../src/client/transport.js';
import { TransportPool } from '../src/client/transport-pool.js';
import { EndpointFailureRule } from '../src/resilience/failure.js';
import { RetryBudget } from '../src/resilience/retry-budget.js';
import { MethodRetry } from '../src/resilience/retry.js';
import { createClientHook } from '../src/telemetry/runtime-hooks.js';
import { shutdownTelemetry, startTelemetry } from '../src/telemetry/sdk.js';
import { echoDescriptor } from '../test/helpers/echo-service.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const CALLS = Number(args.get('calls') ?? 100_000);
const ROUNDS = Number(args.get('rounds') ?? 5);
for (const name of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_TRACES_EXPORTER']) delete process.env[name];

const reply = new Uint8Array(4);
const pool = new TransportPool((address) => ({ address, unary: () => Promise.resolve(reply), close() {} }) as unknown as Transport);
const endpoints = new EndpointSet('test.v1.EchoService', { addresses: ['127.0.0.1:1', '127.0.0.1:2'] }, pool,
  { strategy: 'consecutive', threshold: 5, halfOpenAfterMs: 5_000, windowMs: 1_000, minimumRps: 1 });
const pipeline = new CallPipeline({
  service: 'test.v1.EchoService', endpoints, budget: new RetryBudget({ ratio: 0.2 }), bulkhead: undefined, failures: new EndpointFailureRule(['UNAVAILABLE', 'DEADLINE_EXCEEDED']),
});
const retryPolicy: RetryPolicy = { maxAttempts: 3, backoff: 'exponential', initialDelayMs: 25, maxDelayMs: 1_000, on: ['UNAVAILABLE'], budget: 0.2 };
const plan: MethodPlan = {
  method: echoDescriptor().methods['echo']!, timeoutMs: 5_000, idempotent: true, balancer: createBalancer('p2c_ewma'),
  retryPolicy, retry: new MethodRetry(retryPolicy), perTryTimeoutMs: undefined,
};
const send = (endpoint: ClientEndpoint, options: TransportCallOptions) => endpoint.transport.unary('/test.v1.EchoService/Echo', reply, options);

/** Best of ROUNDS: the least disturbed by other processes on the machine. */
async function perCall(): Promise<number> {
  for (let i = 0; i < 20_000; i++) await pipeline.run(plan, undefined, send);
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (let i = 0; i < CALLS; i++) await pipeline.run(plan, undefined, send);
    best = Math.min(best, ((performance.now() - started) * 1000) / CALLS);
  }
  return best;
}

const rows: Array<[string, number]> = [];
setClientTraceHook(undefined);
rows.push(['no hook (setClientTraceHook(undefined))', await perCall()]);
setClientTraceHook(createClientHook());
rows.push(['default hook, no SDK', await perCall()]);
await startTelemetry({ serviceName: 'client-hook-bench' });
rows.push(['default hook, SDK started without exporter', await perCall()]);
await shutdownTelemetry();
const provider = new node.NodeTracerProvider({ spanProcessors: [new tracing.NoopSpanProcessor()] });
provider.register();
rows.push(['default hook, spans recorded (app provider, no-op processor)', await perCall()]);
await provider.shutdown();
trace.disable();
setClientTraceHook(undefined);
rows.push(['no hook, again', await perCall()]);

const baseline = Math.min(rows[0]![1], rows.at(-1)![1]);
console.log(`node ${process.version}, ${CALLS} calls × ${ROUNDS} rounds, best round; pipeline with an in-memory transport`);
console.log('setup | µs/call | added by the hook');
for (const [label, micros] of rows) console.log(`${label} | ${micros.toFixed(2)} | ${(micros - baseline).toFixed(2)}`);

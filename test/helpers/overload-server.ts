// Child process: a TuskServer whose Echo/Create handlers cost a controlled mix
// of CPU (a busy loop of OVERLOAD_CPU_MS) and async wait (OVERLOAD_WAIT_MS), for
// the overload load tests and bench/overload-bench.ts. The CPU part is CPU
// time, not wall time, so the handler costs the same share of the process on a
// busy machine as on an idle one (the ratios the tests assert stay meaningful). OVERLOAD_CONFIG is the
// JSON of its `[server] overload { ... }` block. Create is `priority: "critical"`.
// Prints {"event":"ready","port":N} once serving; its pino logs follow on stdout.
import { setTimeout as sleep } from 'node:timers/promises';
import { createInterface } from 'node:readline';
import { tuskMetrics } from '../../src/telemetry/metrics.js';
import { StaticRegistry } from '../../src/discovery/static-registry.js';
import { TuskServer } from '../../src/server/tusk-server.js';
import type { RawDescriptor } from '../../src/config/types.js';
import type { CallContext } from '../../src/server/call-context.js';
import { EchoServiceBase, type EchoRequest, type EchoResponse } from './echo-service.js';

const cpuMs = Number(process.env.OVERLOAD_CPU_MS ?? '2');
const waitMs = Number(process.env.OVERLOAD_WAIT_MS ?? '20');

/** Burns `ms` of this process's CPU time: the part of the cost that competes for the one event loop. */
function busy(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if (used.user + used.system >= ms * 1000) return;
  }
}

class WorkService extends EchoServiceBase {
  /** Wait (a downstream call, say), then compute; like a well-behaved handler it stops once its call is over. */
  private async work(request: EchoRequest, ctx: CallContext): Promise<EchoResponse> {
    await sleep(waitMs);
    if (ctx.signal.aborted) throw ctx.signal.reason;
    busy(cpuMs);
    return { text: request.text, instance: 'work' };
  }

  echo(request: EchoRequest, ctx: CallContext): Promise<EchoResponse> {
    return this.work(request, ctx);
  }

  create(request: EchoRequest, ctx: CallContext): Promise<EchoResponse> {
    return this.work(request, ctx);
  }

  countUp(): AsyncIterable<EchoResponse> {
    throw new Error('not used');
  }

  collect(): Promise<EchoResponse> {
    throw new Error('not used');
  }

  chat(): AsyncIterable<EchoResponse> {
    throw new Error('not used');
  }
}

const config: RawDescriptor = {
  server: {
    overload: JSON.parse(process.env.OVERLOAD_CONFIG ?? '{}') as RawDescriptor,
    // OVERLOAD_TRANSPORT=http2 (e.g. for bench/overload-bench.ts): the same servers on the lean transport.
    ...(process.env.OVERLOAD_TRANSPORT ? { transport: process.env.OVERLOAD_TRANSPORT } : {}),
  },
  methods: { Create: { priority: 'critical' } },
};
const server = new TuskServer({ host: '127.0.0.1', port: 0, registry: new StaticRegistry([]) });
server.add(new WorkService(config));
await server.start();
process.stdout.write(`${JSON.stringify({ event: 'ready', port: server.port })}\n`);

// "stats" on stdin: the server's own view, {"event":"stats","limit":N,"byCode":{"0":ok,...},"cpuMs":N} (metrics, CPU time so far).
createInterface({ input: process.stdin }).on('line', async () => {
  const registry = tuskMetrics().registry;
  const limit = (await registry.getSingleMetric('tusk_server_concurrency_limit')?.get())?.values[0]?.value;
  const requests = (await registry.getSingleMetric('rpc_server_requests_total')?.get())?.values ?? [];
  const byCode: Record<string, number> = {};
  for (const { labels, value } of requests) byCode[String(labels.rpc_grpc_status_code)] = (byCode[String(labels.rpc_grpc_status_code)] ?? 0) + value;
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ event: 'stats', limit, byCode, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
});
process.stdin.on('end', () => void server.stop().then(() => process.exit(0)));

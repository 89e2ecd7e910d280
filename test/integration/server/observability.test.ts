// A TuskServer's own telemetry, wired by default: Prometheus text and /healthz
// on `[telemetry] metrics_port`, one access-log line per call with status and
// trace ids, and the handler's ctx.trace / ctx.logger on the server's span.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { Code } from '../../../src/status/codes.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { rawEchoClient, unary } from '../../helpers/server-raw-client.js';
import { parsePrometheusText, valueOf, type Sample } from '../telemetry/prometheus-text.js';

const SERVICE = 'test.v1.EchoService';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const fixturePath = fileURLToPath(new URL('./fixtures/observed-echo.ts', import.meta.url));

function traced(requestId?: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('traceparent', `00-${TRACE_ID}-${CALLER_SPAN}-01`);
  if (requestId) metadata.set('x-request-id', requestId);
  return metadata;
}

async function scrape(port: number): Promise<Sample[]> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(res.status, 200);
  return parsePrometheusText(await res.text());
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a TuskServer process with only its descriptor: metrics, health and logs', () => {
  let child: ChildProcess | undefined;
  let registryDir = '';
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (registryDir) await rm(registryDir, { recursive: true, force: true });
  });

  it('counts exactly the calls made, answers /healthz, logs each call with trace id and status, closes the port on SIGTERM', async () => {
    registryDir = await mkdtemp(join(tmpdir(), 'tusk-observed-'));
    const env: NodeJS.ProcessEnv = { ...process.env, TUSK_LOG_LEVEL: 'debug', TEST_REGISTRY_DIR: registryDir };
    for (const key of Object.keys(env)) if (key.startsWith('OTEL_') || key === 'TUSK_DISCOVERY') delete env[key];
    const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--test'));
    const spawned = spawn(process.execPath, [...execArgv, fixturePath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = spawned;
    const exited = new Promise<number | string>((resolve) => spawned.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    spawned.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-10_000)));
    createInterface({ input: spawned.stdout! }).on('line', (text) => lines.push(JSON.parse(text) as Record<string, unknown>));

    const ready = await until(() => lines.find((line) => line.event === 'ready'), `the ready line (stderr: ${stderr})`, 30_000);
    const metricsPort = ready.metrics_port as number;
    assert.ok(Number.isInteger(metricsPort) && metricsPort > 0, 'metrics_port 0 binds a free port');
    assert.ok(lines.some((line) => line.msg === 'metrics on /metrics, health on /healthz' && line.metrics_port === metricsPort));

    const health = await fetch(`http://127.0.0.1:${metricsPort}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), 'ok\n');

    const ok = { rpc_service: SERVICE, rpc_method: 'Echo', rpc_grpc_status_code: '0' };
    const notFound = { ...ok, rpc_grpc_status_code: String(Code.NOT_FOUND) };
    const before = await scrape(metricsPort);
    assert.equal(valueOf(before, 'tusk_registry_connected', { provider: 'local' }), 1, 'registered in the local registry');

    const client = rawEchoClient(`127.0.0.1:${ready.port as number}`);
    try {
      for (let i = 0; i < 5; i++) await unary(client, 'echo', { text: `ok-${i}` }, { metadata: traced(`req-ok-${i}`) });
      for (let i = 0; i < 2; i++) {
        await assert.rejects(unary(client, 'echo', { text: 'missing', fail: Code.NOT_FOUND }, { metadata: traced('req-missing') }));
      }
    } finally {
      client.close();
    }

    const afterCalls = await scrape(metricsPort);
    assert.equal(valueOf(afterCalls, 'rpc_server_requests_total', ok) - valueOf(before, 'rpc_server_requests_total', ok), 5);
    assert.equal(valueOf(afterCalls, 'rpc_server_requests_total', notFound) - valueOf(before, 'rpc_server_requests_total', notFound), 2);
    assert.equal(valueOf(afterCalls, 'rpc_server_duration_seconds_count', ok) - valueOf(before, 'rpc_server_duration_seconds_count', ok), 5);
    assert.equal(valueOf(afterCalls, 'rpc_server_in_flight', { rpc_service: SERVICE, rpc_method: 'Echo' }), 0);
    assert.equal(valueOf(afterCalls, 'rpc_server_requests_total', { rpc_service: SERVICE, rpc_method: 'Create' }), 0);

    // Access log: pino JSON on stdout, level names, one line per call. The child writes a line after it sends the
    // reply, so the last lines may reach us after the call returned: wait for them, then count exactly.
    const logged = (msg: string) => lines.filter((line) => line.msg === msg);
    await until(() => (logged('call finished').length >= 5 && logged('call failed').length >= 2) || undefined, 'the access log lines of all 7 calls', 10_000);
    const finished = logged('call finished');
    const failed = logged('call failed');
    assert.equal(finished.length, 5);
    assert.equal(failed.length, 2);
    for (const line of finished) {
      assert.equal(line.level, 'debug');
      assert.equal(line.status, 'OK');
      assert.equal(line.code, 0);
      assert.equal(line.service, SERVICE);
      assert.equal(line.method, 'Echo');
      assert.equal(line.trace_id, TRACE_ID);
      assert.match(String(line.span_id), /^[0-9a-f]{16}$/);
      assert.notEqual(line.span_id, CALLER_SPAN, 'the span is the server\'s own, not the caller\'s');
      assert.equal(typeof line.duration_ms, 'number');
      assert.match(String(line.request_id), /^req-ok-\d$/);
    }
    assert.equal(new Set(finished.map((line) => line.span_id)).size, 5, 'one server span per call');
    for (const line of failed) {
      assert.equal(line.level, 'info');
      assert.equal(line.status, 'NOT_FOUND');
      assert.equal(line.code, Code.NOT_FOUND);
      assert.equal(line.trace_id, TRACE_ID);
      assert.equal(line.message, 'failed on purpose');
    }
    // docs/observability.md shows a failed call's line: the same fields as the real one.
    const docs = await readFile(new URL('../../../docs/observability.md', import.meta.url), 'utf8');
    const documented = /^\{"level":"info".*"msg":"call failed"\}$/m.exec(docs.slice(docs.indexOf('## Logs')));
    assert.ok(documented, 'docs/observability.md shows a "call failed" JSON line under "## Logs"');
    assert.deepEqual(Object.keys(failed[0]!).sort(), Object.keys(JSON.parse(documented[0]) as object).sort());

    spawned.kill('SIGTERM');
    assert.equal(await exited, 0, `exit code (stderr: ${stderr})`);
    await assert.rejects(fetch(`http://127.0.0.1:${metricsPort}/healthz`), 'the metrics port is closed after stop');
  });
});

describe('in process: the handler and the access log share the server span', () => {
  let fixture: EchoServerFixture;
  before(async () => {
    fixture = await startEchoServer({}, { telemetry: { metrics_port: 0 } });
  });
  after(async () => {
    await fixture.close();
  });

  it('ctx.trace, ctx.logger and the access log carry the same trace and span ids', async () => {
    assert.ok(fixture.server.metricsPort! > 0);
    await unary(fixture.client, 'echo', { text: 'hello' }, { metadata: traced('req-shared') });
    const ctx = fixture.service.calls.at(-1)!.ctx;
    assert.equal(ctx.trace.traceId, TRACE_ID);
    assert.equal(ctx.trace.traceparent, `00-${TRACE_ID}-${ctx.trace.spanId}-01`);
    ctx.logger.info('from the handler');
    const fromHandler = fixture.logs.find((line) => line.msg === 'from the handler')!;
    const access = await until(() => fixture.logs.find((line) => line.msg === 'call finished' && line.request_id === 'req-shared'), 'the access log line');
    assert.equal(fromHandler.trace_id, TRACE_ID);
    assert.equal(fromHandler.span_id, ctx.trace.spanId);
    assert.equal(access.trace_id, TRACE_ID);
    assert.equal(access.span_id, ctx.trace.spanId);
    assert.equal(access.status, 'OK');
  });

  it('a call without a traceparent still gets a trace (a new root span) in its context and logs', async () => {
    await unary(fixture.client, 'echo', { text: 'untraced' }, { metadata: (() => { const m = new grpc.Metadata(); m.set('x-request-id', 'req-root'); return m; })() });
    const ctx = fixture.service.calls.at(-1)!.ctx;
    assert.match(ctx.trace.traceId ?? '', /^[0-9a-f]{32}$/);
    assert.notEqual(ctx.trace.traceId, TRACE_ID);
    const access = await until(() => fixture.logs.find((line) => line.msg === 'call finished' && line.request_id === 'req-root'), 'the access log line');
    assert.equal(access.trace_id, ctx.trace.traceId);
    assert.equal(access.span_id, ctx.trace.spanId);
  });

  it('the in-process server counts its calls in the process-wide metrics it serves', async () => {
    const labels = { rpc_service: SERVICE, rpc_method: 'Create', rpc_grpc_status_code: '0' };
    const before = await scrape(fixture.server.metricsPort!);
    for (let i = 0; i < 3; i++) await unary(fixture.client, 'create', { text: `c${i}` });
    const afterCalls = await scrape(fixture.server.metricsPort!);
    assert.equal(valueOf(afterCalls, 'rpc_server_requests_total', labels) - valueOf(before, 'rpc_server_requests_total', labels), 3);
  });
});

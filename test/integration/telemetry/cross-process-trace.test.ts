// One trace across two real service processes, exported through the real OTLP
// path: caller → front (TuskServer) → back (TuskServer, another process).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../helpers/otlp-receiver.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/traced-echo.ts', import.meta.url));
const TRACE_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

async function startService(receiver: OtlpReceiver, env: Record<string, string>, withImport = true): Promise<{ child: ChildProcess; port: number }> {
  const entry = withImport ? ['--import', './src/telemetry/register.ts'] : [];
  const child = spawn(process.execPath, ['--conditions=tusk-source', '--import', 'tsx', ...entry, fixture], {
    cwd: repoRoot,
    env: {
      ...process.env, ...env,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50',
      TUSK_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  try {
    const [first] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => { throw new Error(`${env.ROLE} exited before serving`); })])) as [string];
    return { child, port: (JSON.parse(first) as { port: number }).port };
  } finally {
    clearTimeout(timer);
  }
}

async function stopService(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

const json = { serialize: (v: unknown) => Buffer.from(JSON.stringify(v)), deserialize: (b: Buffer) => JSON.parse(b.toString()) as unknown };

function callFront(port: number, text: string, parentSpanId: string): Promise<unknown> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set('traceparent', `00-${TRACE_ID}-${parentSpanId}-01`);
  metadata.set('x-request-id', `req-${text}`);
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest('/test.v1.EchoService/Echo', json.serialize, json.deserialize, { text }, metadata, { deadline: Date.now() + 20_000 },
      (err, value) => { client.close(); if (err) reject(err); else resolve(value); });
  });
}

describe('tracing across processes', () => {
  let receiver: OtlpReceiver;
  let back: ChildProcess | undefined;
  let front: ChildProcess | undefined;
  let frontPort = 0;

  before(async () => {
    receiver = await startOtlpReceiver();
    const backService = await startService(receiver, { ROLE: 'back', OTEL_SERVICE_NAME: 'echo-back' });
    back = backService.child;
    const frontService = await startService(receiver, { ROLE: 'front', OTEL_SERVICE_NAME: 'echo-front', BACK_ADDRESS: `127.0.0.1:${backService.port}` });
    front = frontService.child;
    frontPort = frontService.port;
  });
  after(async () => {
    await Promise.all([stopService(front), stopService(back)]);
    await receiver.close();
  });

  /** The spans under `root` (the caller's span id), across processes. */
  const collectTree = (all: ReceivedSpan[], root: string): ReceivedSpan[] => {
    const ids = new Set([root]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const s of all) if (!ids.has(s.spanId) && ids.has(s.parentSpanId)) { ids.add(s.spanId); grew = true; }
    }
    return all.filter((s) => s.traceId === TRACE_ID && ids.has(s.spanId));
  };

  it('a call into the front service yields spans from both processes with one trace id', async () => {
    const caller = '1111111111111111';
    assert.deepEqual(await callFront(frontPort, 'hello', caller), { text: 'front(back(hello))', instance: 'front', attempt: 1 });
    const all = await receiver.waitFor((spans) => {
      const tree = collectTree(spans, caller);
      return tree.some((s) => s.serviceName === 'echo-back' && s.kind === 2) && tree.some((s) => s.serviceName === 'echo-front' && s.kind === 2);
    });
    const tree = collectTree(all, caller);
    assert.ok(tree.every((s) => s.traceId === TRACE_ID));
    const frontServer = tree.find((s) => s.serviceName === 'echo-front' && s.kind === 2)!;
    assert.equal(frontServer.parentSpanId, caller, 'the front server span continues the caller traceparent');
    assert.equal(frontServer.resource['service.version'], '9.9.9');
    const call = tree.find((s) => s.serviceName === 'echo-front' && s.name === 'test.v1.EchoService/Echo' && s.kind === 3);
    assert.ok(call, 'the tusk client call span in the front process');
    const attempts = tree.filter((s) => s.parentSpanId === call.spanId && s.attributes['rpc.attempt'] !== undefined);
    assert.equal(attempts.length, 1);
    const backServer = tree.find((s) => s.serviceName === 'echo-back' && s.kind === 2)!;
    assert.equal(backServer.attributes['rpc.service'], 'test.v1.EchoService');
    // grpc-js is instrumented: the transport ran inside the attempt span, so grpc's CLIENT span nests under it.
    const grpcClient = tree.find((s) => s.serviceName === 'echo-front' && s.name === 'grpc.test.v1.EchoService/Echo' && s.kind === 3);
    assert.ok(grpcClient, 'the instrumented grpc-js client span in the front process');
    assert.equal(grpcClient.parentSpanId, attempts[0]!.spanId, 'grpc client span → attempt span');
    assert.equal(backServer.parentSpanId, grpcClient.spanId, 'back server span → grpc client span');
  });

  it('a retry shows up as two attempt spans under one client span', async () => {
    const caller = '2222222222222222';
    const reply = await callFront(frontPort, 'flaky', caller) as { text: string };
    assert.equal(reply.text, 'front(back(flaky))');
    const all = await receiver.waitFor((spans) => collectTree(spans, caller).filter((s) => s.serviceName === 'echo-back' && s.kind === 2).length >= 2);
    const tree = collectTree(all, caller);
    const call = tree.find((s) => s.serviceName === 'echo-front' && s.name === 'test.v1.EchoService/Echo' && s.kind === 3)!;
    assert.ok(call);
    const attempts = tree.filter((s) => s.parentSpanId === call.spanId && s.attributes['rpc.attempt'] !== undefined)
      .sort((a, b) => Number(a.attributes['rpc.attempt']) - Number(b.attributes['rpc.attempt']));
    assert.deepEqual(attempts.map((s) => s.attributes['rpc.attempt']), [1, 2]);
    assert.equal(attempts[0]!.attributes['rpc.grpc.status_code'], 14);
    assert.equal(attempts[0]!.statusCode, 2);
    assert.equal(attempts[1]!.attributes['rpc.grpc.status_code'], 0);
    assert.ok(call.events.some((e) => e.name === 'tusk.retry'), 'the retry decision is an event on the call span');
    const grpcClients = tree.filter((s) => s.serviceName === 'echo-front' && s.name === 'grpc.test.v1.EchoService/Echo' && s.kind === 3);
    assert.deepEqual(grpcClients.map((s) => s.parentSpanId).sort(), attempts.map((s) => s.spanId).sort(), 'one grpc client span under each attempt');
    assert.equal(attempts[0]!.attributes['tusk.balancer.reason'], 'p2c_ewma', 'the pick is recorded on the attempt');
  });
});

describe('tracing across processes without the --import (the runtime hooks alone)', () => {
  let receiver: OtlpReceiver;
  const children: ChildProcess[] = [];
  after(async () => {
    await Promise.all(children.map(stopService));
    await receiver?.close();
  });

  it('server spans from the trace hook and client spans still share one trace id', async () => {
    receiver = await startOtlpReceiver();
    const back = await startService(receiver, { ROLE: 'back', OTEL_SERVICE_NAME: 'plain-back' }, false);
    children.push(back.child);
    const front = await startService(receiver, { ROLE: 'front', OTEL_SERVICE_NAME: 'plain-front', BACK_ADDRESS: `127.0.0.1:${back.port}` }, false);
    children.push(front.child);
    const caller = '3333333333333333';
    await callFront(front.port, 'plain', caller);
    // Each process exports on its own schedule: wait for the spans of both.
    const all = await receiver.waitFor((spans) => spans.some((s) => s.serviceName === 'plain-back' && s.kind === 2)
      && spans.some((s) => s.serviceName === 'plain-front' && s.kind === 2)
      && spans.some((s) => s.serviceName === 'plain-front' && s.attributes['rpc.attempt'] === 1));
    const spans = all.filter((s) => s.traceId === TRACE_ID);
    assert.deepEqual(all.filter((s) => s.name.startsWith('grpc.')).map((s) => s.name), [], 'grpc-js is not instrumented');
    const frontServer = spans.find((s) => s.serviceName === 'plain-front' && s.kind === 2)!;
    assert.equal(frontServer.parentSpanId, caller);
    const attempt = spans.find((s) => s.serviceName === 'plain-front' && s.attributes['rpc.attempt'] === 1)!;
    const frontClient = spans.find((s) => s.serviceName === 'plain-front' && s.kind === 3)!;
    assert.equal(frontClient.parentSpanId, frontServer.spanId, 'the handler\'s outbound call is a child of its server span');
    assert.equal(attempt.parentSpanId, frontClient.spanId);
    const backServer = spans.find((s) => s.serviceName === 'plain-back' && s.kind === 2)!;
    assert.equal(backServer.parentSpanId, attempt.spanId, 'the attempt traceparent reached the back service');
    assert.equal(backServer.attributes['rpc.grpc.status_code'], 0);
  });
});

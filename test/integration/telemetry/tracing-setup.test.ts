// The documented one-line set-up, checked in real child processes: with
// `--import` of the telemetry entry, grpc-js loaded by a plain ESM app is
// patched and its spans reach a real OTLP/HTTP endpoint; without it, the same
// app exports only its hand-made span.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startOtlpReceiver, type OtlpReceiver } from '../../helpers/otlp-receiver.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const app = fileURLToPath(new URL('./fixtures/raw-grpc-app.ts', import.meta.url));
const telemetryEntry = './src/telemetry/register.ts';

function runApp(receiver: OtlpReceiver, withTelemetryImport: boolean): Promise<{ stdout: string; stderr: string }> {
  const args = ['--conditions=tusk-source', '--import', 'tsx'];
  if (withTelemetryImport) args.push('--import', telemetryEntry);
  args.push(app);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '50',
  };
  delete env.OTEL_TRACES_EXPORTER;
  delete env.OTEL_SERVICE_NAME;
  delete env.OTEL_SDK_DISABLED;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: repoRoot, env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`child failed: ${error.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

describe('node --import tusk-grpc/telemetry', () => {
  let receiver: OtlpReceiver;
  before(async () => { receiver = await startOtlpReceiver(); });
  after(async () => { await receiver.close(); });

  it('patches grpc-js under ESM: client and server spans of one trace are exported over OTLP', async () => {
    const { stdout } = await runApp(receiver, true);
    assert.deepEqual(JSON.parse(stdout.trim()), { reply: { pong: { n: 1 } } });
    const spans = await receiver.waitFor((all) => all.filter((s) => s.name === 'grpc.probe.v1.ProbeService/Ping').length >= 2);
    const grpcSpans = spans.filter((s) => s.name === 'grpc.probe.v1.ProbeService/Ping');
    const client = grpcSpans.find((s) => s.kind === 3);
    const server = grpcSpans.find((s) => s.kind === 2);
    assert.ok(client, 'a CLIENT span from the patched grpc-js client');
    assert.ok(server, 'a SERVER span from the patched grpc-js server');
    assert.equal(server.traceId, client.traceId, 'traceparent went over the wire');
    assert.equal(server.parentSpanId, client.spanId);
    assert.equal(client.attributes['rpc.system'], 'grpc');
    assert.equal(client.attributes['rpc.service'], 'probe.v1.ProbeService');
    assert.equal(client.attributes['rpc.method'], 'Ping');
    assert.equal(client.serviceName, 'telemetry-probe');
    assert.equal(client.resource['service.version'], '1.2.3');
  });

  it('without the --import the same app exports its own span but no grpc span', async () => {
    const before = receiver.spans().length;
    await runApp(receiver, false);
    const spans = (await receiver.waitFor((all) => all.slice(before).some((s) => s.name === 'probe.manual'))).slice(before);
    assert.deepEqual(spans.filter((s) => s.name.startsWith('grpc.')).map((s) => s.name), []);
  });
});

// Pushback shows in the client metrics createClient records by default (no telemetry code in the application).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient, createClient } from '../../../src/client/index.js';
import { tuskMetrics } from '../../../src/telemetry/metrics.js';
import { echoDescriptor, type EchoServiceClient } from '../../helpers/echo-service.js';
import { onClientTransport, TRANSPORTS } from '../../helpers/transports.js';
import { parsePrometheusText, valueOf } from '../telemetry/prometheus-text.js';
import { startSheddingServer } from './shedding-server.js';

const SERVICE = 'test.v1.EchoService';

for (const transport of TRANSPORTS) {
  test(`[${transport}] tusk_client_pushbacks_total counts each busy answer per endpoint; tusk_client_endpoints_busy_total each fail-fast refusal`, async () => {
    const server = await startSheddingServer({ admission: () => ({ kind: 'shed', pushback: '5000' }) });
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [server.address], retry: { maxAttempts: 1 } });
    const scrape = async () => parsePrometheusText(await tuskMetrics().registry.metrics());
    try {
      const before = await scrape();
      await assert.rejects(client.echo({ text: 'shed' }), /shed/);
      await assert.rejects(client.echo({ text: 'refused here' }), /busy/);
      await assert.rejects(client.echo({ text: 'refused here too' }), /busy/);
      const after = await scrape();
      const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
      assert.equal(delta('tusk_client_pushbacks_total', { service: SERVICE, endpoint: server.address }), 1);
      assert.equal(delta('tusk_client_endpoints_busy_total', { service: SERVICE, method: 'Echo' }), 2);
      assert.equal(server.arrivals.length, 1);
    } finally {
      await closeClient(client);
      await server.stop();
    }
    const gone = await scrape();
    assert.ok(!gone.some((sample) => sample.name === 'tusk_client_pushbacks_total' && sample.labels['endpoint'] === server.address), 'an endpoint that left drops its series');
  });
}

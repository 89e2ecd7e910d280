// The same contract through a TuskServer's own error path: a handler that refuses with the overload details
// (what admission middleware sends, less the grpc-* trailer a handler may not set) is honoured by the client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient, createClient } from '../../../src/client/index.js';
import { pushbackOf, wasShed } from '../../../src/resilience/index.js';
import type { CallContext } from '../../../src/server/call-context.js';
import { Code, TuskError } from '../../../src/status/index.js';
import { echoDescriptor, type EchoRequest, type EchoResponse, type EchoServiceClient } from '../../helpers/echo-service.js';
import { onClientTransport, onServerTransport, TRANSPORTS } from '../../helpers/transports.js';
import { TestEchoService } from '../../helpers/server-echo-service.js';
import { startEchoServer } from '../../helpers/server-test-server.js';

class SheddingEchoService extends TestEchoService {
  shedding = true;
  created = 0;

  override async create(request: EchoRequest, ctx: CallContext): Promise<EchoResponse> {
    if (this.shedding) {
      throw new TuskError(Code.UNAVAILABLE, 'overloaded', { errorInfo: { reason: 'OVERLOADED', domain: 'tusk-grpc' }, retryInfo: { retryDelayMs: 400 } });
    }
    this.created++;
    return super.create(request, ctx);
  }
}

// Every pairing of client and server transports: the details travel through both sides' status encoding.
for (const [transport, serverTransport] of TRANSPORTS.flatMap((client) => TRANSPORTS.map((server) => [client, server] as const))) {
  test(`[${transport}] (server on ${serverTransport}) a TuskServer refusing with ErrorInfo OVERLOADED + RetryInfo: the non-idempotent call moves on, and the endpoint is parked for the RetryInfo delay`, async () => {
    const healthyService = new SheddingEchoService('healthy', onServerTransport(serverTransport));
    healthyService.shedding = false;
    const shedding = await startEchoServer({}, {}, new SheddingEchoService('shedding', onServerTransport(serverTransport)));
    const healthy = await startEchoServer({}, {}, healthyService);
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [shedding.address, healthy.address], balancer: 'round_robin', circuitBreaker: { threshold: 1 } });
    const single = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [shedding.address], retry: { maxAttempts: 1 } });
    try {
      const refused = await single.create({ text: 'direct' }).then(() => undefined, (error: unknown) => error);
      assert.ok(wasShed(refused), 'the details survive the server and the wire');
      assert.equal(pushbackOf(refused), 400);
      const triedBefore = shedding.service.calls.length;
      const started = Date.now();
      for (let i = 0; i < 20; i++) assert.equal((await client.create({ text: `c${i}` })).instance, 'healthy');
      assert.equal(healthyService.created, 20, 'each ran once');
      // At most one try per 400 ms pushback (round_robin alone would send it every other call).
      const allowed = 1 + Math.floor((Date.now() - started) / 400);
      assert.ok(shedding.service.calls.length - triedBefore <= allowed, `${shedding.service.calls.length - triedBefore} calls reached the parked endpoint (allowed ${allowed})`);
    } finally {
      await Promise.all([closeClient(client), closeClient(single)]);
      await Promise.all([shedding.close(), healthy.close()]);
    }
  });
}

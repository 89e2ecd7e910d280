// test: runs alone (its bounds rest on the machine's capacity; see test/helpers/run-alone.ts)
// Issue 9's reproduction: 64 workers call a non-idempotent method on two real servers and one server stops.
// The client's static endpoint list never drops the stopped server, so calls keep racing its shutdown: streams
// refused by it (REFUSED_STREAM, or above its GOAWAY's last-stream-id) and connections that never become ready
// provably never ran, and must be retried on the other server. Not one call may fail, none may run twice.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient, createClient } from '../../../src/client/index.js';
import type { ClientOptions } from '../../../src/client/client-options.js';
import { Http2ClientTransport } from '../../../src/client/http2/index.js';
import type { CallContext } from '../../../src/server/call-context.js';
import type { EchoRequest, EchoResponse, EchoServiceClient } from '../../helpers/echo-service.js';
import { TestEchoService } from '../../helpers/server-echo-service.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { waitUntil } from '../../helpers/wait.js';

const WORKERS = 64;
const ROUNDS = 3;
/** Per round: calls after the stop began, and a time bound for the whole round. */
const CALLS_AFTER_STOP = 1_500;
const ROUND_LIMIT_MS = 20_000;

/** Counts executions of Create per request text, across every server of the round. */
class CountingService extends TestEchoService {
  constructor(instance: string, private readonly executions: Map<string, number>) {
    super(instance);
  }
  override async create(request: EchoRequest, ctx: CallContext): Promise<EchoResponse> {
    this.executions.set(request.text, (this.executions.get(request.text) ?? 0) + 1);
    return super.create(request, ctx);
  }
}

async function startCounting(instance: string, executions: Map<string, number>): Promise<EchoServerFixture> {
  return startEchoServer({ shutdownGraceMs: 5_000, drainDelayMs: 0 }, {}, new CountingService(instance, executions));
}

/** The client transport under test: grpc-js' (the default), or the lean one (issue 12: same semantics on both). */
type Transports = ClientOptions['transport'];

async function stopDuringLoad(t: TestContext, rounds: number, transport: Transports): Promise<void> {
  for (let round = 1; round <= rounds; round++) {
    const executions = new Map<string, number>();
    const [kept, stopped] = [await startCounting(`kept-${round}`, executions), await startCounting(`stopped-${round}`, executions)];
    const client = createClient<EchoServiceClient>(stopped.service.descriptor, { endpoints: [kept.address, stopped.address], balancer: 'round_robin', timeout: 10_000, ...(transport ? { transport } : {}) });
    const failures: string[] = [];
    const succeeded = new Set<string>();
    let sent = 0;
    let stopBegan = false;
    let sentAtStop = Number.POSITIVE_INFINITY;
    const deadline = Date.now() + ROUND_LIMIT_MS;
    try {
      const load = Promise.all(
        Array.from({ length: WORKERS }, async () => {
          while (sent < sentAtStop + CALLS_AFTER_STOP && Date.now() < deadline) {
            const id = `r${round}-${sent++}`;
            try {
              const response = await client.create({ text: id, delayMs: 2 });
              assert.equal(response.text, id);
              succeeded.add(id);
            } catch (error) {
              failures.push(`${id}: ${error instanceof Error ? error.message : String(error)}`);
            }
          }
        }),
      );
      await waitUntil(() => stopped.service.calls.length >= 200, 10_000, 'the stopped-to-be server to take calls');
      stopBegan = true;
      sentAtStop = sent;
      await stopped.close();
      await load;
    } finally {
      await closeClient(client);
      await kept.close();
      await stopped.close();
    }
    assert.ok(stopBegan);
    t.diagnostic(`round ${round}: ${sent} calls, ${succeeded.size} ok`);
    assert.deepEqual(failures.slice(0, 5), [], `round ${round}: ${failures.length} of ${sent} calls failed`);
    const twice = [...executions].filter(([, count]) => count !== 1).map(([id]) => id);
    assert.deepEqual(twice.slice(0, 5), [], `round ${round}: ${twice.length} requests did not run exactly once`);
    assert.equal(executions.size, sent, `round ${round}: every request ran`);
  }
}

test(`${ROUNDS} rounds of ${WORKERS} workers on a non-idempotent method, one of two servers stopped: no failed call, each ran once`, { timeout: 120_000 }, (t) =>
  stopDuringLoad(t, ROUNDS, undefined));

// One round is enough on the lean transport: the rule is the same, the three grpc-js rounds hunt a rare race.
test(`the same on the lean client transport (node:http2): one round`, { timeout: 60_000 }, (t) =>
  stopDuringLoad(t, 1, (address) => new Http2ClientTransport(address)));

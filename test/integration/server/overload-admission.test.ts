// The admission stage on the wire, against a real TuskServer and a raw grpc-js
// client: what a shed call carries (the contract the client side reads),
// deadline-aware refusals, priorities from the descriptor and from a trusted
// header, health never shed, and overload off admitting everything.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { decodeStatusDetails } from '../../../src/status/status-details.js';
import { tuskMetrics } from '../../../src/telemetry/metrics.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { unary } from '../../helpers/server-raw-client.js';
import { waitUntil } from '../../helpers/wait.js';
import { checkHealth, healthClient } from './health-client.js';

/** A call that holds its slot until cancelled. */
function holdSlot(fixture: EchoServerFixture, method: 'echo' | 'create' = 'echo') {
  let call: grpc.ClientUnaryCall | undefined;
  const done = unary(fixture.client, method, { text: 'wait-abort' }, { onCall: (c) => (call = c) }).catch((error: grpc.ServiceError) => error);
  return { cancel: () => call!.cancel(), done };
}

const refusalOf = async (promise: Promise<unknown>): Promise<grpc.ServiceError> => {
  const error = await promise.then(() => assert.fail('the call was admitted'), (e: grpc.ServiceError) => e);
  return error;
};

let full: EchoServerFixture;
before(async () => {
  full = await startEchoServer({}, {
    server: { overload: { limiter: 'fixed', initial_limit: 4, critical_reserve: 0.25, sheddable_share: 0.5, pushback: '250ms', trust_priority_header: true } },
    methods: { Create: { priority: 'critical' } },
  });
});
after(() => full.close());

test('over the limit: UNAVAILABLE at once, pushback trailer, RetryInfo + ErrorInfo OVERLOADED; health still answers; a freed slot admits again', async () => {
  const held = [holdSlot(full), holdSlot(full), holdSlot(full)];
  await waitUntil(() => full.service.calls.filter((c) => c.waitingForAbort).length === 3, 5_000, 'three calls holding slots');
  const ran = full.service.calls.length;
  const error = await refusalOf(unary(full.client, 'echo', { text: 'one too many' }));
  assert.equal(error.code, grpc.status.UNAVAILABLE);
  assert.equal(error.details, 'server overloaded, retry later');
  assert.deepEqual(error.metadata.get('grpc-retry-pushback-ms'), ['250']);
  const status = decodeStatusDetails(error.metadata.get('grpc-status-details-bin')[0] as Buffer);
  assert.deepEqual(status?.details, { errorInfo: { reason: 'OVERLOADED', domain: 'tusk-grpc', metadata: { priority: 'default' } }, retryInfo: { retryDelayMs: 250 } });
  assert.equal(full.service.calls.length, ran, 'the handler never ran');

  // critical (the descriptor's [methods] Create) keeps the last quarter of the limit
  const critical = holdSlot(full, 'create');
  await waitUntil(() => full.service.calls.filter((c) => c.waitingForAbort).length === 4, 5_000, 'the critical call admitted');
  const health = healthClient(full.address);
  try {
    assert.equal(await checkHealth(health, ''), 'SERVING', 'health is never shed');
  } finally {
    health.close();
  }
  const shedLine = full.logs.filter((line) => line.msg === 'overload: shedding started');
  assert.equal(shedLine.length, 1);

  for (const call of [...held, critical]) call.cancel();
  await Promise.all([...held, critical].map((call) => call.done));
  await waitUntil(async () => (await unary(full.client, 'echo', { text: 'again' }).then(() => true, () => false)), 5_000, 'a freed slot admits');
  const metrics = await tuskMetrics().registry.getSingleMetricAsString('tusk_server_shed_total');
  assert.match(metrics, /tusk_server_shed_total\{reason="OVERLOADED",priority="default"\} [1-9]/);
});

test('priorities: sheddable (trusted tusk-priority header) is refused while default still gets in', async () => {
  const held = [holdSlot(full), holdSlot(full)];
  await waitUntil(() => full.service.calls.filter((c) => c.waitingForAbort && !c.abortedWith).length === 2, 5_000, 'two calls holding slots');
  const sheddable = new grpc.Metadata();
  sheddable.set('tusk-priority', 'sheddable');
  const error = await refusalOf(unary(full.client, 'echo', { text: 'batch' }, { metadata: sheddable }));
  assert.equal(error.code, grpc.status.UNAVAILABLE);
  assert.equal(decodeStatusDetails(error.metadata.get('grpc-status-details-bin')[0] as Buffer)?.details?.errorInfo?.metadata?.priority, 'sheddable');
  assert.equal((await unary(full.client, 'echo', { text: 'normal' })).response.text, 'normal');
  for (const call of held) call.cancel();
  await Promise.all(held.map((call) => call.done));
});

test('deadline-aware: once Echo typically takes ~80 ms, a call with 20 ms left is DEADLINE_EXCEEDED (DEADLINE_TOO_SHORT) and never runs', async () => {
  const fixture = await startEchoServer();
  try {
    await Promise.all(Array.from({ length: 25 }, () => unary(fixture.client, 'echo', { text: 'warm', delayMs: 80 })));
    const ran = fixture.service.calls.length;
    const error = await refusalOf(unary(fixture.client, 'echo', { text: 'hurry', delayMs: 80 }, { deadline: Date.now() + 20 }));
    assert.equal(error.code, grpc.status.DEADLINE_EXCEEDED);
    const status = decodeStatusDetails(error.metadata.get('grpc-status-details-bin')[0] as Buffer);
    assert.deepEqual(status?.details?.errorInfo, { reason: 'DEADLINE_TOO_SHORT', domain: 'tusk-grpc' });
    assert.deepEqual(error.metadata.get('grpc-retry-pushback-ms'), []);
    assert.equal(fixture.service.calls.length, ran, 'not started');
    assert.equal((await unary(fixture.client, 'echo', { text: 'in time', delayMs: 80 }, { deadline: Date.now() + 2_000 })).response.text, 'in time');
  } finally {
    await fixture.close();
  }
});

test('overload { enabled: false }: the same limit admits everything', async () => {
  const fixture = await startEchoServer({}, { server: { overload: { enabled: false, limiter: 'fixed', initial_limit: 1 } } });
  try {
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => unary(fixture.client, 'echo', { text: `c${i}`, delayMs: 50 })));
    assert.equal(answers.length, 6);
  } finally {
    await fixture.close();
  }
});

// The server's list of calls in flight: what stop() waits for and ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerInterceptingCallInterface } from '@grpc/grpc-js';
import { InFlightCalls } from '../../../src/server/in-flight-calls.js';

function fakeCall(ended: string[], name: string): ServerInterceptingCallInterface {
  return { sendStatus: () => ended.push(name) } as unknown as ServerInterceptingCallInterface;
}

test('calls join and leave in any order; counts, endAll and the service-call wait follow', async () => {
  const ended: string[] = [];
  const calls = new InFlightCalls((path) => path.startsWith('/shop.'));
  const a = calls.add(fakeCall(ended, 'a'), '/shop.v1.Catalog/Get');
  const health = calls.add(fakeCall(ended, 'health'), '/grpc.health.v1.Health/Watch');
  const c = calls.add(fakeCall(ended, 'c'), '/shop.v1.Catalog/List');
  assert.equal(calls.size, 3);
  assert.equal(calls.serviceCalls, 2);

  calls.delete(a);
  calls.delete(a);
  assert.equal(calls.size, 2, 'a second delete of the same entry changes nothing');
  calls.endAll({ code: 14, details: 'stopping' });
  assert.deepEqual(ended.sort(), ['c', 'health']);

  const drained = calls.waitForServiceCalls(5_000);
  calls.delete(c);
  assert.equal(await drained, true);
  assert.equal(calls.serviceCalls, 0);
  calls.delete(health);
  assert.equal(calls.size, 0);
  const again = calls.add(fakeCall(ended, 'd'), '/shop.v1.Catalog/Get');
  assert.equal(calls.size, 1);
  assert.equal(await calls.waitForServiceCalls(1), false, 'a call still in flight when the time is up');
  calls.delete(again);
});

// The lean transport's unary call object: one 'cancelled' listener, told once
// when the call ends; what it reads comes from the call underneath.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, type ServerInterceptingCallInterface } from '@grpc/grpc-js';
import { UnarySurface } from '../../../../src/server/transport/unary-surface.js';

test('the abort switch\'s listener hears the end once; a removed one never does', () => {
  const sent: Metadata[] = [];
  const call = { getPeer: () => '127.0.0.1:9', getDeadline: () => 1234, sendMetadata: (m: Metadata) => sent.push(m) } as unknown as ServerInterceptingCallInterface;
  const metadata = new Metadata();
  const surface = new UnarySurface(call, metadata, { text: 'hi' });
  assert.deepEqual([surface.getPeer(), surface.getDeadline(), surface.request, surface.metadata], ['127.0.0.1:9', 1234, { text: 'hi' }, metadata]);
  surface.sendMetadata(metadata);
  assert.equal(sent.length, 1);

  let heard = 0;
  const removed = () => assert.fail('a removed listener was called');
  surface.once('cancelled', removed);
  surface.removeListener('cancelled', removed);
  surface.once('cancelled', () => heard++);
  assert.equal(surface.cancelled, false);
  surface.cancel();
  surface.cancel();
  assert.equal(surface.cancelled, true);
  assert.equal(heard, 1);
});

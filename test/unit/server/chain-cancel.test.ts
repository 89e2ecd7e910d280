// The built-in stages let go of a call's state at its end (onCancel): a call
// cancelled while its auth hook is still pending must then neither reach the
// handler nor fail when the hook answers late.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Metadata, type ServerInterceptingCallInterface, type ServerMethodDefinition } from '@grpc/grpc-js';
import type { InterceptingServerListener } from '@grpc/grpc-js/build/src/server-interceptors.js';
import { InFlightCalls } from '../../../src/server/in-flight-calls.js';
import { serverInterceptorChain } from '../../../src/server/server-interceptors.js';
import { noopCallHook } from '../../../src/server/server-hooks.js';
import type { Principal } from '../../../src/security/auth/principal.js';

/** The wire side of one call, as the transport below the chain would be. */
function wire() {
  let listener: InterceptingServerListener | undefined;
  const statuses: unknown[] = [];
  const call = {
    start: (chain: InterceptingServerListener) => { listener = chain; },
    startRead: () => undefined, sendMetadata: () => undefined, sendMessage: () => undefined,
    sendStatus: (status: unknown) => statuses.push(status),
    getPeer: () => '127.0.0.1:1', getDeadline: () => Infinity, getHost: () => 'localhost', getAuthContext: () => ({}),
    getConnectionInfo: () => ({ remoteAddress: '127.0.0.1', remotePort: 1 }), getMetricsRecorder: () => undefined,
  } as unknown as ServerInterceptingCallInterface;
  return { call, statuses, chainListener: () => listener! };
}

test('a call cancelled while its auth hook is pending never reaches the handler, and the late answer is ignored', async () => {
  let answer: (principal: Principal) => void = () => undefined;
  const inFlight = new InFlightCalls(() => true);
  const [builtIn] = serverInterceptorChain({
    inFlight, logger: pino({ level: 'silent' }), trace: noopCallHook, metrics: noopCallHook,
    auth: () => new Promise<Principal>((resolve) => { answer = resolve; }),
  });
  const below = wire();
  const chained = builtIn!({ path: '/test.v1.EchoService/Echo' } as ServerMethodDefinition<unknown, unknown>, below.call);
  const handler = { metadata: 0, cancels: 0 };
  chained.start({
    onReceiveMetadata: () => { handler.metadata++; }, onReceiveMessage: () => undefined, onReceiveHalfClose: () => undefined,
    onCancel: () => { handler.cancels++; },
  });
  below.chainListener().onReceiveMetadata(new Metadata());
  assert.equal(inFlight.size, 1);
  below.chainListener().onCancel();
  assert.equal(inFlight.size, 0);
  answer({ subject: 'late', scopes: [], method: 'jwt' } as unknown as Principal);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(handler, { metadata: 0, cancels: 1 });
  assert.deepEqual(below.statuses, []);
});

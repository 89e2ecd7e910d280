// A call the transport ends itself because of a malformed frame never passes
// a status through the built-in chain (src/server/server-interceptors.ts),
// which sees only the call's end: the metrics and trace hooks and the access
// log must still record the status the caller got (found by
// h2load-conformance.test.ts; they recorded CANCELLED). Both transports.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import type { ServerCallHook, ServerCallOutcome } from '../../../src/server/server-hooks.js';
import { grpcFrame, rawCallStatus } from '../../helpers/server-h2-client.js';
import { waitFor } from '../../helpers/server-raw-client.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';

const outcomes: ServerCallOutcome[] = [];
const recordingHook: ServerCallHook = { onCallStart: () => (outcome) => void outcomes.push(outcome) };
const servers = new Map<string, EchoServerFixture>();

before(async () => {
  for (const transport of ['grpc-js', 'http2']) {
    servers.set(transport, await startEchoServer({ metrics: recordingHook }, { server: { transport, max_receive_message_bytes: 1024 } }));
  }
});
after(async () => {
  for (const server of servers.values()) await server.close();
});

/** One raw Echo call on a connection of its own; resolves with the grpc-status on the wire. */
function wireStatus(address: string, body: Buffer): Promise<number> {
  const session = http2.connect(`http://${address}`);
  session.on('error', () => undefined);
  return rawCallStatus(session, '/test.v1.EchoService/Echo', body).finally(() => session.close());
}

/** grpc-js reads a message cut short by the end of the stream as no message at all: UNIMPLEMENTED from its unary handler. */
const FAULTS = [
  { name: 'a declared length over the limit', body: Buffer.from([0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]), codes: { 'grpc-js': grpc.status.RESOURCE_EXHAUSTED, http2: grpc.status.RESOURCE_EXHAUSTED } },
  { name: 'a message truncated by the end of the stream', body: grpcFrame(Buffer.from('{"text":"a longer message"}')).subarray(0, 12), codes: { 'grpc-js': grpc.status.UNIMPLEMENTED, http2: grpc.status.INTERNAL } },
];

for (const transport of ['grpc-js', 'http2'] as const) {
  for (const { name, body, codes } of FAULTS) {
    const code = codes[transport];
    test(`${transport}: ${name} is recorded with the status the caller got (${grpc.status[code]})`, async () => {
      const before = outcomes.length;
      assert.equal(await wireStatus(servers.get(transport)!.address, body), code);
      await waitFor(() => outcomes.length > before, 'the hook to see the call end', 2_000);
      assert.equal(outcomes[before]!.code, code);
    });
  }
}

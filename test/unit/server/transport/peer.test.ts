// A call's peer is read from its connection's socket once and kept on the
// connection, for grpc-js' calls as for the lean transport's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Http2Session } from 'node:http2';
import type { ServerInterceptingCallInterface } from '@grpc/grpc-js';
import { sessionPeer, transportPeer } from '../../../../src/server/transport/peer.js';

function session(address: string | undefined, port?: number) {
  let reads = 0;
  const value = { get socket() { reads++; return { remoteAddress: address, remotePort: port }; } } as unknown as Http2Session;
  return { value, reads: () => reads };
}

test('the peer is noted on the connection at its first read, formatted as grpc-js does', () => {
  const connection = session('127.0.0.1', 4001);
  assert.equal(sessionPeer(connection.value), '127.0.0.1:4001');
  assert.equal(sessionPeer(connection.value), '127.0.0.1:4001');
  assert.equal(connection.reads(), 1);
  assert.equal(sessionPeer(session('::1').value), '::1');
  const closed = session(undefined);
  assert.equal(sessionPeer(closed.value), 'unknown');
  assert.equal(sessionPeer(undefined), 'unknown');
});

test('a grpc-js call is read through its stream\'s connection; any other call as it says', () => {
  const connection = session('10.0.0.7', 5000);
  const grpcJsCall = { stream: { session: connection.value }, getPeer: () => 'not asked' } as unknown as ServerInterceptingCallInterface;
  assert.equal(transportPeer(grpcJsCall), '10.0.0.7:5000');
  const other = { getPeer: () => 'in-memory' } as unknown as ServerInterceptingCallInterface;
  assert.equal(transportPeer(other), 'in-memory');
});

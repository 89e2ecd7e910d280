// A call's peer as grpc-js' getPeer() formats it ("address:port"), noted once
// per connection: every read of session.socket goes through node's socket
// proxy, and its address through a native call, which the context of every
// call paid for on grpc-js.
import type { Http2Session } from 'node:http2';
import type { ServerInterceptingCallInterface } from '@grpc/grpc-js';

const PEER = Symbol('tusk.peer');
type NotedSession = Http2Session & { [PEER]?: string };
/** What grpc-js' BaseServerInterceptingCall keeps (a private field): the call's HTTP/2 stream. */
type StreamHolder = { readonly stream?: { readonly session?: Http2Session } };

/** The peer of a connection; "unknown" when its socket has no address (yet, or any more). */
export function sessionPeer(session: Http2Session | undefined): string {
  if (session === undefined) return 'unknown';
  const noted = (session as NotedSession)[PEER];
  if (noted !== undefined) return noted;
  const socket = session.socket;
  if (!socket?.remoteAddress) return 'unknown';
  return ((session as NotedSession)[PEER] = socket.remotePort ? `${socket.remoteAddress}:${socket.remotePort}` : socket.remoteAddress);
}

/** The peer of a transport call: from its connection when it is grpc-js' own (or ours), else as the call says. */
export function transportPeer(call: ServerInterceptingCallInterface): string {
  const stream = (call as StreamHolder).stream;
  return stream !== undefined && 'session' in stream ? sessionPeer(stream.session) : call.getPeer();
}

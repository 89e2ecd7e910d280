// Issue 3: "async iterables in both directions with backpressure respected",
// the inbound direction. A handler that stops pulling its request iterable
// must stop the sender through HTTP/2 flow control, not make the server
// buffer every message the client can write.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http2 from 'node:http2';
import type { CallContext } from '../../../src/server/call-context.js';
import type { EchoRequest, EchoResponse } from '../../helpers/echo-service.js';
import { TestEchoService } from '../../helpers/server-echo-service.js';
import { grpcFrame } from '../../helpers/server-h2-client.js';
import { captureLogger } from '../../helpers/server-test-server.js';
import { StaticRegistry } from '../../../src/discovery/static-registry.js';
import { TuskServer } from '../../../src/server/tusk-server.js';
import { waitFor } from '../../helpers/server-raw-client.js';

const MESSAGE_BYTES = 64 * 1024;
/** Upper bound of the writer's loop; a server that buffers without limit lets all of them through (8 MiB). */
const MAX_FRAMES = 128;
/** Sent before the stall: grpc-js' 16-message read buffer plus the stream's flow-control window fit well below this. */
const STALL_BOUND_FRAMES = 48;
const frame = grpcFrame(Buffer.from(JSON.stringify({ text: 'x'.repeat(MESSAGE_BYTES) })));

/** Collect and Chat that take the first request, then stop pulling until the test lets them go on. */
class SlowReaderService extends TestEchoService {
  consumed = 0;
  private resume: (() => void) | undefined;

  /** True while a handler sits on its first request without pulling the next. */
  get holding(): boolean {
    return this.resume !== undefined;
  }

  release(): void {
    this.resume?.();
    this.resume = undefined;
  }

  private async pace(): Promise<void> {
    this.consumed += 1;
    if (this.consumed === 1) await new Promise<void>((resolve) => (this.resume = resolve));
  }

  override async collect(requests: AsyncIterable<EchoRequest>): Promise<EchoResponse> {
    for await (const request of requests) {
      void request;
      await this.pace();
    }
    return { text: String(this.consumed), instance: this.instance };
  }

  override async *chat(requests: AsyncIterable<EchoRequest>, _ctx: CallContext): AsyncIterable<EchoResponse> {
    for await (const request of requests) {
      await this.pace();
      yield { text: `got ${request.text.length}`, instance: this.instance };
    }
  }
}

let server: TuskServer;
let address: string;
const service = new SlowReaderService();
before(async () => {
  server = new TuskServer({ host: '127.0.0.1', port: 0, registry: new StaticRegistry([]), handleSignals: false, logger: captureLogger([]) });
  server.add(service);
  await server.start();
  address = `127.0.0.1:${server.port}`;
});
after(async () => {
  await server.stop();
});

interface RequestWriter {
  readonly stream: http2.ClientHttp2Stream;
  /** Response bytes and trailers, collected once the stream is read. */
  readonly response: Promise<{ messages: Buffer[]; status: string | undefined }>;
  close(): void;
}

/** A plain node:http2 gRPC call that the test writes request frames into by hand. */
function openRequestStream(address: string, path: string): RequestWriter {
  const session = http2.connect(`http://${address}`);
  session.on('error', () => undefined);
  const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
  stream.on('error', () => undefined);
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const response = new Promise<{ messages: Buffer[]; status: string | undefined }>((resolve) => {
    let status: string | undefined;
    stream.on('trailers', (trailers) => (status = String(trailers['grpc-status'])));
    stream.on('close', () => resolve({ messages: splitFrames(Buffer.concat(chunks)), status }));
  });
  return {
    stream,
    response,
    close: () => {
      if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
      session.close();
    },
  };
}

function splitFrames(bytes: Buffer): Buffer[] {
  const messages: Buffer[] = [];
  for (let offset = 0; offset + 5 <= bytes.length; ) {
    const length = bytes.readUInt32BE(offset + 1);
    messages.push(bytes.subarray(offset + 5, offset + 5 + length));
    offset += 5 + length;
  }
  return messages;
}

/**
 * Writes frames while the transport takes them. Returns how many were written
 * when write() returned false and no 'drain' followed within `quietMs`
 * (the flow-control window stayed shut), or MAX_FRAMES if it never stalled.
 */
async function writeUntilStalled(stream: http2.ClientHttp2Stream, quietMs = 1_500, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let written = 1; written <= MAX_FRAMES && Date.now() < deadline; written += 1) {
    if (stream.write(frame)) continue;
    const quiet = AbortSignal.timeout(quietMs);
    const drained = await once(stream, 'drain', { signal: quiet }).then(
      () => true,
      () => false,
    );
    if (!drained) return written;
  }
  return MAX_FRAMES;
}

/** Writes `count` more frames, waiting for 'drain' whenever asked to (bounded by `timeoutMs`). */
async function writeFlowing(stream: http2.ClientHttp2Stream, count: number, timeoutMs = 30_000): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  for (let index = 0; index < count; index += 1) {
    if (!stream.write(frame)) await once(stream, 'drain', { signal });
  }
}

async function assertInboundBackpressure(path: string, check: (written: number, response: { messages: Buffer[]; status: string | undefined }) => void) {
  service.consumed = 0;
  const call = openRequestStream(address, path);
  try {
    const stalledAt = await writeUntilStalled(call.stream);
    await waitFor(() => service.holding, 'the handler to hold its first request');
    assert.ok(stalledAt < STALL_BOUND_FRAMES, `the writer got ${stalledAt} frames of 64 KiB out before it had to wait`);
    assert.equal(service.consumed, 1, 'the handler pulled only its first request');

    // Pulling again reopens the window: the writer drains and can go on.
    const drained = once(call.stream, 'drain', { signal: AbortSignal.timeout(30_000) });
    service.release();
    await drained;
    const more = 20;
    await writeFlowing(call.stream, more);
    call.stream.end();
    const response = await call.response;
    assert.equal(response.status, '0');
    check(stalledAt + more, response);
    assert.equal(service.consumed, stalledAt + more, 'every request reached the handler');
  } finally {
    service.release();
    call.close();
  }
}

test('client streaming: a handler that stops pulling stops the sender through flow control', async () => {
  await assertInboundBackpressure('/test.v1.EchoService/Collect', (written, { messages }) => {
    assert.equal(messages.length, 1);
    assert.equal((JSON.parse(messages[0]!.toString()) as EchoResponse).text, String(written));
  });
});

test('bidi streaming: a handler that stops pulling stops the sender through flow control', async () => {
  await assertInboundBackpressure('/test.v1.EchoService/Chat', (written, { messages }) => {
    assert.equal(messages.length, written, 'one response per request');
    assert.equal((JSON.parse(messages[0]!.toString()) as EchoResponse).text, `got ${MESSAGE_BYTES}`);
  });
});

// Issue 12: h2load (nghttp2's load generator, a C HTTP/2 client) against the
// lean transport, for raw protocol conformance under load. Valid calls: every
// request done with a 2xx and exactly that many reached the handler OK.
// Malformed bodies at load (malformed-and-drain.test.ts checks each fault on
// one idle call): every call ends with its gRPC status, read by raw node:http2
// callers beside h2load (h2load cannot see grpc-status), none reaches the
// handler, and a grpc-js client's calls succeed during and after.
// Counts are bounded and h2load's inactivity timeout ends a stuck run; nothing
// here asserts speed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { h2loadBatch, type H2loadBatch, type H2loadSummary } from '../../../bench/h2load-driver.js';
import type { ServerCallHook } from '../../../src/server/server-hooks.js';
import { grpcFrame, rawCallStatus } from '../../helpers/server-h2-client.js';
import { unary } from '../../helpers/server-raw-client.js';
import { startLeanServer, type LeanServerFixture } from './lean-server-fixture.js';

const ECHO_PATH = '/test.v1.EchoService/Echo';
const MAX_MESSAGE_BYTES = 1024;

/** Final gRPC status codes of every Echo call the server ended, as the metrics stage sees them. */
const echoOutcomes = new Map<number, number>();
const countingHook: ServerCallHook = {
  onCallStart: (call) => (call.path === ECHO_PATH ? (outcome) => echoOutcomes.set(outcome.code, (echoOutcomes.get(outcome.code) ?? 0) + 1) : undefined),
};

let lean: LeanServerFixture;
before(async () => {
  // Admission off: on a busy machine its adaptive limit may shed some of h2load's calls (UNAVAILABLE), which is
  // overload policy, not the transport under test.
  lean = await startLeanServer({ max_receive_message_bytes: MAX_MESSAGE_BYTES, overload: { enabled: false } }, { metrics: countingHook });
});
after(async () => {
  await lean.close();
});

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

function batch(body: Buffer, requests: number, streams: number): H2loadBatch {
  return { address: lean.address, path: ECHO_PATH, body, requests, connections: 4, streams, inactivitySeconds: 3 };
}

/** Every request h2load was asked for came back as an HTTP/2 response with :status 2xx, none cut off or timed out. */
function assertAllAnswered(summary: H2loadSummary, requests: number): void {
  const { total, done, succeeded, failed, errored, timeout, status2xx } = summary;
  assert.deepEqual({ total, done, succeeded, failed, errored, timeout, status2xx }, { total: requests, done: requests, succeeded: requests, failed: 0, errored: 0, timeout: 0, status2xx: requests }, summary.output);
}

/** The calls the server ended since `before`, by code, leaving out codes with no calls. */
function outcomesSince(before: ReadonlyMap<number, number>): Record<number, number> {
  const delta: Record<number, number> = {};
  for (const [code, count] of echoOutcomes) if (count > (before.get(code) ?? 0)) delta[code] = count - (before.get(code) ?? 0);
  return delta;
}

test('3,000 valid calls from h2load (4 connections x 16 streams): all answered 2xx, all reached the handler and ended OK', async () => {
  const requests = 3_000;
  const outcomesBefore = new Map(echoOutcomes);
  const completedBefore = lean.service.completed;
  const summary = await h2loadBatch(batch(grpcFrame(json({ text: 'h2load' })), requests, 16), 20_000);
  assertAllAnswered(summary, requests);
  assert.equal(lean.service.completed - completedBefore, requests, 'handler runs');
  assert.deepEqual(outcomesSince(outcomesBefore), { [grpc.status.OK]: requests });
});

const twoMessages = Buffer.concat([grpcFrame(json({ text: 'one' })), grpcFrame(json({ text: 'two' }))]);
const shortPrefix = grpcFrame(json({ text: 'the prefix declares 3 bytes of this' }));
shortPrefix.writeUInt32BE(3, 1);
const badFlag = grpcFrame(json({ text: 'x' }));
badFlag[0] = 7;

const MALFORMED: ReadonlyArray<{ readonly name: string; readonly body: Buffer; readonly code: grpc.status }> = [
  { name: 'a bad flag byte in the length prefix', body: badFlag, code: grpc.status.INTERNAL },
  // The bytes after the 3 declared ones read as a second frame header with a flag byte of '"' or so.
  { name: 'a length prefix shorter than the message', body: shortPrefix, code: grpc.status.INTERNAL },
  { name: 'a message truncated by the end of the stream', body: grpcFrame(json({ text: 'a longer message' })).subarray(0, 12), code: grpc.status.INTERNAL },
  { name: 'a huge declared length (4 GiB - 1)', body: Buffer.from([0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]), code: grpc.status.RESOURCE_EXHAUSTED },
  { name: 'a declared length just over the limit', body: grpcFrame(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x20)), code: grpc.status.RESOURCE_EXHAUSTED },
  // grpc-js' own answer to this (its server.ts), which the lean transport's handler runner keeps.
  { name: 'two messages on a unary call', body: twoMessages, code: grpc.status.UNIMPLEMENTED },
];

// Beside h2load's 4 x 8 streams: the raw calls at once, and grpc-js calls one after the other for as long as it runs.
const H2LOAD_STREAMS = 8;
const RAW_CALLS = 24;
const MAX_GRPC_JS_CALLS = 200;

/** grpc-js calls one after the other until `done` says stop (at least one, at most MAX_GRPC_JS_CALLS); resolves with the texts echoed. */
async function grpcJsCallsUntil(done: () => boolean): Promise<string[]> {
  const texts: string[] = [];
  do {
    texts.push((await unary(lean.client, 'echo', { text: `during ${texts.length}` }, { deadline: Date.now() + 5_000 })).response.text);
  } while (!done() && texts.length < MAX_GRPC_JS_CALLS);
  return texts;
}

for (const { name, body, code } of MALFORMED) {
  test(`${name}, 600 times from h2load (4 connections x 8 streams): each call ends ${grpc.status[code]}, grpc-js calls succeed during and after`, async () => {
    const requests = 600;
    const outcomesBefore = new Map(echoOutcomes);
    const completedBefore = lean.service.completed;
    const session = http2.connect(`http://${lean.address}`);
    session.on('error', () => undefined);
    try {
      let loadEnded = false;
      const load = h2loadBatch(batch(body, requests, H2LOAD_STREAMS), 20_000).finally(() => (loadEnded = true));
      const [summary, rawCodes, duringLoad] = await Promise.all([
        load,
        Promise.all(Array.from({ length: RAW_CALLS }, () => rawCallStatus(session, ECHO_PATH, body))),
        grpcJsCallsUntil(() => loadEnded),
      ]);
      assertAllAnswered(summary, requests);
      assert.deepEqual(new Set(rawCodes), new Set([code]), `grpc-status of ${RAW_CALLS} raw calls`);
      assert.deepEqual(duringLoad, duringLoad.map((_, index) => `during ${index}`));
      const afterLoad = await unary(lean.client, 'echo', { text: 'after' }, { deadline: Date.now() + 5_000 });
      assert.equal(afterLoad.response.text, 'after');
      // Each malformed call ended once, through the chain, without running the handler. (The code the chain records
      // for a fault the transport answers itself is CANCELLED, not the status sent: transport-fault-outcome.test.ts.)
      const ended = outcomesSince(outcomesBefore);
      const { [grpc.status.OK]: ok = 0, ...failed } = ended;
      assert.equal(ok, duringLoad.length + 1);
      assert.equal(Object.values(failed).reduce((sum, count) => sum + count, 0), requests + RAW_CALLS, JSON.stringify(ended));
      assert.equal(lean.service.completed - completedBefore, duringLoad.length + 1, 'handler runs');
    } finally {
      session.close();
    }
  });
}

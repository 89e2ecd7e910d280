import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder, encodeFrame, parseGrpcTimeout, percentEncodeMessage } from '../../../../src/server/transport/index.js';
import { Code } from '../../../../src/status/codes.js';

function decodeAll(decoder: FrameDecoder, chunks: Buffer[]) {
  const frames: [boolean, string][] = [];
  const sink = { frame: (compressed: boolean, payload: Buffer) => void frames.push([compressed, payload.toString()]) };
  for (const chunk of chunks) {
    const fault = decoder.write(chunk, sink);
    if (fault) return { frames, fault };
  }
  return { frames, fault: undefined };
}

test('frames split and joined anywhere across chunks decode to the same messages', () => {
  const wire = Buffer.concat([encodeFrame(Buffer.from('alpha'), false), encodeFrame(Buffer.from(''), false), encodeFrame(Buffer.from('gamma!'), true)]);
  for (let size = 1; size <= wire.length; size++) {
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < wire.length; offset += size) chunks.push(wire.subarray(offset, offset + size));
    const decoder = new FrameDecoder(100);
    assert.deepEqual(decodeAll(decoder, chunks), { frames: [[false, 'alpha'], [false, ''], [true, 'gamma!']], fault: undefined }, `chunk size ${size}`);
    assert.equal(decoder.midMessage, false);
  }
});

test('a declared length over the limit is RESOURCE_EXHAUSTED, a bad flag INTERNAL, a cut message is midMessage', () => {
  assert.equal(decodeAll(new FrameDecoder(10), [Buffer.from([0, 0, 0, 0, 11])]).fault?.code, Code.RESOURCE_EXHAUSTED);
  assert.equal(decodeAll(new FrameDecoder(10), [Buffer.from([2, 0, 0, 0, 1, 0])]).fault?.code, Code.INTERNAL);
  const cut = new FrameDecoder(10);
  decodeAll(cut, [Buffer.from([0, 0, 0, 0, 4, 1])]);
  assert.equal(cut.midMessage, true);
});

test('grpc-timeout in every unit; malformed values are undefined', () => {
  assert.equal(parseGrpcTimeout('2H'), 7_200_000);
  assert.equal(parseGrpcTimeout('3M'), 180_000);
  assert.equal(parseGrpcTimeout('4S'), 4_000);
  assert.equal(parseGrpcTimeout('250m'), 250);
  assert.equal(parseGrpcTimeout('1500u'), 1.5);
  assert.equal(parseGrpcTimeout('2000000n'), 2);
  for (const bad of ['', '5', 'S', '123456789S', '1.5S', '-1S', '10s']) assert.equal(parseGrpcTimeout(bad), undefined, bad);
});

test('grpc-message: printable ASCII stays, % and everything else is %XX of UTF-8', () => {
  assert.equal(percentEncodeMessage('plain text'), 'plain text');
  assert.equal(percentEncodeMessage('100%'), '100%25');
  assert.equal(percentEncodeMessage('é\n'), '%C3%A9%0A');
  assert.equal(decodeURIComponent(percentEncodeMessage('échec — 失败 ✓')), 'échec — 失败 ✓');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { readAll, writeAll } from '../../../src/server/stream-io.js';
import { MalformedRequest } from '../../../src/server/codec.js';
import { Code } from '../../../src/status/codes.js';

/** A writable whose write callbacks fire only when the test releases them. */
function heldWritable(highWaterMark: number) {
  const held: Array<() => void> = [];
  const written: unknown[] = [];
  const stream = new Writable({
    objectMode: true,
    highWaterMark,
    write(chunk, _encoding, callback) {
      written.push(chunk);
      held.push(() => callback());
    },
  });
  return { stream, held, written, release: () => held.splice(0).forEach((done) => done()) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('writeAll stops pulling while the writable is full and resumes on drain', async () => {
  const { stream, release } = heldWritable(2);
  let pulled = 0;
  async function* numbers() {
    for (let index = 0; index < 10; index += 1) {
      pulled += 1;
      yield index;
    }
  }
  const done = writeAll(stream, numbers(), new AbortController().signal);
  for (let turn = 0; turn < 5; turn += 1) await tick();
  assert.equal(pulled, 2, 'two items fill a highWaterMark of 2, then pulling waits');
  let settled = false;
  void done.then(() => (settled = true));
  for (let turn = 0; turn < 100 && !settled; turn += 1) {
    release();
    await tick();
  }
  await done;
  assert.equal(pulled, 10);
});

test('writeAll rejects with the abort reason and returns the producer', async () => {
  const { stream } = heldWritable(1);
  let returned = false;
  const producer = {
    [Symbol.asyncIterator]() {
      return {
        next: async () => ({ value: 'x', done: false as const }),
        return: async () => {
          returned = true;
          return { value: undefined, done: true as const };
        },
      };
    },
  };
  const controller = new AbortController();
  const done = writeAll(stream, producer, controller.signal);
  await tick();
  const reason = new Error('cancelled');
  controller.abort(reason);
  await assert.rejects(done, (error) => error === reason);
  assert.equal(returned, true);
});

test('readAll yields requests, turns a malformed one into INVALID_ARGUMENT, and reports an abort as its reason', async () => {
  const source = new PassThrough({ objectMode: true });
  source.write({ text: 'a' });
  source.write(new MalformedRequest(new Error('bad json')));
  source.end();
  const seen: unknown[] = [];
  await assert.rejects(
    (async () => {
      for await (const request of readAll(source, new AbortController().signal)) seen.push(request);
    })(),
    (error: { code: number }) => error.code === Code.INVALID_ARGUMENT,
  );
  assert.deepEqual(seen, [{ text: 'a' }]);

  const cancelled = new PassThrough({ objectMode: true });
  const controller = new AbortController();
  const reading = (async () => {
    for await (const request of readAll(cancelled, controller.signal)) void request;
  })();
  const reason = new Error('client went away');
  controller.abort(reason);
  cancelled.destroy();
  await assert.rejects(reading, (error) => error === reason);
});

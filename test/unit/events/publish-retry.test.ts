// publishUntilDeadline: retries with one event id until stored, then the codes the issue names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PermanentPublishError, publishUntilDeadline } from '../../../src/events/publish-retry.js';
import { Code } from '../../../src/status/codes.js';
import { TuskError } from '../../../src/status/tusk-error.js';

const isCode = (code: Code, pattern: RegExp) => (error: unknown) => error instanceof TuskError && error.code === code && pattern.test(error.message);

test('a failing attempt is retried until one stores the event', async () => {
  let attempts = 0;
  const result = await publishUntilDeadline('e1', 5000, undefined, async () => {
    attempts += 1;
    if (attempts < 3) throw new Error('no responders');
    return 'stored';
  });
  assert.equal(result, 'stored');
  assert.equal(attempts, 3);
});

test('DEADLINE_EXCEEDED with the last error once the deadline passes; UNAVAILABLE at once for a permanent failure; CANCELLED when aborted', async () => {
  await assert.rejects(publishUntilDeadline('e2', 200, undefined, async () => { throw new Error('no responders'); }), isCode(Code.DEADLINE_EXCEEDED, /^event e2 not stored within 200ms: no responders$/));
  let attempts = 0;
  await assert.rejects(publishUntilDeadline('e3', 5000, undefined, async () => { attempts += 1; throw new PermanentPublishError('the event broker is closed'); }), isCode(Code.UNAVAILABLE, /closed/));
  assert.equal(attempts, 1);
  const controller = new AbortController();
  const pending = publishUntilDeadline('e4', 10_000, controller.signal, async () => { throw new Error('down'); });
  controller.abort();
  await assert.rejects(pending, isCode(Code.CANCELLED, /e4 cancelled/));
});

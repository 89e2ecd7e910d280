import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code, TuskError } from 'tusk-grpc';
import { TuskError as SrcTuskError } from '../../src/status/tusk-error.js';

test('self-reference resolves to the source tree under the tusk-source condition', () => {
  const error = new TuskError(Code.NOT_FOUND, 'x');
  assert.ok(error instanceof SrcTuskError);
  assert.equal(error.codeName, 'NOT_FOUND');
});

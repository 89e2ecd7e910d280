import assert from 'node:assert/strict';
import { parseTsk, toRawDocument, TskSyntaxError } from '../../../src/tsk/index.js';
import type { RawDescriptor } from '../../../src/config/types.js';

export const FILE = 'test.tsk';

/** Parses and converts to the plain form, the easiest shape to compare. */
export function raw(source: string): RawDescriptor {
  return toRawDocument(parseTsk(source, FILE));
}

/** The TskSyntaxError that parsing `source` throws; fails the test if it parses. */
export function syntaxError(source: string): TskSyntaxError {
  try {
    parseTsk(source, FILE);
  } catch (error) {
    assert.ok(error instanceof TskSyntaxError, `expected TskSyntaxError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected a syntax error for ${JSON.stringify(source)}`);
}

/** Asserts where an error points and that its reason mentions `reasonPart`. */
export function assertErrorAt(source: string, line: number, column: number, reasonPart: string | RegExp): TskSyntaxError {
  const error = syntaxError(source);
  assert.deepEqual([error.line, error.column], [line, column], `position of: ${error.message}`);
  if (typeof reasonPart === 'string') assert.ok(error.reason.includes(reasonPart), `reason "${error.reason}" lacks "${reasonPart}"`);
  else assert.match(error.reason, reasonPart);
  return error;
}

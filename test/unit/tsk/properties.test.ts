import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTsk, printTsk, toRawDocument, TskSyntaxError } from '../../../src/tsk/index.js';
import { anyText, mutatedDocument, rawDescriptor, tskSoup } from './arbitraries.js';

// Generous bound for a hang; each property normally takes well under a second.
const TIMEOUT = { timeout: 120_000 };

/**
 * Parsing either succeeds, and then the result survives print and parse
 * unchanged, or throws a TskSyntaxError whose position and quoted line match
 * the input.
 */
function checkParse(source: string): void {
  let document;
  try {
    document = parseTsk(source, 'fuzz.tsk');
  } catch (error) {
    if (!(error instanceof TskSyntaxError)) throw error;
    const lines = source.split('\n');
    assert.ok(error.line >= 1 && error.line <= lines.length, `line ${error.line} of ${lines.length}`);
    assert.equal(error.sourceLine, lines[error.line - 1].replace(/\r$/, ''));
    assert.ok(error.column >= 1 && error.column <= error.sourceLine.length + 1, `column ${error.column}`);
    assert.ok(!error.reason.includes('\n'), error.reason);
    assert.equal(error.file, 'fuzz.tsk');
    return;
  }
  const plain = toRawDocument(document);
  assert.deepEqual(toRawDocument(parseTsk(printTsk(plain), 'printed.tsk')), plain);
}

test('arbitrary text never throws anything but TskSyntaxError', TIMEOUT, () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), checkParse), { numRuns: 1000 });
  fc.assert(fc.property(anyText, checkParse), { numRuns: 500 });
});

test('random .tsk-like token soup never throws anything but TskSyntaxError', TIMEOUT, () => {
  fc.assert(fc.property(tskSoup, checkParse), { numRuns: 3000 });
});

test('mutated valid documents never throw anything but TskSyntaxError', TIMEOUT, () => {
  fc.assert(fc.property(mutatedDocument, checkParse), { numRuns: 1500 });
});

test('print then parse is the identity on plain descriptors', TIMEOUT, () => {
  fc.assert(
    fc.property(rawDescriptor, (document) => {
      assert.deepEqual(toRawDocument(parseTsk(printTsk(document), 'printed.tsk')), document);
    }),
    { numRuns: 1000 },
  );
});

test('printing is canonical: a printed document prints the same after a round trip', TIMEOUT, () => {
  fc.assert(
    fc.property(rawDescriptor, (document) => {
      const printed = printTsk(document);
      assert.equal(printTsk(toRawDocument(parseTsk(printed, 'printed.tsk'))), printed);
    }),
    { numRuns: 300 },
  );
});

// The examples of the language spec (docs/tsk.md) are run through the parser:
// ```tsk blocks must parse, ```tsk-error blocks must be refused with a
// TskSyntaxError, and a ```tsk-error-message block shows the exact message of
// the tsk-error block before it. Every block must say what it is, so an
// example cannot escape the check by having no language.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseTsk, TskSyntaxError } from '../../../src/tsk/index.js';

const DOC_PATH = fileURLToPath(new URL('../../../docs/tsk.md', import.meta.url));
/** The file name the spec's error example is written for. */
const EXAMPLE_FILE = 'proto/user/v1/user.tsk';

interface CodeBlock {
  readonly language: string;
  readonly text: string;
  /** 1-based line of the opening fence in docs/tsk.md. */
  readonly line: number;
}

function fencedBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let open: { language: string; line: number; body: string[] } | undefined;
  markdown.split('\n').forEach((line, index) => {
    const fence = /^```(\S*)\s*$/.exec(line);
    if (open === undefined) {
      if (fence) open = { language: fence[1]!, line: index + 1, body: [] };
    } else if (fence && fence[1] === '') {
      blocks.push({ language: open.language, text: `${open.body.join('\n')}\n`, line: open.line });
      open = undefined;
    } else {
      open.body.push(line);
    }
  });
  assert.equal(open, undefined, `docs/tsk.md:${open?.line}: code block is never closed`);
  return blocks;
}

function parseError(block: CodeBlock): unknown {
  try {
    parseTsk(block.text, EXAMPLE_FILE);
  } catch (error) {
    return error;
  }
  return undefined;
}

const BLOCKS = fencedBlocks(readFileSync(DOC_PATH, 'utf8'));

test('every code block of docs/tsk.md names its language', () => {
  assert.ok(BLOCKS.length > 0);
  const unmarked = BLOCKS.filter((block) => block.language === '').map((block) => `docs/tsk.md:${block.line}`);
  assert.deepEqual(unmarked, [], 'mark each block tsk, tsk-error, tsk-error-message or another language');
});

test('every ```tsk example parses', () => {
  const examples = BLOCKS.filter((block) => block.language === 'tsk');
  assert.ok(examples.length >= 5);
  for (const block of examples) {
    const error = parseError(block);
    assert.equal(error, undefined, `docs/tsk.md:${block.line}: ${(error as Error | undefined)?.message}`);
  }
});

test('every ```tsk-error example is refused with a TskSyntaxError, with the message shown after it', () => {
  let errorExamples = 0;
  let shownMessages = 0;
  let lastError: { block: CodeBlock; error: TskSyntaxError } | undefined;
  for (const block of BLOCKS) {
    if (block.language === 'tsk-error') {
      errorExamples++;
      const error = parseError(block);
      assert.ok(error instanceof TskSyntaxError, `docs/tsk.md:${block.line}: expected a TskSyntaxError, got ${String(error)}`);
      lastError = { block, error };
    } else if (block.language === 'tsk-error-message') {
      shownMessages++;
      assert.ok(lastError !== undefined, `docs/tsk.md:${block.line}: a tsk-error-message block must follow a tsk-error block`);
      assert.equal(block.text, `${lastError.error.message}\n`, `docs/tsk.md:${block.line} shows another message than the parser gives for docs/tsk.md:${lastError.block.line}`);
      lastError = undefined;
    }
  }
  assert.ok(errorExamples >= 1 && shownMessages >= 1);
});

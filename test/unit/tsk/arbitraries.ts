import fc from 'fast-check';
import type { RawDescriptor, RawValue } from '../../../src/config/types.js';
import { printTsk } from '../../../src/tsk/index.js';

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

export const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: codeUnit, maxLength: 8 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
);

const identifier = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,8}$/);

/** Keys .tsk can express: not starting with '@', not naming a code block. */
export const key = fc
  .oneof(identifier, anyText)
  .filter((text) => !text.startsWith('@') && text !== 'fujsen' && !text.endsWith('_fujsen'));

const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1e21, 5e-324, Number.MAX_SAFE_INTEGER, Number.MAX_VALUE),
);

function objectOf(value: fc.Arbitrary<RawValue>, maxLength: number): fc.Arbitrary<{ [key: string]: RawValue }> {
  // Object.fromEntries keeps "__proto__" an own data property, as the parser does.
  return fc
    .uniqueArray(fc.tuple(key, value), { selector: ([name]) => name, maxLength })
    .map((entries) => Object.fromEntries(entries));
}

const { value } = fc.letrec<{ value: RawValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    anyText,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    objectOf(tie('value'), 4),
    fc.record(
      { '@env': fc.string({ minLength: 1, maxLength: 10 }), default: tie('value') },
      { requiredKeys: ['@env'], noNullPrototype: true },
    ),
  ),
}));

export const rawValue = value;

/** Plain descriptors .tsk can express: object sections, a non-empty root under "". */
export const rawDescriptor: fc.Arbitrary<RawDescriptor> = fc
  .tuple(
    fc.option(objectOf(rawValue, 4).filter((root) => Object.keys(root).length > 0), { nil: undefined }),
    fc.uniqueArray(fc.tuple(key.filter((name) => name !== ''), objectOf(rawValue, 4)), {
      selector: ([name]) => name,
      maxLength: 4,
    }),
  )
  .map(([root, sections]) => {
    const entries: [string, RawValue][] = root === undefined ? [] : [['', root]];
    return Object.fromEntries([...entries, ...sections]);
  });

/** Pieces of .tsk that make random text look like a descriptor. */
const FRAGMENTS = [
  '[', ']', '{', '}', '(', ')', ':', '=', ',', ';', '>', '<', '\n', '\r\n', '\r', ' ', '\t', '#', '//', '"', "'", '"""',
  '\\', '\\u', '\\n', '$', '$a', '$b', '@', '@env', '@env("X"', '@file(', 'fujsen', 'x_fujsen', 'function',
  '(x) => x', 'a', 'key', 'true', 'false', 'null', '0', '-1', '1.5', '1e3', '0x1F', '-', '.', 'e', '10s',
  '[s]', '[t]', '$a: 1', '$b: [$a, $a]', 'a: 1', 'b { c: 2 }', 'd >\n e: 3\n<', '"str"', '\uFEFF', '\ud800', '😀', '`',
];

export const tskSoup = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 60 }).map((parts) => parts.join(''));

const mutation = fc.record({
  kind: fc.constantFrom('delete', 'insert', 'replace', 'duplicate'),
  at: fc.nat(),
  length: fc.integer({ min: 1, max: 12 }),
  text: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: 'binary', maxLength: 3 })),
});

/** Valid printed descriptors with a few random edits. */
export const mutatedDocument = fc
  .tuple(rawDescriptor, fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([document, edits]) => {
    let text = printTsk(document);
    for (const edit of edits) {
      const at = edit.at % (text.length + 1);
      if (edit.kind === 'delete') text = text.slice(0, at) + text.slice(at + edit.length);
      else if (edit.kind === 'insert') text = text.slice(0, at) + edit.text + text.slice(at);
      else if (edit.kind === 'replace') text = text.slice(0, at) + edit.text + text.slice(at + edit.length);
      else text = text.slice(0, at) + text.slice(at, at + edit.length) + text.slice(at);
    }
    return text;
  });

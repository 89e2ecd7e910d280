import { DESCRIPTOR_SCHEMA } from './schema.js';
import type { KeySpec, LeafSpec, ScalarType } from './schema-types.js';

/**
 * Renders the descriptor reference (docs/descriptor-reference.md) from the
 * schema itself, so the documented keys, defaults, examples and meanings can
 * never drift from what the validator accepts.
 */
export function renderDescriptorReference(): string {
  const lines = [
    '# Descriptor reference',
    '',
    '<!-- Generated from src/config/schema.ts by renderDescriptorReference(); a test keeps it in sync. -->',
    '',
    'Every key a `.tsk` service descriptor may hold (syntax: [docs/tsk.md](tsk.md)). Durations are strings with a',
    'unit (`"250ms"`, `"5s"`, `"1m30s"`). Any scalar may be `@env("NAME", default)`, read when the process loads the',
    'descriptor, or `@env("NAME")`, which fails the load while NAME is unset (docs/tsk.md, "Environment references").',
    '`<method>` stands for a proto method name, `<dependency>` for an alias the caller chooses.',
    'Entries of `[methods]` and `[dependencies]` are overrides: a key left out there keeps the value of the layer',
    'below, never the built-in default ("from [client]"; "the target\'s": its `[client]` and `[methods]`, see the README\'s precedence).',
    '',
  ];
  for (const [section, spec] of Object.entries(DESCRIPTOR_SCHEMA)) {
    lines.push(`## [${section}]`, '', spec.meaning + '.', '', '| key | type | default | example | meaning |', '| --- | --- | --- | --- | --- |');
    collectRows(spec, '', lines, INHERITED[section]);
    lines.push('');
  }
  return lines.join('\n');
}

/** What a key left out of an override entry takes instead of its default; `applies` gets the path below the entry. */
interface Inherited {
  readonly text: string;
  readonly applies: (path: readonly string[]) => boolean;
}

function hasPath(spec: KeySpec, path: readonly string[]): boolean {
  if (path.length === 0) return true;
  return spec.kind === 'block' && Object.hasOwn(spec.keys, path[0]!) && hasPath(spec.keys[path[0]!]!, path.slice(1));
}

/** Sections whose entries are partial overrides (resolve-descriptor and client-policy merge them onto these). */
const INHERITED: Readonly<Record<string, Inherited>> = {
  // A method's timeout, balancer and retry come from [client]; idempotent is the method's own.
  methods: { text: 'from [client]', applies: (path) => hasPath(DESCRIPTOR_SCHEMA.client!, path) },
  dependencies: { text: "the target's", applies: () => true },
};

/** `below`: the keys from the override entry down to `spec`; undefined outside any override entry. */
function collectRows(spec: KeySpec, path: string, lines: string[], inherited: Inherited | undefined, below?: readonly string[]): void {
  const inheritedText = inherited !== undefined && below !== undefined && below.length > 0 && inherited.applies(below) ? inherited.text : undefined;
  if (spec.kind === 'leaf') {
    const shownDefault = spec.required || inheritedText === undefined ? defaultText(spec) : inheritedText;
    // The TUSK_* variables override a service's own sections, never what an override entry writes.
    const meaning = below === undefined ? spec.meaning : spec.meaning.replace(/ \(env TUSK_[A-Z_]+\)/, '');
    lines.push(`| \`${path}\` | ${typeText(spec)} | ${shownDefault} | ${exampleText(spec)} | ${meaning} |`);
    return;
  }
  if (spec.kind === 'map') {
    const placeholder = `<${spec.entryName.replace(/ /g, '_')}>`;
    collectRows(spec.entry, path === '' ? placeholder : `${path}.${placeholder}`, lines, inherited, below ?? []);
    return;
  }
  if (path !== '') {
    const shownDefault = inheritedText ?? (spec.nullable ? 'null (off)' : '');
    lines.push(`| \`${path} { }\` | block${spec.nullable ? ' or null' : ''} | ${shownDefault} |  | ${spec.meaning} |`);
  }
  // Written in an override, a whole block (bulkhead) is complete: its own defaults apply inside it.
  const inner = spec.whole ? undefined : inherited;
  for (const [key, child] of Object.entries(spec.keys)) {
    collectRows(child, path === '' ? key : `${path}.${key}`, lines, inner, below === undefined ? undefined : [...below, key]);
  }
}

function typeText(spec: LeafSpec): string {
  const base = scalarText(spec.type);
  const withList = spec.list ? `list of ${base}` : base;
  return spec.nullable ? `${withList} or null` : withList;
}

function scalarText(type: ScalarType): string {
  switch (type.kind) {
    case 'enum':
      return type.values.map((value) => `\`${value}\``).join(' \\| ');
    case 'number': {
      const range = type.min !== undefined || type.max !== undefined ? ` ${type.min ?? ''}..${type.max ?? ''}` : '';
      return `${type.integer ? 'integer' : 'number'}${range}`;
    }
    case 'code':
      return 'status code name';
    case 'metadata':
      return 'string, number or boolean';
    default:
      return type.kind;
  }
}

function defaultText(spec: LeafSpec): string {
  if (spec.required) return '(required)';
  if (spec.defaultText !== undefined) return spec.defaultText;
  if (spec.default === undefined) return '';
  if (typeof spec.default === 'function') throw new TypeError(`a computed default needs defaultText to be documented (${spec.meaning})`);
  return `\`${JSON.stringify(spec.default)}\``;
}

/** As written in a .tsk; `|` would end the table cell. */
function exampleText(spec: LeafSpec): string {
  return spec.example === undefined ? '' : `\`${spec.example.replaceAll('|', '\\|')}\``;
}

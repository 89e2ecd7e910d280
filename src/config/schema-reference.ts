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
    'descriptor. `<method>` stands for a proto method name, `<dependency>` for an alias the caller chooses.',
    '',
  ];
  for (const [section, spec] of Object.entries(DESCRIPTOR_SCHEMA)) {
    lines.push(`## [${section}]`, '', spec.meaning + '.', '', '| key | type | default | example | meaning |', '| --- | --- | --- | --- | --- |');
    collectRows(spec, '', lines);
    lines.push('');
  }
  return lines.join('\n');
}

function collectRows(spec: KeySpec, path: string, lines: string[]): void {
  if (spec.kind === 'leaf') {
    lines.push(`| \`${path}\` | ${typeText(spec)} | ${defaultText(spec)} | ${exampleText(spec)} | ${spec.meaning} |`);
    return;
  }
  if (spec.kind === 'map') {
    const placeholder = `<${spec.entryName.replace(/ /g, '_')}>`;
    collectRows(spec.entry, path === '' ? placeholder : `${path}.${placeholder}`, lines);
    return;
  }
  if (path !== '') lines.push(`| \`${path} { }\` | block${spec.nullable ? ' or null' : ''} | ${spec.nullable ? 'null (off)' : ''} |  | ${spec.meaning} |`);
  for (const [key, child] of Object.entries(spec.keys)) collectRows(child, path === '' ? key : `${path}.${key}`, lines);
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
  if (spec.default === undefined) return '';
  if (typeof spec.default === 'function') return 'depends (see meaning)';
  return `\`${JSON.stringify(spec.default)}\``;
}

/** As written in a .tsk; `|` would end the table cell. */
function exampleText(spec: LeafSpec): string {
  return spec.example === undefined ? '' : `\`${spec.example.replaceAll('|', '\\|')}\``;
}

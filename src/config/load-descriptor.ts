import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OneLineError } from '../status/fatal.js';
import type { TskDocument, TskValue } from '../tsk/types.js';
import { formatIssue, type DescriptorIssue } from './issues.js';
import type { ServiceDescriptor } from './service-definition.js';
import type { RawDescriptor } from './types.js';
import { validateDescriptorText } from './validate-document.js';
import { messageOf } from '../status/tusk-error.js';

/** A descriptor's policies as this process uses them, and where they came from. */
export interface LoadedDescriptor {
  readonly raw: RawDescriptor;
  /** The .tsk named by messages: the file read, else the path recorded at generation; null for defaults. */
  readonly source: string | null;
  /** `line:col` of a key (path of .tsk keys from the section down) when the .tsk was read; undefined otherwise. */
  readonly keyAt: (path: readonly string[]) => string | undefined;
}

/** A .tsk read at load time that does not validate, as one `file:line:col: message` line. */
export class DescriptorFileError extends OneLineError {
  readonly issues: readonly DescriptorIssue[];

  constructor(issues: readonly DescriptorIssue[]) {
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''}: npx tusk-grpc check lists them)` : '';
    super(`${formatIssue(issues[0]!)}${more}`);
    this.name = 'DescriptorFileError';
    this.issues = issues;
  }
}

const loaded = new WeakMap<ServiceDescriptor, LoadedDescriptor>();

/**
 * The .tsk recorded by generated code (`descriptorSource`) when it exists,
 * parsed and validated as at generation against the generated methods, so a
 * changed timeout needs no regeneration; else the values embedded at
 * generation. Read once per descriptor per process.
 */
export function loadDescriptor(descriptor: ServiceDescriptor): LoadedDescriptor {
  let result = loaded.get(descriptor);
  if (!result) {
    result = readSource(descriptor) ?? { raw: descriptor.config, source: descriptor.descriptorFile, keyAt: () => undefined };
    loaded.set(descriptor, result);
  }
  return result;
}

function readSource(descriptor: ServiceDescriptor): LoadedDescriptor | undefined {
  const path = sourcePath(descriptor);
  if (path === undefined) return undefined;
  const shown = relative(process.cwd(), path);
  const source = shown === '' || shown.startsWith('..') || isAbsolute(shown) ? path : shown;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    // There but unreadable (permissions, a folder): say so in one line rather than fall back or crash with a stack.
    throw new OneLineError(`${source}: cannot read the descriptor: ${messageOf(error)}`, { cause: error });
  }
  const methods = Object.values(descriptor.methods).map((method) => ({ name: method.name, kind: method.kind }));
  const validation = validateDescriptorText(text, source, { file: descriptor.protoFile, services: [{ name: descriptor.name, methods }] });
  const { doc } = validation;
  if (validation.raw === null || doc === undefined) {
    throw new DescriptorFileError(validation.errors.map((issue) => withRegenerateHint(issue, descriptor, methods.map((method) => method.name))));
  }
  return { raw: validation.raw, source, keyAt: (keys) => keyPosition(doc, keys) };
}

/** Where the recorded .tsk is now, if anywhere (see ServiceDescriptor.generatedModule). */
function sourcePath(descriptor: ServiceDescriptor): string | undefined {
  if (descriptor.descriptorSource === undefined) return undefined;
  const recorded = fileURLToPath(descriptor.descriptorSource);
  if (existsSync(recorded)) return recorded;
  if (descriptor.generatedModule === undefined) return undefined;
  const moduleDir = dirname(fileURLToPath(descriptor.generatedModule));
  const segments = relative(moduleDir, recorded).split(sep);
  const below = segments.slice(segments.findIndex((segment) => segment !== '..')).join(sep);
  for (let dir = moduleDir; ; dir = dirname(dir)) {
    const candidate = join(dir, below);
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, 'package.json')) || dirname(dir) === dir) return undefined;
  }
}

/** The .tsk knows a method the generated code does not: the proto changed since generation. */
function withRegenerateHint(issue: DescriptorIssue, descriptor: ServiceDescriptor, methods: readonly string[]): DescriptorIssue {
  const match = /^(unknown method "[^"]*" in \[methods\])/.exec(issue.message);
  if (!match) return issue;
  const has = methods.length === 0 ? 'no methods' : methods.join(', ');
  return { ...issue, message: `${match[1]}; the generated code of ${descriptor.name} has ${has}: regenerate after changing the proto` };
}

/** `line:col` of a key of a parsed .tsk, by .tsk keys from the section down; undefined when not written. */
export function keyPosition(doc: TskDocument, keys: readonly string[]): string | undefined {
  let entry = doc.sections.find((section) => section.key === keys[0]);
  for (const key of keys.slice(1)) {
    const value: TskValue | undefined = entry?.value;
    entry = value?.kind === 'object' ? value.entries.find((inner) => inner.key === key) : undefined;
  }
  return entry === undefined ? undefined : `${entry.keyPos.line}:${entry.keyPos.column}`;
}

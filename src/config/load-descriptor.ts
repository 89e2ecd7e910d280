import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OneLineError } from '../status/fatal.js';
import { TskSyntaxError } from '../tsk/errors.js';
import { parseTsk } from '../tsk/parser.js';
import type { TskDocument, TskValue } from '../tsk/types.js';
import { formatIssue, type DescriptorIssue } from './issues.js';
import type { ServiceDescriptor } from './service-definition.js';
import type { RawDescriptor } from './types.js';
import { validateDescriptorDocument } from './validate-document.js';

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
  const path = locateSource(descriptor);
  if (path === undefined) return undefined;
  const shown = relative(process.cwd(), path);
  const source = shown === '' || shown.startsWith('..') || isAbsolute(shown) ? path : shown;
  let doc: TskDocument;
  try {
    doc = parseTsk(readFileSync(path, 'utf8'), source);
  } catch (error) {
    if (!(error instanceof TskSyntaxError)) throw error;
    throw new DescriptorFileError([{ file: error.file, line: error.line, column: error.column, message: error.reason }]);
  }
  const methods = Object.values(descriptor.methods).map((method) => ({ name: method.name, kind: method.kind }));
  const validation = validateDescriptorDocument(doc, { file: descriptor.protoFile, services: [{ name: descriptor.name, methods }] });
  if (validation.raw === null) {
    throw new DescriptorFileError(validation.errors.map((issue) => withRegenerateHint(issue, descriptor, methods.map((method) => method.name))));
  }
  return { raw: validation.raw, source, keyAt: (keys) => keyPosition(doc, keys) };
}

/**
 * The recorded .tsk, or, for code compiled to an outDir (dist/gen/... beside
 * gen/...), the same project path in a parent folder, up to the nearest
 * package.json: the project root, which a deployment without sources stops at.
 */
function locateSource(descriptor: ServiceDescriptor): string | undefined {
  if (descriptor.descriptorSource === undefined) return undefined;
  const recorded = fileURLToPath(descriptor.descriptorSource);
  if (existsSync(recorded)) return recorded;
  const inProject = descriptor.descriptorSourcePath;
  if (inProject === undefined) return undefined;
  const suffix = join(sep, ...inProject.split('/'));
  if (!recorded.endsWith(suffix)) return undefined;
  let folder = recorded.slice(0, recorded.length - suffix.length) || sep;
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
    const candidate = join(folder, inProject);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The .tsk knows a method the generated code does not: the proto changed since generation. */
function withRegenerateHint(issue: DescriptorIssue, descriptor: ServiceDescriptor, methods: readonly string[]): DescriptorIssue {
  const match = /^(unknown method "[^"]*" in \[methods\])/.exec(issue.message);
  if (!match) return issue;
  const has = methods.length === 0 ? 'no methods' : methods.join(', ');
  return { ...issue, message: `${match[1]}; the generated code of ${descriptor.name} has ${has}: regenerate after changing the proto` };
}

function keyPosition(doc: TskDocument, keys: readonly string[]): string | undefined {
  let entry = doc.sections.find((section) => section.key === keys[0]);
  for (const key of keys.slice(1)) {
    const value: TskValue | undefined = entry?.value;
    entry = value?.kind === 'object' ? value.entries.find((inner) => inner.key === key) : undefined;
  }
  return entry === undefined ? undefined : `${entry.keyPos.line}:${entry.keyPos.column}`;
}

import type { MethodKind } from './service-definition.js';
import type { TskDocument, TskEntry, TskObject, TskValue } from '../tsk/types.js';
import { toRawValue } from '../tsk/raw.js';
import { TskSyntaxError } from '../tsk/errors.js';
import { parseTsk } from '../tsk/parser.js';
import { didYouMeanSuffix } from './did-you-mean.js';
import { IssueList, type DescriptorIssue } from './issues.js';
import { DESCRIPTOR_SCHEMA } from './schema.js';
import type { RawDescriptor, RawValue } from './types.js';
import { checkEventDeclarations } from './validate-events.js';
import { validateValue } from './validate-value.js';

/** What the generator knows of the proto file a descriptor sits beside. */
export interface ProtoFileInfo {
  readonly file: string;
  readonly services: readonly { readonly name: string; readonly methods: readonly { readonly name: string; readonly kind: MethodKind }[] }[];
}

export interface DescriptorValidation {
  /** The proto service this descriptor configures; null when it cannot be told. */
  readonly service: string | null;
  /** The document as plain JSON for generated code; null when there are errors. */
  readonly raw: RawDescriptor | null;
  /** Every problem, sorted by position. */
  readonly errors: readonly DescriptorIssue[];
}

export interface ValidateDescriptorOptions {
  /** Full names of every service the generator can see; enables checking [dependencies] targets. */
  readonly knownServices?: readonly string[];
  /** Method names by full service name, for the services the generator can see; enables checking [dependencies] methods. */
  readonly serviceMethods?: Readonly<Record<string, readonly string[]>>;
  /** Full names of every message the generator can see; enables checking [events] publishes and [subscriptions] events. */
  readonly knownMessages?: readonly string[];
}

const SECTION_NAMES = Object.keys(DESCRIPTOR_SCHEMA);

/**
 * Checks a parsed .tsk against the descriptor schema and its proto file,
 * collecting every problem with the position of the key or value at fault.
 */
export function validateDescriptorDocument(doc: TskDocument, proto: ProtoFileInfo, options: ValidateDescriptorOptions = {}): DescriptorValidation {
  const issues = new IssueList();
  for (const entry of doc.root.entries) {
    issues.add(entry.keyPos, `key ${JSON.stringify(entry.key)} is outside any section: move it under a [section], or make it a $variable`);
  }
  for (const section of doc.sections) {
    const spec = Object.hasOwn(DESCRIPTOR_SCHEMA, section.key) ? DESCRIPTOR_SCHEMA[section.key] : undefined;
    if (!spec) {
      const suggestion = didYouMeanSuffix(section.key, SECTION_NAMES).replace(/"([^"]+)"/, '[$1]');
      issues.add(section.keyPos, `unknown section [${section.key}]${suggestion}; sections are ${SECTION_NAMES.map((name) => `[${name}]`).join(', ')}`);
      continue;
    }
    validateValue(spec, section.value, { section: section.key, path: [] }, issues, false, section.keyPos);
  }
  const service = chooseService(doc, proto, issues);
  if (service) checkMethodNames(doc, service, issues);
  checkEventDeclarations(doc, { rpcNames: service?.methods.map((method) => method.name) ?? [], knownMessages: options.knownMessages }, issues);
  checkDependencyTargets(doc, options.knownServices, issues);
  if (options.serviceMethods) checkDependencyMethods(doc, options.serviceMethods, issues);
  const errors = issues.sorted();
  return { service: service?.name ?? null, raw: errors.length === 0 ? sectionsToRaw(doc) : null, errors };
}

function sectionEntry(doc: TskDocument, name: string): TskEntry | undefined {
  return doc.sections.find((section) => section.key === name);
}

function entryOf(value: TskValue, key: string): TskEntry | undefined {
  return value.kind === 'object' ? value.entries.find((entry) => entry.key === key) : undefined;
}

type ProtoService = ProtoFileInfo['services'][number];

function chooseService(doc: TskDocument, proto: ProtoFileInfo, issues: IssueList): ProtoService | undefined {
  const names = proto.services.map((service) => service.name);
  const serviceSection = sectionEntry(doc, 'service');
  const nameEntry = serviceSection && entryOf(serviceSection.value, 'name');
  if (!nameEntry) {
    if (proto.services.length === 1) return proto.services[0];
    const where = serviceSection?.keyPos ?? { file: doc.file, line: 1, column: 1 };
    const what = proto.services.length === 0 ? `${proto.file} declares no service` : `${proto.file} declares several services (${names.join(', ')})`;
    issues.add(where, `[service] name is required: ${what}`);
    return undefined;
  }
  const value = nameEntry.value;
  if (value.kind !== 'string') {
    // A non-string is already reported by the schema; an @env cannot choose a service at generation time.
    if (value.kind === 'env') issues.add(value.pos, '[service] name: must be a plain string, not @env: the service is chosen at generation time');
    return undefined;
  }
  const found = proto.services.find((service) => service.name === value.value);
  if (!found) {
    const listed = names.length === 0 ? 'it declares no service' : `it declares ${names.join(', ')}`;
    issues.add(value.pos, `service ${JSON.stringify(value.value)} is not in ${proto.file}${didYouMeanSuffix(value.value, names)}; ${listed}`);
  }
  return found;
}

function checkMethodNames(doc: TskDocument, service: ProtoService, issues: IssueList): void {
  const methods = sectionEntry(doc, 'methods');
  if (!methods || methods.value.kind !== 'object') return;
  const names = service.methods.map((method) => method.name);
  for (const entry of methods.value.entries) {
    if (!names.includes(entry.key)) {
      issues.add(entry.keyPos, `unknown method ${JSON.stringify(entry.key)} in [methods]${didYouMeanSuffix(entry.key, names)}`);
    }
  }
}

/** Each target at most once (the runtime looks entries up by service), and known when the caller says what exists. */
function checkDependencyTargets(doc: TskDocument, knownServices: readonly string[] | undefined, issues: IssueList): void {
  const dependencies = sectionEntry(doc, 'dependencies');
  if (!dependencies || dependencies.value.kind !== 'object') return;
  const aliasByService = new Map<string, string>();
  for (const alias of dependencies.value.entries) {
    const target = entryOf(alias.value, 'service')?.value;
    if (target?.kind !== 'string') continue;
    const previous = aliasByService.get(target.value);
    if (previous !== undefined) issues.add(target.pos, `[dependencies] ${alias.key}: service ${JSON.stringify(target.value)} is already configured by ${previous}`);
    aliasByService.set(target.value, alias.key);
    if (knownServices && !knownServices.includes(target.value)) {
      issues.add(target.pos, `unknown service ${JSON.stringify(target.value)} in [dependencies] ${alias.key}${didYouMeanSuffix(target.value, knownServices)}`);
    }
  }
}

/** A [dependencies] entry's `methods` must name methods of its target, when the target's methods are known. */
function checkDependencyMethods(doc: TskDocument, serviceMethods: Readonly<Record<string, readonly string[]>>, issues: IssueList): void {
  const dependencies = sectionEntry(doc, 'dependencies');
  if (!dependencies || dependencies.value.kind !== 'object') return;
  for (const alias of dependencies.value.entries) {
    const target = entryOf(alias.value, 'service')?.value;
    const methods = entryOf(alias.value, 'methods')?.value;
    if (target?.kind !== 'string' || methods?.kind !== 'object' || !Object.hasOwn(serviceMethods, target.value)) continue;
    const names = serviceMethods[target.value]!;
    for (const entry of methods.entries) {
      if (names.includes(entry.key)) continue;
      const message = `unknown method ${JSON.stringify(entry.key)} of ${target.value} in [dependencies] ${alias.key}.methods`;
      issues.add(entry.keyPos, `${message}${didYouMeanSuffix(entry.key, names)}`);
    }
  }
}

/** Sections only: root entries are errors, and `$variables` are already substituted by the parser. Each `@env` keeps its position. */
function sectionsToRaw(doc: TskDocument): RawDescriptor {
  const sections: [string, RawValue][] = doc.sections.map((section) => [section.key, toRawValue(section.value as TskObject, true)]);
  return Object.fromEntries(sections);
}

/**
 * A .tsk file's text, parsed and validated: what `generate` checks and what a
 * process re-checks when it reads the .tsk at load time. A syntax error is the
 * one issue (the document is undefined then).
 */
export function validateDescriptorText(
  text: string,
  shownPath: string,
  proto: ProtoFileInfo,
  options: ValidateDescriptorOptions = {},
): DescriptorValidation & { readonly doc: TskDocument | undefined } {
  let doc: TskDocument;
  try {
    doc = parseTsk(text, shownPath);
  } catch (error) {
    if (!(error instanceof TskSyntaxError)) throw error;
    return { doc: undefined, service: null, raw: null, errors: [{ file: error.file, line: error.line, column: error.column, message: error.reason }] };
  }
  return { doc, ...validateDescriptorDocument(doc, proto, options) };
}

// The rules of [events] publishes and [subscriptions] that the schema alone
// cannot say: names are fixed at generation time (no @env), every message
// exists in the protos, and every generated name (handler, publisher) is a
// free method name on the generated base.
import type { SourcePos, TskDocument, TskEntry, TskValue } from '../tsk/types.js';
import { didYouMeanSuffix } from './did-you-mean.js';
import type { IssueList } from './issues.js';
import { splitList } from './scalar-check.js';

/** Members of ServiceBase and Object a handler or publisher would shadow. */
const RESERVED_MEMBER_NAMES = new Set([
  'constructor', 'descriptor', 'onStart', 'onStop', 'clientOf', 'publishEvent', 'then', '__proto__',
  'toString', 'toLocaleString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable',
]);

const METHOD_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `user.v1.UserCreated` → `publishUserCreated`: the typed publisher on the generated base. */
export function publishMethodName(fullName: string): string {
  const short = fullName.slice(fullName.lastIndexOf('.') + 1);
  return `publish${short.charAt(0).toUpperCase()}${short.slice(1)}`;
}

export interface EventCheckContext {
  /** Proto method names of the service (a handler may not take an RPC's name on the base). */
  readonly rpcNames: readonly string[];
  /** Full names of every message the generator can see; undefined = not checked (load time without them). */
  readonly knownMessages: readonly string[] | undefined;
}

interface NamedMessage {
  readonly name: string;
  readonly pos: SourcePos;
}

function sectionValue(doc: TskDocument, name: string): TskValue | undefined {
  return doc.sections.find((section) => section.key === name)?.value;
}

function entryOf(value: TskValue | undefined, key: string): TskEntry | undefined {
  return value?.kind === 'object' ? value.entries.find((entry) => entry.key === key) : undefined;
}

/** A message name written as a plain string; an @env is reported (the generated types cannot follow it). */
function plainName(value: TskValue, what: string, issues: IssueList): NamedMessage | undefined {
  if (value.kind === 'string') return { name: value.value, pos: value.pos };
  if (value.kind === 'env') issues.add(value.pos, `${what}: must be a plain string, not @env: the generated publishers and handlers are typed at generation time`);
  return undefined;
}

function checkKnown(message: NamedMessage, where: string, known: readonly string[] | undefined, issues: IssueList): void {
  if (known === undefined || known.includes(message.name)) return;
  issues.add(message.pos, `unknown message ${JSON.stringify(message.name)} in ${where}${didYouMeanSuffix(message.name, known)}: no proto the generator reads declares it`);
}

/** `[events] publishes`: plain strings, known messages, each once, and distinct publisher names. */
function checkPublishes(doc: TskDocument, context: EventCheckContext, issues: IssueList): Map<string, string> {
  const publishers = new Map<string, string>();
  const value = entryOf(sectionValue(doc, 'events'), 'publishes')?.value;
  if (value === undefined) return publishers;
  // One comma-separated string is a list too (scalar-check.ts).
  const items = value.kind === 'array' ? value.items : value.kind === 'string' ? splitList(value.value).map((part) => ({ ...value, value: part })) : [value];
  for (const item of items) {
    const message = plainName(item, '[events] publishes', issues);
    if (!message) continue;
    checkKnown(message, '[events] publishes', context.knownMessages, issues);
    const method = publishMethodName(message.name);
    const previous = publishers.get(method);
    if (previous === message.name) issues.add(message.pos, `[events] publishes: ${message.name} is listed twice`);
    else if (previous !== undefined) issues.add(message.pos, `[events] publishes: ${message.name} and ${previous} would both be published by ${method}(); a service publishes one message of each name`);
    else publishers.set(method, message.name);
  }
  return publishers;
}

/** Why `name` cannot be a handler method, or undefined. */
function handlerNameProblem(name: string, context: EventCheckContext, publishers: Map<string, string>): string | undefined {
  if (!METHOD_NAME.test(name)) return 'is not a method name (letters, digits, "_" and "$", not starting with a digit)';
  if (RESERVED_MEMBER_NAMES.has(name)) return 'is a member every service already has';
  const fold = (text: string) => text.replaceAll('_', '').toLowerCase();
  const rpc = context.rpcNames.find((method) => fold(method) === fold(name));
  if (rpc !== undefined) return `clashes with the RPC ${rpc} on the generated base`;
  if (publishers.has(name)) return `clashes with the publisher of ${publishers.get(name)!}`;
  return undefined;
}

/** `[subscriptions]`: handler names free on the base, known messages, and each group used by one subscription. */
function checkSubscriptions(doc: TskDocument, context: EventCheckContext, publishers: Map<string, string>, issues: IssueList): void {
  const section = sectionValue(doc, 'subscriptions');
  if (section?.kind !== 'object') return;
  const handlerByGroup = new Map<string, string>();
  for (const entry of section.entries) {
    const problem = handlerNameProblem(entry.key, context, publishers);
    if (problem !== undefined) issues.add(entry.keyPos, `[subscriptions] ${entry.key}: the handler name ${problem}`);
    const event = entryOf(entry.value, 'event')?.value;
    const message = event && plainName(event, `[subscriptions] ${entry.key}.event`, issues);
    if (message) checkKnown(message, `[subscriptions] ${entry.key}.event`, context.knownMessages, issues);
    const group = entryOf(entry.value, 'group')?.value;
    if (group?.kind !== 'string') continue;
    const previous = handlerByGroup.get(group.value);
    if (previous !== undefined) {
      issues.add(group.pos, `[subscriptions] ${entry.key}.group: "${group.value}" is already the group of ${previous}; each subscription needs its own group (a group is one durable consumer of one event type)`);
    }
    handlerByGroup.set(group.value, entry.key);
  }
}

/** Every event rule of one descriptor, reported into `issues`. */
export function checkEventDeclarations(doc: TskDocument, context: EventCheckContext, issues: IssueList): void {
  const publishers = checkPublishes(doc, context, issues);
  checkSubscriptions(doc, context, publishers, issues);
}

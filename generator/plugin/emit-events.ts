import type { DescMessage } from '@bufbuild/protobuf';
import { getComments, type GeneratedFile, type ImportSymbol, type Printable } from '@bufbuild/protoplugin';
import { splitList } from '../../src/config/scalar-check.js';
import type { RawValue } from '../../src/config/types.js';
import { publishMethodName } from '../../src/config/validate-events.js';
import type { ServiceConfig } from '../descriptors.js';
import { GeneratorError } from '../errors.js';
import { tsProtoModule, tsProtoTypeName } from './names.js';

const RUNTIME = 'tusk-grpc';

interface EventMessage {
  readonly message: DescMessage;
  readonly symbol: ImportSymbol;
}

/** What one service's .tsk declares about events, with the proto messages resolved. */
export interface ServiceEvents {
  /** In .tsk order. */
  readonly publishes: readonly EventMessage[];
  /** Handler name and message, in .tsk order. */
  readonly subscriptions: readonly (EventMessage & { readonly handler: string })[];
}

type RawObject = { readonly [key: string]: RawValue };
const objectOf = (raw: RawValue | undefined): RawObject =>
  raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as RawObject) : {};

/** `[events] publishes` and `[subscriptions]` of a validated .tsk (names are plain strings there: validate-events.ts). */
export function serviceEvents(f: GeneratedFile, config: ServiceConfig, messages: ReadonlyMap<string, DescMessage>): ServiceEvents {
  const resolve = (name: string): EventMessage => {
    const message = messages.get(name);
    // The descriptor was validated against the same protos; a miss means the two inputs disagree.
    if (!message) throw GeneratorError.atFile(config.descriptorFile ?? '<defaults>', `message ${name} is not in the protos this run compiles`);
    return { message, symbol: f.import(tsProtoTypeName(message), tsProtoModule(message.file.proto.name)) };
  };
  const written = objectOf(config.config.events).publishes;
  const names = typeof written === 'string' ? splitList(written) : Array.isArray(written) ? written.filter((item): item is string => typeof item === 'string') : [];
  const subscriptions = Object.entries(objectOf(config.config.subscriptions)).map(([handler, block]) => ({ handler, ...resolve(objectOf(block).event as string) }));
  return { publishes: names.map(resolve), subscriptions };
}

export function hasEvents(events: ServiceEvents): boolean {
  return events.publishes.length > 0 || events.subscriptions.length > 0;
}

function eventTypeOf(f: GeneratedFile, { message, symbol }: EventMessage): Printable[] {
  return [f.import('eventType', RUNTIME), '(', f.string(message.typeName), ', ', symbol, ')'];
}

function printEntries(f: GeneratedFile, name: string, entries: readonly Printable[][]): void {
  if (entries.length === 0) return f.print(`    ${name}: {},`);
  f.print(`    ${name}: {`);
  for (const entry of entries) f.print('      ', ...entry, ',');
  f.print('    },');
}

/** `events: { publishes, subscriptions }` inside `<Svc>Descriptor`: the codecs the runtime publishes and decodes with. */
export function emitDescriptorEvents(f: GeneratedFile, events: ServiceEvents): void {
  if (!hasEvents(events)) return;
  f.print('  events: {');
  printEntries(f, 'publishes', events.publishes.map((event) => [f.string(event.message.typeName), ': ', ...eventTypeOf(f, event)]));
  printEntries(f, 'subscriptions', events.subscriptions.map((event) => [`${event.handler}: `, ...eventTypeOf(f, event)]));
  f.print('  },');
}

/** On `<Svc>Base`: an abstract handler per subscription, a typed publisher per published message. */
export function emitBaseEvents(f: GeneratedFile, events: ServiceEvents, descriptorName: string, printDoc: (lines: readonly (string | undefined)[], indentation: string) => void): void {
  for (const { handler, message, symbol } of events.subscriptions) {
    f.print();
    printDoc([
      getComments(message).leading,
      `Handles ${message.typeName} ([subscriptions] ${handler}). Resolving acknowledges the event; throwing redelivers it after the backoff, up to max_deliver, then dead-letters it.`,
    ], '  ');
    f.print(`  abstract ${handler}(event: `, symbol.toTypeOnly(), ', ctx: ', f.import('EventContext', RUNTIME, true), '): Promise<void>;');
  }
  for (const { message, symbol } of events.publishes) {
    f.print();
    printDoc([`Publishes ${message.typeName} ([events] publishes). Resolves once the broker stored it; rejects with UNAVAILABLE or DEADLINE_EXCEEDED when it could not be.`], '  ');
    const options = f.import('PublishOptions', RUNTIME, true);
    f.print(`  ${publishMethodName(message.typeName)}(event: `, symbol.toTypeOnly(), ', options?: ', options, '): Promise<', f.import('PublishReceipt', RUNTIME, true), '> {');
    f.print(`    return this.publishEvent(${descriptorName}.events.publishes[`, f.string(message.typeName), '], event, options);');
    f.print('  }');
  }
}

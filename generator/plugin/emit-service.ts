import type { DescFile, DescMessage, DescMethod, DescService } from '@bufbuild/protobuf';
import { getComments, type GeneratedFile, type ImportSymbol, type Printable } from '@bufbuild/protoplugin';
import type { ServiceConfig } from '../descriptors.js';
import { emitBaseEvents, emitDescriptorEvents, serviceEvents, type ServiceEvents } from './emit-events.js';
import { fileDescriptorSetBase64 } from './file-descriptor-set.js';
import { methodLocalName, tsProtoModule, tsProtoTypeName } from './names.js';

const RUNTIME = 'tusk-grpc';

/** The names one service exports (DESIGN.md, "Generated API"). */
export function serviceExportNames(service: DescService): { base: string; client: string; factory: string; descriptor: string } {
  return {
    base: `${service.name}Base`,
    client: `${service.name}Client`,
    factory: `create${service.name}Client`,
    descriptor: `${service.name}Descriptor`,
  };
}

interface MethodTypes {
  readonly method: DescMethod;
  readonly localName: string;
  readonly input: ImportSymbol;
  readonly output: ImportSymbol;
}

function methodTypes(f: GeneratedFile, service: DescService): MethodTypes[] {
  return service.methods.map((method) => ({
    method,
    localName: methodLocalName(method),
    input: f.import(tsProtoTypeName(method.input), tsProtoModule(method.input.file.proto.name)),
    output: f.import(tsProtoTypeName(method.output), tsProtoModule(method.output.file.proto.name)),
  }));
}

/** Server and client signatures of the DESIGN.md table, by RPC kind. */
function signature(f: GeneratedFile, types: MethodTypes, last: 'ctx' | 'options'): Printable[] {
  const { method, input, output } = types;
  const streamsIn = method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming';
  const streamsOut = method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming';
  const request: Printable[] = streamsIn ? ['requests: AsyncIterable<', input.toTypeOnly(), '>'] : ['request: ', input.toTypeOnly()];
  const lastParam: Printable[] =
    last === 'ctx'
      ? ['ctx: ', f.import('CallContext', RUNTIME, true)]
      : ['options?: ', f.import('CallOptions', RUNTIME, true)];
  const result: Printable[] = streamsOut ? ['AsyncIterable<', output.toTypeOnly(), '>'] : ['Promise<', output.toTypeOnly(), '>'];
  return ['(', ...request, ', ', ...lastParam, '): ', ...result];
}

/** A JSDoc block from proto comments and our own lines; nothing when both are empty. */
function docComment(lines: readonly (string | undefined)[], indentation = ''): string | undefined {
  const text = lines
    .filter((line): line is string => line !== undefined && line.trim() !== '')
    .map((line) => line.trim().split('\n').map((l) => l.replace(/^ /, '').trimEnd()).join('\n'))
    .join('\n\n')
    .replaceAll('*/', '*\\/');
  if (text === '') return undefined;
  const body = text.split('\n').map((line) => `${indentation} *${line ? ` ${line}` : ''}`);
  return [`${indentation}/**`, ...body, `${indentation} */`].join('\n');
}

function printDoc(f: GeneratedFile, lines: readonly (string | undefined)[], indentation = ''): void {
  const doc = docComment(lines, indentation);
  if (doc !== undefined) f.print(doc);
}

function indentJson(value: unknown, indentation: string): string {
  return JSON.stringify(value, null, 2).split('\n').join(`\n${indentation}`);
}

/** `<Svc>Descriptor`: name, methods with their codecs, the validated .tsk, the reflection data. */
function emitDescriptor(
  f: GeneratedFile, service: DescService, file: DescFile, methods: MethodTypes[], events: ServiceEvents, config: ServiceConfig, source: string | null, fileDescriptorSet: ImportSymbol,
): void {
  const names = serviceExportNames(service);
  f.print`/** How the runtime sees ${service.typeName}: methods, codecs, and the policies of its .tsk. */`;
  f.print(f.export('const', names.descriptor), ' = ', f.import('defineService', RUNTIME), '({');
  f.print`  name: ${f.string(service.typeName)},`;
  f.print`  protoFile: ${f.string(file.proto.name)},`;
  f.print('  descriptorFile: ', config.descriptorFile === null ? 'null' : f.string(config.descriptorFile), ',');
  // Read at load time when it exists, so a changed policy needs no regeneration; `config` is the fallback.
  if (source !== null) {
    f.print('  descriptorSource: new URL(', f.string(source), ', import.meta.url),');
    f.print('  generatedModule: import.meta.url, // compiled elsewhere (tsc outDir), the .tsk is looked for above it');
  }
  f.print('  methods: {');
  for (const { method, localName, input, output } of methods) {
    f.print(`    ${localName}: {`);
    f.print`      name: ${f.string(method.name)},`;
    f.print`      localName: ${f.string(localName)},`;
    f.print`      path: ${f.string(`/${service.typeName}/${method.name}`)},`;
    f.print`      kind: ${f.string(method.methodKind)},`;
    f.print('      serializeRequest: (message: ', input, '): Uint8Array => ', input, '.encode(message).finish(),');
    f.print('      deserializeRequest: (bytes: Uint8Array): ', input, ' => ', input, '.decode(bytes),');
    f.print('      serializeResponse: (message: ', output, '): Uint8Array => ', output, '.encode(message).finish(),');
    f.print('      deserializeResponse: (bytes: Uint8Array): ', output, ' => ', output, '.decode(bytes),');
    f.print('    },');
  }
  f.print('  },');
  emitDescriptorEvents(f, events);
  f.print(`  config: ${indentJson(config.config, '  ')},`);
  f.print('  ', fileDescriptorSet, ',');
  f.print('});');
  f.print();
}

/** `<Svc>Base`: the abstract class a service author extends. */
function emitBase(f: GeneratedFile, service: DescService, methods: MethodTypes[], events: ServiceEvents): void {
  const names = serviceExportNames(service);
  printDoc(f, [getComments(service).leading, `Implement ${service.typeName} by extending this class; hand an instance to TuskServer.`]);
  f.print(f.export('abstract class', names.base), ' extends ', f.import('ServiceBase', RUNTIME), ' {');
  f.print(`  static readonly descriptor = ${names.descriptor};`);
  f.print(`  override readonly descriptor = ${names.descriptor};`);
  f.print();
  for (const types of methods) {
    printDoc(f, [getComments(types.method).leading], '  ');
    f.print(`  abstract ${types.localName}`, ...signature(f, types, 'ctx'), ';');
  }
  emitBaseEvents(f, events, names.descriptor, (lines, indentation) => printDoc(f, lines, indentation));
  f.print('}');
  f.print();
}

/** `<Svc>Client` and `create<Svc>Client(options?)`. */
function emitClient(f: GeneratedFile, service: DescService, methods: MethodTypes[]): void {
  const names = serviceExportNames(service);
  f.print`/** Typed client of ${service.typeName}; every call runs discovery, balancing, retries and deadlines. */`;
  // TuskClient: [Symbol.asyncDispose], so `await using client = create<Svc>Client()` closes it.
  f.print(f.export('interface', names.client), ' extends ', f.import('TuskClient', RUNTIME, true), ' {');
  for (const types of methods) {
    printDoc(f, [getComments(types.method).leading], '  ');
    f.print(`  ${types.localName}`, ...signature(f, types, 'options'), ';');
  }
  f.print('}');
  f.print();
  f.print`/**`;
  f.print` * A client configured from the descriptor and the environment; options override them.`;
  f.print` * Pass \`{ caller }\` (or build it with a service's \`this.clientOf(...)\`) to apply that caller's [dependencies] entry.`;
  f.print` */`;
  f.print(f.export('function', names.factory), '(options?: ', f.import('ClientOptions', RUNTIME, true), '): ', names.client, ' {');
  f.print('  return ', f.import('createClient', RUNTIME), '<', names.client, '>(', names.descriptor, ', options);');
  f.print('}');
}

/**
 * The file's reflection data, once per file however many services it has
 * (each descriptor refers to it): a file-local `const fileDescriptorSet`.
 * It is made a symbol of the generated file itself so protoplugin counts the
 * name as taken and aliases an imported message of the same name instead.
 */
export function emitFileDescriptorSet(f: GeneratedFile, file: DescFile, generatedFileName: string): ImportSymbol {
  const ownModule = `./${generatedFileName.replace(/\.ts$/, '.js')}`;
  const symbol = f.import('fileDescriptorSet', ownModule);
  f.print`/** ${file.proto.name} and everything it imports, as a base64 FileDescriptorSet for server reflection. */`;
  f.print('const ', symbol, ' = ', f.string(fileDescriptorSetBase64(file)), ';');
  f.print();
  return symbol;
}

/**
 * A service's descriptor, base class and client; `source` is its .tsk relative
 * to the generated file, `fileDescriptorSet` the file's constant from
 * emitFileDescriptorSet, `messages` every message of the request by full name.
 */
export function emitService(
  f: GeneratedFile, service: DescService, config: ServiceConfig, source: string | null, fileDescriptorSet: ImportSymbol, messages: ReadonlyMap<string, DescMessage>,
): void {
  const methods = methodTypes(f, service);
  const events = serviceEvents(f, config, messages);
  emitDescriptor(f, service, service.file, methods, events, config, source, fileDescriptorSet);
  emitBase(f, service, methods, events);
  emitClient(f, service, methods);
}

import { createFileRegistry, fromBinary, getOption, hasOption, type DescField, type DescMessage, type DescMethod, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import type { MethodDescriptor, ServiceDescriptor } from '../config/service-definition.js';
import { parsePathTemplate, TemplateSyntaxError, type PathTemplate } from './path-template.js';

/** One HTTP binding of a method: a google.api.http rule or one of its additional_bindings. */
export interface HttpBinding {
  /** Upper case: GET, POST, ..., or a custom rule's kind. */
  readonly httpMethod: string;
  readonly template: PathTemplate;
  /** "" = no body, "*" = the whole request, else the field path the body fills. */
  readonly body: string;
  /** "" = the whole response, else the response field sent as the body. */
  readonly responseBody: string;
}

/** A service as the gateway sees it: its runtime descriptor plus the proto descriptors of its messages. */
export interface GatewayService {
  readonly descriptor: ServiceDescriptor;
  /** Built from the descriptor's embedded FileDescriptorSet: messages for JSON, Any and extensions. */
  readonly registry: FileRegistry;
  readonly methods: readonly GatewayMethod[];
}

export interface GatewayMethod {
  readonly service: GatewayService;
  readonly runtime: MethodDescriptor;
  readonly proto: DescMethod;
  readonly bindings: readonly HttpBinding[];
}

/** google.api.HttpRule's fields, as the registry's generic message has them. */
interface HttpRuleShape {
  readonly pattern: { readonly case: string | undefined; readonly value?: string | { readonly kind: string; readonly path: string } };
  readonly body: string;
  readonly responseBody: string;
  readonly additionalBindings: readonly HttpRuleShape[];
}

/** A proto or google.api.http problem found when the gateway is built; it names the method and rule. */
export class GatewayDefinitionError extends Error {
  override name = 'GatewayDefinitionError';
}

/**
 * Reads a generated descriptor for the gateway. The google.api.http option is
 * an extension declared in google/api/annotations.proto, which the embedded set
 * carries whenever the service's proto imports it; without it the service has
 * no REST routes (Connect still serves every method).
 */
export function readGatewayService(descriptor: ServiceDescriptor): GatewayService {
  if (descriptor.fileDescriptorSet === undefined) {
    throw new GatewayDefinitionError(`${descriptor.name}: the descriptor has no fileDescriptorSet: regenerate it with this tusk-grpc (npx tusk-grpc generate)`);
  }
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, Buffer.from(descriptor.fileDescriptorSet, 'base64')));
  const protoService = registry.getService(descriptor.name);
  if (protoService === undefined) throw new GatewayDefinitionError(`${descriptor.name}: not in its own fileDescriptorSet`);
  const httpOption = registry.getExtension('google.api.http');
  const methods: GatewayMethod[] = [];
  const service: GatewayService = { descriptor, registry, methods };
  for (const runtime of Object.values(descriptor.methods)) {
    const proto = protoService.methods.find((method) => method.name === runtime.name);
    if (proto === undefined) throw new GatewayDefinitionError(`${descriptor.name}.${runtime.name}: not in the fileDescriptorSet`);
    const rule = httpOption !== undefined && hasOption(proto, httpOption) ? (getOption(proto, httpOption) as HttpRuleShape) : undefined;
    const bindings = rule === undefined ? [] : [rule, ...rule.additionalBindings].map((each) => bindingOf(each, proto));
    methods.push({ service, runtime, proto, bindings });
  }
  return service;
}

function bindingOf(rule: HttpRuleShape, method: DescMethod): HttpBinding {
  const where = `${method.parent.typeName}.${method.name}: google.api.http`;
  const { case: kind, value } = rule.pattern;
  let httpMethod: string;
  let path: string;
  if (kind === 'custom' && typeof value === 'object') {
    httpMethod = value.kind.toUpperCase();
    path = value.path;
  } else if (kind !== undefined && typeof value === 'string') {
    httpMethod = kind.toUpperCase();
    path = value;
  } else {
    throw new GatewayDefinitionError(`${where}: the rule has no pattern (get, post, put, patch, delete or custom)`);
  }
  let template: PathTemplate;
  try {
    template = parsePathTemplate(path);
  } catch (error) {
    if (error instanceof TemplateSyntaxError) throw new GatewayDefinitionError(`${where} ${kind} "${path}": ${error.message}`);
    throw error;
  }
  for (const variable of template.variables) {
    const problem = fieldPathProblem(method.input, variable.fieldPath, false);
    if (problem !== undefined) throw new GatewayDefinitionError(`${where} ${kind} "${path}": ${problem}`);
  }
  if (rule.body !== '' && rule.body !== '*') {
    const problem = fieldPathProblem(method.input, rule.body.split('.'), true);
    if (problem !== undefined) throw new GatewayDefinitionError(`${where} body "${rule.body}": ${problem}`);
  }
  if (rule.responseBody !== '') {
    const problem = fieldPathProblem(method.output, [rule.responseBody], true);
    if (problem !== undefined) throw new GatewayDefinitionError(`${where} response_body "${rule.responseBody}": ${problem}`);
  }
  return { httpMethod, template, body: rule.body, responseBody: rule.responseBody };
}

/** Why a dotted field path does not name a field of `message` (a path variable must end at a non-repeated scalar-like field). */
function fieldPathProblem(message: DescMessage, path: readonly string[], anyLeaf: boolean): string | undefined {
  let current: DescMessage | undefined = message;
  for (const [index, name] of path.entries()) {
    const field: DescField | undefined = current?.fields.find((candidate) => candidate.name === name);
    if (current === undefined || field === undefined) return `field "${path.slice(0, index + 1).join('.')}" is not in ${message.typeName}`;
    const last = index === path.length - 1;
    if (!last && field.fieldKind !== 'message') return `field "${path.slice(0, index + 1).join('.')}" is not a message, so it has no "${path[index + 1]}"`;
    if (last && !anyLeaf && (field.fieldKind === 'list' || field.fieldKind === 'map')) return `field "${path.join('.')}" is repeated: a path variable binds one value`;
    current = field.fieldKind === 'message' ? field.message : undefined;
  }
  return undefined;
}

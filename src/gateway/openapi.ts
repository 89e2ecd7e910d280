import { ScalarType, type DescEnum, type DescField, type DescMessage } from '@bufbuild/protobuf';
import type { GatewayMethod, GatewayService, HttpBinding } from './http-rules.js';

type Schema = Record<string, unknown>;

/**
 * An OpenAPI 3.1 document of the REST routes, from the same descriptors the
 * gateway routes with: a path per template (a variable spanning segments,
 * `{name=shelves/*}`, is one `{name}` parameter), path and query parameters,
 * the body and response schemas in the proto3 JSON form (int64 as string,
 * enums by name, well-known types as their JSON). Served at /openapi.json.
 */
export function openApiDocument(services: readonly GatewayService[], title = 'tusk-grpc gateway'): Schema {
  const schemas: Record<string, Schema> = {};
  const paths: Record<string, Record<string, Schema>> = {};
  for (const service of services) {
    for (const method of service.methods) {
      for (const binding of method.bindings) {
        const path = openApiPath(binding);
        const operations = (paths[path] ??= {});
        operations[binding.httpMethod.toLowerCase()] = operation(method, binding, schemas);
      }
    }
  }
  return { openapi: '3.1.0', info: { title, version: '1' }, paths, components: { schemas } };
}

function openApiPath(binding: HttpBinding): string {
  const { segments, variables, verb } = binding.template;
  const parts: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const variable = variables.find((candidate) => candidate.start === i);
    if (variable !== undefined) {
      parts.push(`{${variable.fieldPath.join('.')}}`);
      i = variable.end - 1;
      continue;
    }
    const segment = segments[i]!;
    parts.push(segment.kind === 'literal' ? segment.value : segment.kind === 'one' ? '*' : '**');
  }
  return `/${parts.join('/')}${verb === undefined ? '' : `:${verb}`}`;
}

function operation(method: GatewayMethod, binding: HttpBinding, schemas: Record<string, Schema>): Schema {
  const { input, output } = method.proto;
  const pathFields = binding.template.variables.map((variable) => variable.fieldPath.join('.'));
  const parameters: Schema[] = pathFields.map((fieldPath) => ({ name: fieldPath, in: 'path', required: true, schema: fieldSchema(fieldAt(input, fieldPath), schemas) }));
  if (binding.body !== '*') {
    const taken = [...pathFields, binding.body].filter((path) => path !== '');
    for (const field of input.fields) {
      if (taken.some((path) => path === field.name || path.startsWith(`${field.name}.`)) || field.fieldKind === 'map') continue;
      const isMessage = field.fieldKind === 'message' && !(field.message.typeName in WELL_KNOWN);
      if (!isMessage) parameters.push({ name: field.jsonName, in: 'query', required: false, schema: fieldSchema(field, schemas), ...(field.fieldKind === 'list' ? { style: 'form', explode: true } : {}) });
    }
  }
  const responseField = binding.responseBody === '' ? undefined : output.fields.find((field) => field.name === binding.responseBody);
  const responseSchema = responseField === undefined ? messageRef(output, schemas) : fieldSchema(responseField, schemas);
  const streaming = method.runtime.kind === 'server_streaming';
  return {
    operationId: `${method.service.descriptor.name}.${method.runtime.name}${binding === method.bindings[0] ? '' : `_${method.bindings.indexOf(binding)}`}`,
    tags: [method.service.descriptor.name],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(binding.body === '' ? {} : { requestBody: { required: true, content: { 'application/json': { schema: binding.body === '*' ? messageRef(input, schemas) : fieldSchema(fieldAt(input, binding.body), schemas) } } } }),
    responses: {
      200: {
        description: streaming ? 'a stream of messages: one JSON a line, or Server-Sent Events with Accept: text/event-stream' : 'OK',
        content: streaming ? { 'application/x-ndjson': { schema: responseSchema }, 'text/event-stream': { schema: responseSchema } } : { 'application/json': { schema: responseSchema } },
      },
      default: { description: 'a google.rpc.Status', content: { 'application/json': { schema: STATUS_SCHEMA } } },
    },
  };
}

const STATUS_SCHEMA: Schema = {
  type: 'object',
  properties: { code: { type: 'integer' }, message: { type: 'string' }, details: { type: 'array', items: { type: 'object', properties: { '@type': { type: 'string' } }, additionalProperties: true } } },
};

function fieldAt(message: DescMessage, dottedPath: string): DescField {
  let current = message;
  let field: DescField | undefined;
  for (const name of dottedPath.split('.')) {
    field = current.fields.find((candidate) => candidate.name === name)!;
    if (field.fieldKind === 'message') current = field.message;
  }
  return field!;
}

/** The proto3 JSON forms of the well-known types (protobuf.dev/programming-guides/json). */
const WELL_KNOWN: Readonly<Record<string, Schema>> = {
  'google.protobuf.Timestamp': { type: 'string', format: 'date-time' },
  'google.protobuf.Duration': { type: 'string', pattern: '^-?\\d+(\\.\\d{1,9})?s$' },
  'google.protobuf.FieldMask': { type: 'string' },
  'google.protobuf.Empty': { type: 'object' },
  'google.protobuf.Struct': { type: 'object', additionalProperties: true },
  'google.protobuf.Value': {},
  'google.protobuf.ListValue': { type: 'array', items: {} },
  'google.protobuf.Any': { type: 'object', properties: { '@type': { type: 'string' } }, additionalProperties: true },
  'google.protobuf.BoolValue': { type: ['boolean', 'null'] },
  'google.protobuf.StringValue': { type: ['string', 'null'] },
  'google.protobuf.BytesValue': { type: ['string', 'null'], contentEncoding: 'base64' },
  'google.protobuf.Int32Value': { type: ['integer', 'null'], format: 'int32' },
  'google.protobuf.UInt32Value': { type: ['integer', 'null'], format: 'int32' },
  'google.protobuf.Int64Value': { type: ['string', 'null'], format: 'int64' },
  'google.protobuf.UInt64Value': { type: ['string', 'null'], format: 'int64' },
  'google.protobuf.FloatValue': { type: ['number', 'null'], format: 'float' },
  'google.protobuf.DoubleValue': { type: ['number', 'null'], format: 'double' },
};

function messageRef(message: DescMessage, schemas: Record<string, Schema>): Schema {
  const known = WELL_KNOWN[message.typeName];
  if (known !== undefined) return known;
  if (!(message.typeName in schemas)) {
    schemas[message.typeName] = {}; // placed first: a recursive message refers to itself
    const properties: Record<string, Schema> = {};
    for (const field of message.fields) properties[field.jsonName] = fieldSchema(field, schemas);
    schemas[message.typeName] = { type: 'object', properties };
  }
  return { $ref: `#/components/schemas/${message.typeName}` };
}

function fieldSchema(field: DescField, schemas: Record<string, Schema>): Schema {
  switch (field.fieldKind) {
    case 'scalar':
      return scalarSchema(field.scalar);
    case 'enum':
      return enumSchema(field.enum);
    case 'message':
      return messageRef(field.message, schemas);
    case 'list':
      return { type: 'array', items: field.listKind === 'scalar' ? scalarSchema(field.scalar) : field.listKind === 'enum' ? enumSchema(field.enum) : messageRef(field.message, schemas) };
    case 'map':
      return { type: 'object', additionalProperties: field.mapKind === 'scalar' ? scalarSchema(field.scalar) : field.mapKind === 'enum' ? enumSchema(field.enum) : messageRef(field.message, schemas) };
  }
}

function enumSchema(descEnum: DescEnum): Schema {
  return { type: 'string', enum: descEnum.values.map((value) => value.name) };
}

function scalarSchema(scalar: ScalarType): Schema {
  switch (scalar) {
    case ScalarType.STRING:
      return { type: 'string' };
    case ScalarType.BOOL:
      return { type: 'boolean' };
    case ScalarType.BYTES:
      return { type: 'string', contentEncoding: 'base64' };
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return { type: 'number', format: scalar === ScalarType.FLOAT ? 'float' : 'double' };
    case ScalarType.INT64: case ScalarType.UINT64: case ScalarType.SINT64: case ScalarType.FIXED64: case ScalarType.SFIXED64:
      return { type: 'string', format: 'int64' }; // proto3 JSON writes 64-bit integers as strings
    default:
      return { type: 'integer', format: 'int32' };
  }
}

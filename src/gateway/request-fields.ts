import { ScalarType, type DescField, type DescMessage, type JsonObject, type JsonValue } from '@bufbuild/protobuf';
import type { HttpBinding } from './http-rules.js';
import { badRequest } from './http-errors.js';
import { isJsonObject } from './message-json.js';
import type { PathBindings } from './path-template.js';

/**
 * The request message of a REST call as canonical JSON, from its three
 * sources (google/api/http.proto): the body (`body: "*"` is the whole
 * message, `body: "field"` one field), path variables, and, for the fields
 * neither sets, query parameters (`?tags=a&tags=b`, `?min.width=2`).
 * Path and query values are strings; each is put in the JSON form of its
 * field's type (a bool as true/false, a list as an array) and the library's
 * JSON reader does the rest, so numbers, int64, enums and well-known types
 * parse exactly as they would in a body.
 */
export function requestJson(input: DescMessage, binding: HttpBinding, path: PathBindings, query: URLSearchParams, body: JsonValue | undefined): JsonObject {
  let json: JsonObject = {};
  if (binding.body === '*') {
    if (!isJsonObject(body)) throw badRequest('body', `the request body must be a JSON object (${input.typeName})`);
    json = { ...body };
  } else if (binding.body !== '' && body !== undefined) {
    setJsonAt(json, input, binding.body.split('.'), body);
  }
  for (const [fieldPath, value] of path) setStringAt(json, input, fieldPath.split('.'), [value], `path variable "${fieldPath}"`);
  if (binding.body === '*') return json; // every field is the body's: query parameters have nothing left to set
  const taken = [...path.keys(), ...(binding.body === '' ? [] : [binding.body])];
  for (const key of new Set(query.keys())) {
    const fieldPath = protoPath(input, key.split('.'));
    if (fieldPath === undefined) throw badRequest(key, `unknown query parameter "${key}": ${input.typeName} has no such field`);
    const dotted = fieldPath.join('.');
    if (taken.some((bound) => dotted === bound || dotted.startsWith(`${bound}.`))) throw badRequest(key, `query parameter "${key}" sets a field the path or body already sets`);
    setStringAt(json, input, fieldPath, query.getAll(key), `query parameter "${key}"`);
  }
  return json;
}

/** Names in a query key may be proto names or JSON names; the proto names, or undefined when one is not a field. */
function protoPath(message: DescMessage, names: readonly string[]): string[] | undefined {
  const path: string[] = [];
  let current: DescMessage | undefined = message;
  for (const name of names) {
    const field: DescField | undefined = current?.fields.find((candidate) => candidate.name === name || candidate.jsonName === name);
    if (field === undefined) return undefined;
    path.push(field.name);
    current = field.fieldKind === 'message' ? field.message : undefined;
  }
  return path;
}

/** Walks (and creates) the JSON objects down a proto field path; returns the innermost object and its field. */
function containerAt(json: JsonObject, message: DescMessage, path: readonly string[], what: string): { object: JsonObject; field: DescField } {
  let object = json;
  let current = message;
  for (const [index, name] of path.entries()) {
    const field = current.fields.find((candidate) => candidate.name === name);
    if (field === undefined) throw badRequest(path.join('.'), `${what}: ${current.typeName} has no field "${name}"`);
    if (index === path.length - 1) return { object, field };
    if (field.fieldKind !== 'message') throw badRequest(path.join('.'), `${what}: "${name}" is not a message`);
    const existing = object[field.jsonName] ?? object[field.name];
    const child: JsonObject = isJsonObject(existing) ? { ...existing } : {};
    delete object[field.name];
    object[field.jsonName] = child;
    object = child;
    current = field.message;
  }
  throw badRequest(path.join('.'), `${what}: empty field path`);
}

function setJsonAt(json: JsonObject, message: DescMessage, path: readonly string[], value: JsonValue): void {
  const { object, field } = containerAt(json, message, path, 'body');
  object[field.jsonName] = value;
}

/** A later source wins over an earlier one (path over body), under either spelling of the name. */
function setStringAt(json: JsonObject, message: DescMessage, path: readonly string[], values: readonly string[], what: string): void {
  const { object, field } = containerAt(json, message, path, what);
  delete object[field.name];
  if (field.fieldKind === 'map') throw badRequest(path.join('.'), `${what}: map fields cannot be set from the URL`);
  if (field.fieldKind === 'list') {
    object[field.jsonName] = values.map((value) => jsonFromString(field, value, what));
    return;
  }
  object[field.jsonName] = jsonFromString(field, values.at(-1)!, what);
}

function jsonFromString(field: DescField, value: string, what: string): JsonValue {
  const scalar = field.fieldKind === 'scalar' || (field.fieldKind === 'list' && field.listKind === 'scalar') ? field.scalar : undefined;
  const isBool = scalar === ScalarType.BOOL || (field.message?.typeName === 'google.protobuf.BoolValue');
  if (isBool) {
    if (value === 'true' || value === 'false') return value === 'true';
    throw badRequest(field.name, `${what}: "${value}" is not a boolean (true or false)`);
  }
  const isEnum = field.fieldKind === 'enum' || (field.fieldKind === 'list' && field.listKind === 'enum');
  if (isEnum && /^-?\d+$/.test(value)) return Number(value);
  return value;
}

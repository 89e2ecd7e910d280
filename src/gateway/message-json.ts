import { fromBinary, fromJson, toBinary, toJson, type DescMessage, type JsonObject, type JsonValue, type Registry } from '@bufbuild/protobuf';
import { badRequest } from './http-errors.js';

/**
 * The proto3 JSON mapping, done by @bufbuild/protobuf over the descriptors the
 * generated code carries: requests go JSON → message → binary, responses
 * binary → message → JSON, and the binary is what the upstream call sends and
 * receives, so the ts-proto codecs of the services never need a JSON form.
 */
export interface JsonOptions {
  /** Emit fields holding their zero value (0, "", false, []) instead of leaving them out. */
  readonly emitZeroValues: boolean;
}

/** Canonical JSON text → request bytes; a malformed body or unknown field is a 400 that names where. */
export function parseJsonText(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw badRequest('body', `the request body is not valid JSON: ${withLineAndColumn(text, (error as Error).message)}`);
  }
}

export function jsonToBinary(schema: DescMessage, json: JsonValue, registry: Registry, rawText?: string): Uint8Array {
  try {
    return toBinary(schema, fromJson(schema, json, { registry }));
  } catch (error) {
    const message = (error as Error).message;
    const unknownKey = /key "([^"]+)" is unknown/.exec(message)?.[1];
    const at = unknownKey !== undefined && rawText !== undefined ? keyPosition(rawText, unknownKey) : undefined;
    throw badRequest(unknownKey ?? 'body', `${message}${at === undefined ? '' : ` (line ${at.line} column ${at.column})`}`);
  }
}

export function binaryToJson(schema: DescMessage, bytes: Uint8Array, registry: Registry, options: JsonOptions): JsonValue {
  return toJson(schema, fromBinary(schema, bytes), { registry, alwaysEmitImplicit: options.emitZeroValues });
}

/** Binary in (application/proto); a message that does not parse is INVALID_ARGUMENT before any upstream call. */
export function checkBinary(schema: DescMessage, bytes: Uint8Array): Uint8Array {
  try {
    fromBinary(schema, bytes);
    return bytes;
  } catch (error) {
    throw badRequest('body', `the request body is not a valid ${schema.typeName}: ${(error as Error).message}`);
  }
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** V8 says "at position 17" (newer versions add the line and column): both forms end with line and column. */
function withLineAndColumn(text: string, message: string): string {
  if (/line \d+ column \d+/.test(message)) return message;
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position === undefined) return message;
  const { line, column } = lineAndColumn(text, Number(position));
  return `${message} (line ${line} column ${column})`;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Where a key first appears as `"key":` in the body text: a pointer for the reader, not a parse. */
function keyPosition(text: string, key: string): { line: number; column: number } | undefined {
  const match = new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:`).exec(text);
  return match === null ? undefined : lineAndColumn(text, match.index);
}

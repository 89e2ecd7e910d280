import { create, createFileRegistry, fromBinary, toJson, type JsonObject, type Registry } from '@bufbuild/protobuf';
import { AnySchema, FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { Code, codeName } from '../status/codes.js';
import type { ErrorDetails } from '../status/error-details.js';
import { GOOGLE_RPC_FILE_DESCRIPTOR_SET } from '../status/google/rpc/file_descriptor_set.js';
import { Status } from '../status/google/rpc/status.js';
import { encodeStatusDetails } from '../status/status-details.js';
import { asTuskError, TuskError } from '../status/tusk-error.js';

/**
 * gRPC code → HTTP status: the table grpc-gateway and Connect share
 * (connectrpc.com/docs/protocol, "Error codes").
 */
const HTTP_STATUS: Readonly<Record<Code, number>> = {
  [Code.OK]: 200,
  [Code.CANCELLED]: 499,
  [Code.UNKNOWN]: 500,
  [Code.INVALID_ARGUMENT]: 400,
  [Code.DEADLINE_EXCEEDED]: 504,
  [Code.NOT_FOUND]: 404,
  [Code.ALREADY_EXISTS]: 409,
  [Code.PERMISSION_DENIED]: 403,
  [Code.RESOURCE_EXHAUSTED]: 429,
  [Code.FAILED_PRECONDITION]: 400,
  [Code.ABORTED]: 409,
  [Code.OUT_OF_RANGE]: 400,
  [Code.UNIMPLEMENTED]: 501,
  [Code.INTERNAL]: 500,
  [Code.UNAVAILABLE]: 503,
  [Code.DATA_LOSS]: 500,
  [Code.UNAUTHENTICATED]: 401,
};

export function httpStatusOf(code: Code): number {
  return HTTP_STATUS[code] ?? 500;
}

/**
 * A failure the gateway answers itself (bad route, bad body, too large): a
 * gRPC code for the body, and an HTTP status where the code's own would be
 * wrong (405 and 413 have no gRPC code of their own).
 */
export class GatewayFailure extends TuskError {
  constructor(
    code: Code,
    message: string,
    readonly httpStatus: number = httpStatusOf(code),
    details?: ErrorDetails,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message, details);
  }
}

/** An INVALID_ARGUMENT about the request, with a BadRequest field violation naming what was wrong. */
export function badRequest(field: string, description: string): GatewayFailure {
  return new GatewayFailure(Code.INVALID_ARGUMENT, description, 400, { fieldViolations: [{ field, description }] });
}

export interface ErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The REST error body: google.rpc.Status as JSON, details as `Any` with `@type`. */
export function restErrorResponse(error: unknown, registry: Registry | undefined): ErrorResponse {
  const failure = asTuskError(error);
  const details = detailAnys(failure).map((any) => canonicalJson(any, registry) ?? { '@type': any.typeUrl, value: Buffer.from(any.value).toString('base64') });
  const body = { code: failure.code, message: failure.message, details };
  return { status: statusOf(failure), headers: headersOf(failure), body: JSON.stringify(body) };
}

/** The Connect error body: `{ code: "not_found", message, details: [{ type, value, debug }] }`, value base64 without padding. */
export function connectErrorResponse(error: unknown, registry: Registry | undefined): ErrorResponse {
  const failure = asTuskError(error);
  const details = detailAnys(failure).map((any) => {
    const json = canonicalJson(any, registry);
    return {
      type: any.typeUrl.slice(any.typeUrl.lastIndexOf('/') + 1),
      value: Buffer.from(any.value).toString('base64').replace(/=+$/, ''),
      // Connect's optional human-readable form of the detail: its canonical JSON without `@type` (clients decode `value`).
      ...(json === undefined ? {} : { debug: withoutType(json) }),
    };
  });
  const body = { code: codeName(failure.code).toLowerCase(), message: failure.message, ...(details.length > 0 ? { details } : {}) };
  return { status: statusOf(failure), headers: headersOf(failure), body: JSON.stringify(body) };
}

function statusOf(failure: TuskError): number {
  return failure instanceof GatewayFailure ? failure.httpStatus : httpStatusOf(failure.code);
}

function headersOf(failure: TuskError): Readonly<Record<string, string>> {
  return failure instanceof GatewayFailure ? failure.headers : {};
}

interface DetailAny {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

/** The error's details as the Any messages of its google.rpc.Status (the same encoding the gRPC trailer has). */
function detailAnys(failure: TuskError): DetailAny[] {
  const bytes = encodeStatusDetails(failure.code, failure.message, failure.details);
  return bytes === undefined ? [] : Status.decode(bytes).details;
}

/** The google.rpc messages (and the google.protobuf ones they use), from the descriptors `npm run generate:status` embeds. */
let rpcRegistry: Registry | undefined;
function googleRpcRegistry(): Registry {
  return (rpcRegistry ??= createFileRegistry(fromBinary(FileDescriptorSetSchema, Buffer.from(GOOGLE_RPC_FILE_DESCRIPTOR_SET, 'base64'))));
}

/**
 * One detail as canonical proto3 JSON `Any` (`@type` and the message's fields,
 * a Duration as "1.5s"), by @bufbuild/protobuf: a type of the service's own
 * protos from the service's registry, the google.rpc ones from theirs;
 * undefined for any other type, or bytes that are not the type they claim.
 */
function canonicalJson({ typeUrl, value }: DetailAny, registry: Registry | undefined): JsonObject | undefined {
  const typeName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  const any = create(AnySchema, { typeUrl, value });
  for (const candidate of [registry, googleRpcRegistry()]) {
    if (candidate?.getMessage(typeName) === undefined) continue;
    try {
      return toJson(AnySchema, any, { registry: candidate }) as JsonObject;
    } catch {
      return undefined; // the bytes are not that message
    }
  }
  return undefined;
}

function withoutType(json: JsonObject): JsonObject {
  const { '@type': _type, ...fields } = json;
  return fields;
}

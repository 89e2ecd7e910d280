import { create, toJson, type JsonValue, type Registry } from '@bufbuild/protobuf';
import { anyUnpack, AnySchema } from '@bufbuild/protobuf/wkt';
import { Code, codeName } from '../status/codes.js';
import type { ErrorDetails } from '../status/error-details.js';
import * as rpc from '../status/google/rpc/error_details.js';
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
  const details = detailAnys(failure).map((any) => anyToJson(any, registry));
  const body = { code: failure.code, message: failure.message, details };
  return { status: statusOf(failure), headers: headersOf(failure), body: JSON.stringify(body) };
}

/** The Connect unary error body: `{ code: "not_found", message, details: [{ type, value }] }`, value base64 without padding. */
export function connectErrorResponse(error: unknown): ErrorResponse {
  const failure = asTuskError(error);
  const details = detailAnys(failure).map(({ typeUrl, value }) => ({
    type: typeUrl.slice(typeUrl.lastIndexOf('/') + 1),
    value: Buffer.from(value).toString('base64').replace(/=+$/, ''),
  }));
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

/** google.rpc error detail messages by full name, with their (ts-proto) JSON writers. */
const RPC_DETAILS: Readonly<Record<string, { decode(bytes: Uint8Array): unknown; toJSON(message: never): unknown }>> = {
  'google.rpc.ErrorInfo': rpc.ErrorInfo,
  'google.rpc.RetryInfo': rpc.RetryInfo,
  'google.rpc.DebugInfo': rpc.DebugInfo,
  'google.rpc.QuotaFailure': rpc.QuotaFailure,
  'google.rpc.PreconditionFailure': rpc.PreconditionFailure,
  'google.rpc.BadRequest': rpc.BadRequest,
  'google.rpc.RequestInfo': rpc.RequestInfo,
  'google.rpc.ResourceInfo': rpc.ResourceInfo,
  'google.rpc.Help': rpc.Help,
  'google.rpc.LocalizedMessage': rpc.LocalizedMessage,
};

/**
 * One detail as JSON `Any`. A type of the service's own protos is written by
 * @bufbuild/protobuf from the service's registry; the google.rpc ones by their
 * generated (ts-proto) codecs; anything else keeps its bytes, base64.
 */
function anyToJson({ typeUrl, value }: DetailAny, registry: Registry | undefined): JsonValue {
  const typeName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  const any = create(AnySchema, { typeUrl, value });
  if (registry !== undefined && registry.getMessage(typeName) !== undefined) {
    try {
      if (anyUnpack(any, registry) !== undefined) return toJson(AnySchema, any, { registry });
    } catch {
      // falls through to the plainer forms below
    }
  }
  const codec = RPC_DETAILS[typeName];
  if (codec !== undefined) return { '@type': typeUrl, ...(codec.toJSON(codec.decode(value) as never) as Record<string, JsonValue>) };
  return { '@type': typeUrl, value: Buffer.from(value).toString('base64') };
}

// TuskError's typed details <-> google.rpc.Status, the value of the standard
// `grpc-status-details-bin` trailer. The messages are ts-proto's, generated
// from google-proto-files into ./google (npm run generate:status).
import { toBuffer } from './bytes.js';
import type { ErrorDetails, OtherDetail } from './error-details.js';
import * as rpc from './google/rpc/error_details.js';
import { Status } from './google/rpc/status.js';

/** The trailer every gRPC implementation reads rich error details from. */
export const STATUS_DETAILS_TRAILER = 'grpc-status-details-bin';

const TYPE_URL_PREFIX = 'type.googleapis.com/';

type ModelledKey = Exclude<keyof ErrorDetails, 'other'>;
type Detail<K extends ModelledKey> = NonNullable<ErrorDetails[K]>;

interface DetailCodec<K extends ModelledKey> {
  readonly typeName: string;
  toBytes(value: Detail<K>): Uint8Array;
  fromBytes(bytes: Uint8Array): Detail<K>;
}

/** The fields that carry something: proto3 cannot tell an empty string or map from an unset one. */
function present<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const isEmpty = (value: unknown) => value === undefined || value === '' || (Array.isArray(value) ? value.length === 0 : typeof value === 'object' && value !== null && Object.keys(value).length === 0);
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => !isEmpty(value))) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

const durationFromMs = (ms: number) => {
  const seconds = Math.trunc(ms / 1000);
  return { seconds: BigInt(seconds), nanos: Math.round((ms - seconds * 1000) * 1e6) };
};

/** One codec per standard detail message, in the order they are sent. */
const CODECS: { readonly [K in ModelledKey]: DetailCodec<K> } = {
  fieldViolations: {
    typeName: 'google.rpc.BadRequest',
    toBytes: (violations) =>
      rpc.BadRequest.encode({ fieldViolations: violations.map(({ field, description, reason }) => ({ field, description, reason: reason ?? '', localizedMessage: undefined })) }).finish(),
    fromBytes: (bytes) => rpc.BadRequest.decode(bytes).fieldViolations.map(({ field, description, reason }) => ({ field, description, ...present({ reason }) })),
  },
  errorInfo: {
    typeName: 'google.rpc.ErrorInfo',
    toBytes: ({ reason, domain, metadata }) => rpc.ErrorInfo.encode({ reason, domain, metadata: { ...metadata } }).finish(),
    fromBytes: (bytes) => {
      const { reason, domain, metadata } = rpc.ErrorInfo.decode(bytes);
      return { reason, domain, ...present({ metadata }) };
    },
  },
  retryInfo: {
    typeName: 'google.rpc.RetryInfo',
    toBytes: ({ retryDelayMs }) => rpc.RetryInfo.encode({ retryDelay: durationFromMs(retryDelayMs) }).finish(),
    fromBytes: (bytes) => {
      const delay = rpc.RetryInfo.decode(bytes).retryDelay;
      return { retryDelayMs: delay === undefined ? 0 : Number(delay.seconds) * 1000 + delay.nanos / 1e6 };
    },
  },
  resourceInfo: {
    typeName: 'google.rpc.ResourceInfo',
    toBytes: ({ resourceType, resourceName, owner, description }) => rpc.ResourceInfo.encode({ resourceType, resourceName, owner: owner ?? '', description: description ?? '' }).finish(),
    fromBytes: (bytes) => {
      const { resourceType, resourceName, owner, description } = rpc.ResourceInfo.decode(bytes);
      return { resourceType, resourceName, ...present({ owner, description }) };
    },
  },
  preconditionFailure: {
    typeName: 'google.rpc.PreconditionFailure',
    toBytes: (violations) => rpc.PreconditionFailure.encode({ violations: violations.map(({ type, subject, description }) => ({ type, subject, description })) }).finish(),
    fromBytes: (bytes) => rpc.PreconditionFailure.decode(bytes).violations.map(({ type, subject, description }) => ({ type, subject, description })),
  },
  quotaFailure: {
    typeName: 'google.rpc.QuotaFailure',
    toBytes: (violations) =>
      rpc.QuotaFailure.encode({ violations: violations.map(({ subject, description }) => ({ ...rpc.QuotaFailure_Violation.fromPartial({}), subject, description })) }).finish(),
    fromBytes: (bytes) => rpc.QuotaFailure.decode(bytes).violations.map(({ subject, description }) => ({ subject, description })),
  },
  help: {
    typeName: 'google.rpc.Help',
    toBytes: (links) => rpc.Help.encode({ links: links.map(({ description, url }) => ({ description, url })) }).finish(),
    fromBytes: (bytes) => rpc.Help.decode(bytes).links.map(({ description, url }) => ({ description, url })),
  },
  localizedMessage: {
    typeName: 'google.rpc.LocalizedMessage',
    toBytes: ({ locale, message }) => rpc.LocalizedMessage.encode({ locale, message }).finish(),
    fromBytes: (bytes) => {
      const { locale, message } = rpc.LocalizedMessage.decode(bytes);
      return { locale, message };
    },
  },
  debugInfo: {
    typeName: 'google.rpc.DebugInfo',
    toBytes: ({ stackEntries, detail }) => rpc.DebugInfo.encode({ stackEntries: [...(stackEntries ?? [])], detail: detail ?? '' }).finish(),
    fromBytes: (bytes) => {
      const { stackEntries, detail } = rpc.DebugInfo.decode(bytes);
      return present({ stackEntries, detail });
    },
  },
  requestInfo: {
    typeName: 'google.rpc.RequestInfo',
    toBytes: ({ requestId, servingData }) => rpc.RequestInfo.encode({ requestId, servingData: servingData ?? '' }).finish(),
    fromBytes: (bytes) => {
      const { requestId, servingData } = rpc.RequestInfo.decode(bytes);
      return { requestId, ...present({ servingData }) };
    },
  },
};

const MODELLED_KEYS = Object.keys(CODECS) as ModelledKey[];
const KEY_BY_TYPE_NAME = new Map(MODELLED_KEYS.map((key) => [CODECS[key].typeName, key]));

/** ts-proto (env=node) types bytes as Buffer; wrap without copying. */

function detailAnys(details: ErrorDetails): { typeUrl: string; value: Buffer }[] {
  const anys: { typeUrl: string; value: Buffer }[] = [];
  for (const key of MODELLED_KEYS) {
    const value = details[key];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    const codec = CODECS[key] as DetailCodec<ModelledKey>;
    anys.push({ typeUrl: TYPE_URL_PREFIX + codec.typeName, value: toBuffer(codec.toBytes(value)) });
  }
  for (const { typeUrl, value } of details.other ?? []) anys.push({ typeUrl, value: toBuffer(value) });
  return anys;
}

/** The google.rpc.Status for a status code, its message and typed details; undefined when there are none to send. */
export function encodeStatusDetails(code: number, message: string, details: ErrorDetails | undefined): Uint8Array | undefined {
  const anys = details === undefined ? [] : detailAnys(details);
  return anys.length === 0 ? undefined : Status.encode({ code, message, details: anys }).finish();
}

export interface DecodedStatus {
  readonly code: number;
  readonly message: string;
  /** undefined when the status carries no detail messages. */
  readonly details: ErrorDetails | undefined;
}

/** A google.rpc.Status as typed details; undefined when the bytes are not one (a bad trailer never hides the status). */
export function decodeStatusDetails(bytes: Uint8Array): DecodedStatus | undefined {
  let status: Status;
  try {
    status = Status.decode(bytes);
  } catch {
    return undefined;
  }
  const details: Record<string, unknown> = {};
  const other: OtherDetail[] = [];
  for (const { typeUrl, value } of status.details) {
    const key = KEY_BY_TYPE_NAME.get(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
    if (key !== undefined && details[key] === undefined) {
      try {
        details[key] = CODECS[key].fromBytes(value);
        continue;
      } catch {
        // a detail that does not parse as its type is passed on as it came
      }
    }
    other.push({ typeUrl, value: new Uint8Array(value) });
  }
  if (other.length > 0) details.other = other;
  return { code: status.code, message: status.message, details: Object.keys(details).length > 0 ? (details as ErrorDetails) : undefined };
}

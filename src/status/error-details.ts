/**
 * The typed details of a TuskError, one field per standard google.rpc detail
 * message (error_details.proto), with plain values. On the wire they are a
 * google.rpc.Status in `grpc-status-details-bin`, which grpcio-status, Go's
 * status.FromError and grpcurl read (see status-details.ts).
 */
export interface ErrorDetails {
  /** google.rpc.BadRequest: which request fields are wrong. */
  readonly fieldViolations?: readonly FieldViolation[];
  readonly errorInfo?: ErrorInfo;
  readonly retryInfo?: RetryInfo;
  readonly resourceInfo?: ResourceInfo;
  /** google.rpc.PreconditionFailure's violations. */
  readonly preconditionFailure?: readonly PreconditionViolation[];
  /** google.rpc.QuotaFailure's violations. */
  readonly quotaFailure?: readonly QuotaViolation[];
  /** google.rpc.Help's links. */
  readonly help?: readonly HelpLink[];
  readonly localizedMessage?: LocalizedMessage;
  readonly debugInfo?: DebugInfo;
  readonly requestInfo?: RequestInfo;
  /** Detail messages of other types (and repeats of single ones), kept as their google.protobuf.Any. */
  readonly other?: readonly OtherDetail[];
}

export interface FieldViolation {
  /** Path to the field, e.g. "items[0].sku". */
  readonly field: string;
  readonly description: string;
  readonly reason?: string;
}

export interface ErrorInfo {
  /** UPPER_SNAKE_CASE cause, unique within `domain`. */
  readonly reason: string;
  readonly domain: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface RetryInfo {
  readonly retryDelayMs: number;
}

export interface ResourceInfo {
  readonly resourceType: string;
  readonly resourceName: string;
  readonly owner?: string;
  readonly description?: string;
}

export interface PreconditionViolation {
  readonly type: string;
  readonly subject: string;
  readonly description: string;
}

export interface QuotaViolation {
  readonly subject: string;
  readonly description: string;
}

export interface HelpLink {
  readonly description: string;
  readonly url: string;
}

export interface LocalizedMessage {
  readonly locale: string;
  readonly message: string;
}

export interface DebugInfo {
  readonly stackEntries?: readonly string[];
  readonly detail?: string;
}

export interface RequestInfo {
  readonly requestId: string;
  readonly servingData?: string;
}

export interface OtherDetail {
  /** e.g. "type.googleapis.com/acme.v1.Custom". */
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

import { Metadata } from '@grpc/grpc-js';
import { neverIndexPerCallValues } from '../wire/never-indexed.js';

/**
 * Response metadata whose per-call values (the request id) go out as
 * never-indexed HPACK literals on either transport: grpc-js builds its
 * response headers with Object.assign, which copies node's sensitiveHeaders
 * marker along. An indexed request id evicts the entries every later response
 * names by index (wire/never-indexed.ts).
 */
export class NeverIndexedMetadata extends Metadata {
  override toHttp2Headers() {
    return neverIndexPerCallValues(super.toHttp2Headers());
  }
}

import { Metadata } from '@grpc/grpc-js';
import { toBuffer } from './codec.js';

/** Response headers or trailers a handler sets (ctx.header, ctx.trailer). */
export interface ResponseMetadata {
  /**
   * Sets `key` (lowercase, no `grpc-` prefix: those are the protocol's) to
   * one value. Text keys take text; `-bin` keys take bytes, or base64 text as
   * in the request's CallMetadata. Throws once they have been sent.
   */
  set(key: string, value: string | Uint8Array): void;
}

/** A ResponseMetadata the call adapters send once, then refuse further sets on. */
export class OutgoingMetadata implements ResponseMetadata {
  private metadata: Metadata | undefined;
  private sent = false;

  constructor(
    private readonly what: 'headers' | 'trailers',
    private readonly sentWith: string,
  ) {}

  set(key: string, value: string | Uint8Array): void {
    if (this.sent) throw new Error(`tusk-grpc: the response ${this.what} were already sent with ${this.sentWith}; set "${key}" before that`);
    if (key.toLowerCase().startsWith('grpc-')) throw new Error(`tusk-grpc: response metadata key "${key}" is reserved for the gRPC protocol`);
    const metadata = (this.metadata ??= new Metadata());
    if (key.endsWith('-bin')) metadata.set(key, typeof value === 'string' ? Buffer.from(value, 'base64') : toBuffer(value));
    else if (typeof value === 'string') metadata.set(key, value);
    else throw new TypeError(`tusk-grpc: response metadata key "${key}" takes text; only -bin keys take bytes`);
  }

  /** What was set (undefined: nothing); from now on set() throws. */
  take(): Metadata | undefined {
    this.sent = true;
    const metadata = this.metadata;
    this.metadata = undefined;
    return metadata;
  }
}

// The lean transport's request metadata: a grpc-js Metadata (the chain, the
// handler surfaces and user interceptors take it as such) whose entries are
// read from the HTTP/2 headers only when something asks for more than a text
// header. Metadata.fromHttp2Headers validated and copied every header into a
// Map of arrays on every call, about 3 % of the lean server's CPU and a tenth
// of its garbage, while the chain reads a few text headers (request id,
// traceparent, priority, authorization) and most handlers never read
// ctx.metadata.
//
// grpc-js' Metadata keeps its entries in `internalRepr` and every method other
// than get/set goes through it: an accessor in its place builds the entries on
// first use, exactly as fromHttp2Headers would, so nothing else changes.
import type { IncomingHttpHeaders } from 'node:http2';
import { Metadata } from '@grpc/grpc-js';
import { isLegalMetadataKey, isLegalMetadataText as isLegalText } from '../../wire/metadata.js';

type Entries = Map<string, Array<string | Buffer>>;

/** Headers the application never sees in its metadata (grpc-js removes them too). */
const TRANSPORT_HEADERS = new Set(['grpc-timeout', 'grpc-encoding', 'grpc-accept-encoding', 'accept-encoding', 'te', 'content-type']);

const HEADERS = Symbol('tusk.requestHeaders');
const ENTRIES = Symbol('tusk.metadataEntries');
const SET = Symbol('tusk.setBeforeBuilt');
const SET_NAME = Symbol('tusk.firstSetName');
const SET_VALUE = Symbol('tusk.firstSetValue');

export class RequestMetadata extends Metadata {
  /** Until the entries are built; undefined after. */
  private declare [HEADERS]: IncomingHttpHeaders | undefined;
  /** Written by Metadata's constructor through the accessor, so not a field (a field would be reset after super()). */
  private declare [ENTRIES]: Entries;
  /** The first text value set before the entries were built (the chain's request id), and any others. */
  private declare [SET_NAME]: string | undefined;
  private declare [SET_VALUE]: string | undefined;
  private declare [SET]: Map<string, string> | undefined;

  constructor(headers: IncomingHttpHeaders) {
    super();
    this[HEADERS] = headers;
  }

  override get(key: string): Array<string | Buffer> {
    if (this[HEADERS] === undefined) return super.get(key);
    const name = key.toLowerCase();
    if (!isPlainTextKey(name)) return super.get(key);
    const set = this.setBeforeBuilt(name);
    if (set !== undefined) return [set];
    const raw = this[HEADERS][name];
    if (raw === undefined) return [];
    // A value grpc-js refuses is left out, as fromHttp2Headers does.
    return Array.isArray(raw) ? raw.filter(isLegalText) : isLegalText(raw) ? [raw] : [];
  }

  /** `get(key)[0]` when it is text, without the array: the chain and the context read their headers this way. */
  firstText(key: string): string | undefined {
    const headers = this[HEADERS];
    const name = key.toLowerCase();
    if (headers === undefined || !isPlainTextKey(name)) {
      const value = super.get(key)[0];
      return typeof value === 'string' ? value : undefined;
    }
    const set = this.setBeforeBuilt(name);
    if (set !== undefined) return set;
    const raw = headers[name];
    if (raw === undefined) return undefined;
    if (!Array.isArray(raw)) return isLegalText(raw) ? raw : undefined;
    return raw.find(isLegalText);
  }

  override set(key: string, value: string | Buffer): void {
    const name = key.toLowerCase();
    if (this[HEADERS] !== undefined && typeof value === 'string' && isPlainTextKey(name) && isLegalMetadataKey(name) && isLegalText(value)) {
      return this.setBeforeBuild(name, value);
    }
    super.set(key, value);
  }

  /** set() of a lowercase text key and value already known legal (the chain's request id), without checking them again. */
  setKnownLegalText(name: string, value: string): void {
    if (this[HEADERS] !== undefined && isPlainTextKey(name)) return this.setBeforeBuild(name, value);
    RequestMetadata.entriesOf(this).set(name, [value]);
  }

  private setBeforeBuild(name: string, value: string): void {
    // The chain sets one header (the request id): that one takes no Map.
    if (this[SET_NAME] === undefined || this[SET_NAME] === name) {
      this[SET_NAME] = name;
      this[SET_VALUE] = value;
    } else {
      (this[SET] ??= new Map()).set(name, value);
    }
  }

  private setBeforeBuilt(name: string): string | undefined {
    if (this[SET_NAME] === name) return this[SET_VALUE];
    return this[SET]?.get(name);
  }

  /** Whether the entries were built (for tests). */
  get built(): boolean {
    return this[HEADERS] === undefined;
  }

  /** @internal The accessor behind `internalRepr`. */
  static entriesOf(metadata: RequestMetadata): Entries {
    const headers = metadata[HEADERS];
    if (headers !== undefined) {
      metadata[HEADERS] = undefined;
      const entries = (Metadata.fromHttp2Headers(headers) as unknown as { internalRepr: Entries }).internalRepr;
      for (const name of TRANSPORT_HEADERS) entries.delete(name);
      const firstSet = metadata[SET_NAME];
      if (firstSet !== undefined) entries.set(firstSet, [metadata[SET_VALUE]!]);
      for (const [name, value] of metadata[SET] ?? []) entries.set(name, [value]);
      metadata[SET_NAME] = metadata[SET_VALUE] = metadata[SET] = undefined;
      metadata[ENTRIES] = entries;
    }
    return metadata[ENTRIES];
  }
}

Object.defineProperty(RequestMetadata.prototype, 'internalRepr', {
  get(this: RequestMetadata) {
    return RequestMetadata.entriesOf(this);
  },
  set(this: RequestMetadata, entries: Entries) {
    (this as unknown as { [ENTRIES]: Entries })[ENTRIES] = entries;
  },
});

/** A key whose value is text the application sees: not binary, not a pseudo-header, not one the transport keeps. */
function isPlainTextKey(name: string): boolean {
  return !name.endsWith('-bin') && name.charCodeAt(0) !== 58 /* ':' */ && !TRANSPORT_HEADERS.has(name);
}

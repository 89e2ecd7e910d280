/**
 * What the call pipeline needs from a connection to one endpoint: bytes in,
 * bytes out, plus metadata, deadline and cancellation. The pipeline never
 * imports grpc-js; a faster transport only has to implement this.
 *
 * Errors are TuskError (src/status) with the server's code, message and
 * details. A failure that provably happened before the request reached the
 * server is a NotSentError (src/resilience), which any method may retry.
 */
import type { TuskError } from '../status/tusk-error.js';

export interface TransportCallOptions {
  /** Text metadata; `-bin` keys carry base64 values, as on the wire. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Epoch ms; undefined = none. */
  readonly deadline: number | undefined;
  readonly signal: AbortSignal | undefined;
  /**
   * This attempt is a circuit breaker's half-open probe: a failed connection
   * state from before must not refuse it; try to connect now. Undefined = false.
   */
  readonly probe?: boolean;
  /** Response headers as text (`-bin` values base64), when the caller asked for them. */
  readonly onHeader?: (header: Readonly<Record<string, string>>) => void;
  /** Response trailers as text, at the end of the call, when the caller asked for them. */
  readonly onTrailer?: (trailer: Readonly<Record<string, string>>) => void;
  /**
   * The call is over on the wire (its status arrived; no error = OK), whether or not its
   * response messages were read. The pipeline sets it for streams, to end one whose consumer
   * stopped reading without closing it. A transport may leave it uncalled.
   */
  readonly onEnd?: (error: TuskError | undefined) => void;
}

export interface Transport {
  readonly address: string;
  /** Calls travel over TLS (see transportIsSecure); absent = plaintext. */
  readonly secure?: boolean;
  unary(path: string, request: Uint8Array, options: TransportCallOptions): Promise<Uint8Array>;
  serverStream(path: string, request: Uint8Array, options: TransportCallOptions): AsyncIterable<Uint8Array>;
  clientStream(path: string, requests: AsyncIterable<Uint8Array>, options: TransportCallOptions): Promise<Uint8Array>;
  bidiStream(path: string, requests: AsyncIterable<Uint8Array>, options: TransportCallOptions): AsyncIterable<Uint8Array>;
  close(): void;
}

export type TransportFactory = (address: string) => Transport;

import type { ServerInterceptingCallInterface } from '@grpc/grpc-js';
import { percentDecodeMessage } from '../../wire/percent-encoding.js';
import { WireCall } from './wire-call.js';

export interface WireStatus {
  readonly code: number;
  readonly details: string;
}

type SentFields = Readonly<Record<string, unknown>> | undefined;
/** What grpc-js' BaseServerInterceptingCall keeps (a private field): the call's HTTP/2 stream. */
type StreamHolder = { readonly stream?: { readonly sentTrailers?: SentFields; readonly sentHeaders?: SentFields } };

/**
 * The status the bottom of a call's stack (the transport) sent by itself, as
 * the caller got it: a call it ended for a malformed frame never passes a
 * status through the chain, which sees only the end of the call. The lean
 * transport's WireCall keeps it; for grpc-js' own call, it is read back from
 * the HTTP/2 stream's trailers (or trailers-only headers). `passedDown`, the
 * status the chain above sent, answers for the wire's when the codes agree.
 */
export function statusSentByTransport(call: ServerInterceptingCallInterface, passedDown?: { readonly code: number; readonly details?: string }): WireStatus | undefined {
  if (call instanceof WireCall) {
    const sent = call.sentStatus;
    return sent === undefined ? undefined : { code: sent.code, details: sent.details ?? '' };
  }
  const stream = (call as StreamHolder).stream;
  const fields = stream?.sentTrailers ?? stream?.sentHeaders;
  const code = Number(fields?.['grpc-status']);
  if (!Number.isInteger(code)) return undefined;
  // The status the chain passed down is what went out (the common case): its details need no decoding back.
  if (passedDown !== undefined && passedDown.code === code) return { code, details: passedDown.details ?? '' };
  const message = fields?.['grpc-message'];
  return { code, details: typeof message === 'string' ? percentDecodeMessage(message) : '' };
}

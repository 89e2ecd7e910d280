// A status received from a server as the TuskError the caller sees, the same
// for every transport: the server's code, message and google.rpc.Status
// details, its pushback, and whether it relayed someone else's failure.
import { RELAYED_TRAILER, markDownstream, markRelayed } from '../status/downstream.js';
import { decodeStatusDetails } from '../status/status-details.js';
import { TuskError } from '../status/tusk-error.js';
import type { Code } from '../status/codes.js';
import { PUSHBACK_TRAILER, markPushback, parsePushback } from '../resilience/pushback.js';

export { RELAYED_TRAILER, PUSHBACK_TRAILER };

export interface ReceivedStatus {
  readonly code: number;
  readonly message: string;
  /** grpc-status-details-bin's bytes. */
  readonly detailsBytes: Uint8Array | undefined;
  readonly pushback: string | undefined;
  readonly relayed: boolean;
}

export function receivedError(status: ReceivedStatus, address: string): TuskError {
  // A malformed details trailer never hides the status itself.
  const details = status.detailsBytes === undefined ? undefined : decodeStatusDetails(status.detailsBytes)?.details;
  const received = markDownstream(new TuskError(status.code as Code, status.message, details), address);
  markPushback(received, status.pushback === undefined ? undefined : parsePushback(status.pushback));
  return status.relayed ? markRelayed(received) : received;
}

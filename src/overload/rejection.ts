// What a refused call carries on the wire: the contract with the client's
// cooperation (pushback honoured, shedding told apart from a failing endpoint).
import { Metadata } from '@grpc/grpc-js';
import type { Priority } from '../config/types.js';
import { Code } from '../status/codes.js';
import { DEADLINE_TOO_SHORT_REASON, OVERLOADED_REASON, OVERLOAD_DOMAIN, PUSHBACK_TRAILER } from '../status/overload-contract.js';
import { toBuffer } from '../status/bytes.js';
import { STATUS_DETAILS_TRAILER, encodeStatusDetails } from '../status/status-details.js';


export interface Refusal {
  readonly code: number;
  readonly details: string;
  readonly metadata: Metadata;
}

const OVERLOADED_MESSAGE = 'server overloaded, retry later';
const DEADLINE_MESSAGE = 'deadline too short for this method under current latency; not started';

/**
 * Builds refusals from bytes encoded once: a rejection must cost less than the
 * call it saves. A fresh Metadata each time, since later stages add to it.
 */
export class Refusals {
  private readonly overloaded: Readonly<Record<Priority, Buffer>>;
  private readonly deadline: Buffer;
  private readonly pushbackText: string;

  constructor(pushbackMs: number) {
    this.pushbackText = String(Math.round(pushbackMs));
    const overloaded = (priority: Priority) =>
      toBuffer(
        encodeStatusDetails(Code.UNAVAILABLE, OVERLOADED_MESSAGE, {
          errorInfo: { reason: OVERLOADED_REASON, domain: OVERLOAD_DOMAIN, metadata: { priority } },
          retryInfo: { retryDelayMs: pushbackMs },
        })!,
      );
    this.overloaded = { critical: overloaded('critical'), default: overloaded('default'), sheddable: overloaded('sheddable') };
    this.deadline = toBuffer(encodeStatusDetails(Code.DEADLINE_EXCEEDED, DEADLINE_MESSAGE, { errorInfo: { reason: DEADLINE_TOO_SHORT_REASON, domain: OVERLOAD_DOMAIN } })!);
  }

  /** UNAVAILABLE, pushback trailer, RetryInfo + ErrorInfo OVERLOADED. */
  overloadedFor(priority: Priority): Refusal {
    const metadata = new Metadata();
    metadata.set(PUSHBACK_TRAILER, this.pushbackText);
    metadata.set(STATUS_DETAILS_TRAILER, this.overloaded[priority]);
    return { code: Code.UNAVAILABLE, details: OVERLOADED_MESSAGE, metadata };
  }

  /** DEADLINE_EXCEEDED, ErrorInfo DEADLINE_TOO_SHORT, no retry hint: the same deadline cannot be met elsewhere either. */
  deadlineTooShort(): Refusal {
    const metadata = new Metadata();
    metadata.set(STATUS_DETAILS_TRAILER, this.deadline);
    return { code: Code.DEADLINE_EXCEEDED, details: DEADLINE_MESSAGE, metadata };
  }
}

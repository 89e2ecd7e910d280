// gRPC's length-prefixed messages (1 byte compressed flag, 4 bytes big-endian
// length, the payload) cut out of HTTP/2 DATA chunks that may split or join
// them anywhere. A whole message inside one chunk is handed on as a view of
// that chunk, without a copy; only a message split across chunks is gathered.
import { Code } from '../status/codes.js';

export const FRAME_HEADER_BYTES = 5;

export interface FrameFault {
  readonly code: Code;
  readonly details: string;
}

/** Who receives the decoded messages: the call, through one method, with no closure per chunk. */
export interface FrameSink {
  frame(compressed: boolean, payload: Buffer): void;
}

export class FrameDecoder {
  /** Only for a header split across chunks: a Buffer of its own per call (unpooled) was a cost for the GC. */
  private header: Buffer | undefined;
  private headerFilled = 0;
  private compressed = false;
  /** The message being gathered across chunks; undefined between messages. */
  private partial: Buffer | undefined;
  private partialFilled = 0;

  constructor(readonly maxMessageBytes: number) {}

  /** True while a message has started and not all of its bytes arrived: a stream ending now truncated it. */
  get midMessage(): boolean {
    return this.headerFilled > 0 || this.partial !== undefined;
  }

  /** Decodes `chunk`, handing each complete message to `sink`; a fault stops decoding (the call ends with it). */
  write(chunk: Buffer, sink: FrameSink): FrameFault | undefined {
    let offset = 0;
    const end = chunk.length;
    while (offset < end) {
      if (this.partial !== undefined) {
        const take = Math.min(this.partial.length - this.partialFilled, end - offset);
        chunk.copy(this.partial, this.partialFilled, offset, offset + take);
        this.partialFilled += take;
        offset += take;
        if (this.partialFilled < this.partial.length) return undefined;
        const payload = this.partial;
        this.partial = undefined;
        sink.frame(this.compressed, payload);
        continue;
      }
      let length: number;
      if (this.headerFilled === 0 && end - offset >= FRAME_HEADER_BYTES) {
        // The common case: the whole header is in this chunk.
        const flag = chunk[offset]!;
        if (flag > 1) return badFlag(flag);
        this.compressed = flag === 1;
        length = chunk.readUInt32BE(offset + 1);
        offset += FRAME_HEADER_BYTES;
      } else {
        const header = (this.header ??= Buffer.allocUnsafe(FRAME_HEADER_BYTES));
        const take = Math.min(FRAME_HEADER_BYTES - this.headerFilled, end - offset);
        chunk.copy(header, this.headerFilled, offset, offset + take);
        this.headerFilled += take;
        offset += take;
        if (this.headerFilled < FRAME_HEADER_BYTES) return undefined;
        this.headerFilled = 0;
        const flag = header[0]!;
        if (flag > 1) return badFlag(flag);
        this.compressed = flag === 1;
        length = header.readUInt32BE(1);
      }
      // Refused from the declared length alone: nothing that large is ever buffered.
      if (length > this.maxMessageBytes) {
        return { code: Code.RESOURCE_EXHAUSTED, details: `Received message larger than max (${length} vs. ${this.maxMessageBytes})` };
      }
      if (end - offset >= length) {
        sink.frame(this.compressed, chunk.subarray(offset, offset + length));
        offset += length;
      } else {
        this.partial = Buffer.allocUnsafe(length);
        this.partialFilled = 0;
      }
    }
    return undefined;
  }
}

function badFlag(flag: number): FrameFault {
  return { code: Code.INTERNAL, details: `Received a message with an invalid compressed flag ${flag}` };
}

/** One response message, length-prefixed, in a single buffer (one write, one DATA frame when it fits). */
export function encodeFrame(payload: Uint8Array, compressed: boolean): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame[0] = compressed ? 1 : 0;
  frame.writeUInt32BE(payload.length, 1);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

// The gRPC wire format both lean transports (server and client) share.
export { FrameDecoder, encodeFrame, FRAME_HEADER_BYTES, type FrameFault, type FrameSink } from './frame-decoder.js';
export { ACCEPTED_ENCODINGS, compress, decompress, parseEncoding, responseEncoding, type MessageEncoding } from './compression.js';
export { parseGrpcTimeout, encodeGrpcTimeout } from './grpc-timeout.js';
export { percentEncodeMessage, percentDecodeMessage } from './percent-encoding.js';
export { statusHeaders, type HeaderBlock } from './status-trailers.js';
export { addMetadataHeaders, metadataRecord, binaryHeader, isLegalMetadataKey, isLegalMetadataText } from './metadata.js';
export { keepSessionAlive } from './keepalive.js';
export { deadlineDelay } from './deadline-timer.js';
export { neverIndexPerCallValues } from './never-indexed.js';

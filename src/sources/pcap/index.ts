/**
 * pcap and pcapng readers: public API.
 *
 * - {@link openCapture}: stream a capture file as batches of packets.
 * - {@link parseCaptureBuffer}: parse a capture held in memory.
 * - {@link CaptureParser}: the underlying synchronous push parser.
 */

export { CaptureParser, DEFAULT_MAX_PACKET_BYTES } from './capture-parser.js';
export type { CaptureParserOptions } from './capture-parser.js';
export { CaptureReader, openCapture, parseCaptureBuffer, DEFAULT_BATCH_PACKETS, DEFAULT_CHUNK_BYTES } from './capture-reader.js';
export type { CaptureBatch, OpenCaptureOptions, ParsedCapture } from './capture-reader.js';
export type { CaptureFormat, CaptureInterface, CaptureProblem, CaptureProblemCode, RawPacket } from './types.js';

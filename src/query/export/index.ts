/**
 * Export of stored packets back to capture files: public API.
 *
 * - {@link CaptureFileWriter}: streaming pcap (IETF draft-ietf-opsawg-pcap) and pcapng
 *   (IETF draft-ietf-opsawg-pcapng) writer, byte-exact with the packets read.
 */

export { CaptureFileWriter, DEFAULT_EXPORT_SNAPLEN, WRITE_CHUNK_BYTES } from './pcap-writer.js';
export type { CaptureFileWriterOptions, ExportInterface } from './pcap-writer.js';

/**
 * Document ids for honeypot events. With a position (a file's content fingerprint and the line's
 * byte offset) the caller builds the id, as the packet path does with `<capture id>-<frame>`.
 * Inputs without a position (stdin, Kafka, a copy/paste) use the content id: the SHA-256 of the
 * canonical line, so the same line sent twice is one document. Cowrie lines carry a microsecond
 * timestamp, a session id and (3.x) a uuid, so two distinct events do not share a line.
 */
import { createHash } from 'node:crypto';

/**
 * The content id of a line: base64url SHA-256 (43 characters) of the line without its line ending
 * and surrounding white space (so CRLF and LF copies of a log give the same ids).
 */
export function cowrieContentId(line: string | Buffer): string {
  const buf = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  let start = 0;
  let end = buf.length;
  while (start < end && isSpace(buf[start])) start++;
  while (end > start && isSpace(buf[end - 1])) end--;
  return createHash('sha256').update(buf.subarray(start, end)).digest('base64url');
}

/** The id of the line at `offset` in the file whose content fingerprint is `fileId`: `<fileId>-<offset>`. */
export function cowriePositionId(fileId: string, offset: number): string {
  return `${fileId}-${offset}`;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * Splits the bytes of one file into lines, synchronously, with exact byte offsets.
 *
 * A line ends at `\n`; one trailing `\r` is stripped (CRLF files). Bytes are kept as they are
 * (a `Buffer`): log files are not always valid UTF-8 (attack traffic, latin-1 user agents), and the
 * consumer decides how to decode (`toString('utf8')` replaces invalid sequences with U+FFFD).
 *
 * A partial last line (no `\n` yet) is held until its newline arrives: a writer that is in the
 * middle of a line (a Cowrie JSON event half flushed) never produces a broken event. The holder
 * calls {@link LineSplitter.flushPartial} only when the file is known to be finished (rotated or
 * deleted and idle), so that the final line of a rotated file without a newline is not lost.
 *
 * Lines longer than `maxLineBytes` are cut to that length and flagged `truncated`; their offsets
 * still span the whole line, so the next line starts where it really starts.
 */

/** Receives the lines of a {@link LineSplitter}. */
export interface LineReceiver {
  /**
   * One line. `data` is a view into the pushed chunk or a fresh buffer (never reused by the
   * splitter); `offset` is the byte offset of the line's first byte in the file, `next` the offset
   * just after its `\n` (or after its last byte for a flushed partial line). Return false to stop
   * the splitter after this line (backpressure): {@link LineSplitter.push} then returns how many
   * bytes of the chunk it consumed.
   */
  line(data: Buffer, offset: number, next: number, truncated: boolean): boolean;
}

const LF = 0x0a;
const CR = 0x0d;

/** The line splitter of one file. */
export class LineSplitter {
  /** Offset in the file of the first byte not yet part of an emitted line (start of the held partial line). */
  lineStart: number;
  /** Offset in the file just after the last byte pushed. */
  fedEnd: number;
  private readonly maxLineBytes: number;
  /** Bytes of the held partial line (at most `maxLineBytes`), in pieces. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** The held partial line went past `maxLineBytes`: its rest is dropped until the newline. */
  private overflow = false;

  /**
   * @param startOffset offset in the file of the first byte that will be pushed
   * @param maxLineBytes longest line kept whole; longer lines are cut and flagged. Default 1 MiB.
   */
  constructor(startOffset = 0, maxLineBytes = 1024 * 1024) {
    if (!(maxLineBytes >= 1)) throw new RangeError('maxLineBytes must be at least 1');
    this.lineStart = startOffset;
    this.fedEnd = startOffset;
    this.maxLineBytes = maxLineBytes;
  }

  /** Bytes held for the partial last line (pushed but not emitted). */
  get pendingBytes(): number {
    return this.fedEnd - this.lineStart;
  }

  /**
   * Pushes the next bytes of the file (they must follow the previous chunk exactly) and emits the
   * complete lines. Returns the number of bytes consumed: all of them, or fewer when the receiver
   * asked to stop (the caller pushes the rest again later, from `fedEnd`).
   */
  push(chunk: Buffer, receiver: LineReceiver): number {
    const base = this.fedEnd;
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) {
        this.hold(chunk.subarray(start));
        this.fedEnd = base + chunk.length;
        return chunk.length;
      }
      const more = this.emit(chunk.subarray(start, nl), base + nl + 1, true, receiver);
      start = nl + 1;
      this.fedEnd = base + start;
      if (!more) return start;
    }
    return chunk.length;
  }

  /**
   * Emits the held partial line, if any, as a line ending at `fedEnd` (the file is finished: rotated
   * or deleted and idle). Returns true when a line was emitted.
   */
  flushPartial(receiver: LineReceiver): boolean {
    if (this.fedEnd === this.lineStart) return false;
    this.emit(Buffer.alloc(0), this.fedEnd, false, receiver);
    return true;
  }

  /** Forgets everything held and restarts at `offset` (after a truncation). */
  reset(offset: number): void {
    this.held = [];
    this.heldBytes = 0;
    this.overflow = false;
    this.lineStart = offset;
    this.fedEnd = offset;
  }

  private hold(piece: Buffer): void {
    if (piece.length === 0) return;
    const room = this.maxLineBytes - this.heldBytes;
    if (piece.length > room) this.overflow = true;
    if (room <= 0) return;
    // Copy: the chunk may be large and the held bytes small; keeping a view would pin the chunk.
    const kept = Buffer.from(piece.subarray(0, room));
    this.held.push(kept);
    this.heldBytes += kept.length;
  }

  /** Emits held bytes + `tail` as one line ending before `next` (`terminated`: it ended with `\n`). */
  private emit(tail: Buffer, next: number, terminated: boolean, receiver: LineReceiver): boolean {
    let truncated = this.overflow;
    let data: Buffer;
    if (this.heldBytes === 0) {
      data = tail;
    } else {
      const take = Math.min(tail.length, this.maxLineBytes - this.heldBytes);
      data = Buffer.concat([...this.held, tail.subarray(0, take)], this.heldBytes + take);
      if (take < tail.length) truncated = true;
    }
    if (data.length > this.maxLineBytes) {
      data = data.subarray(0, this.maxLineBytes);
      truncated = true;
    }
    if (terminated && !truncated && data.length > 0 && data[data.length - 1] === CR) data = data.subarray(0, data.length - 1);
    const offset = this.lineStart;
    this.held = [];
    this.heldBytes = 0;
    this.overflow = false;
    this.lineStart = next;
    return receiver.line(data, offset, next, truncated);
  }
}

/**
 * A batch of packets packed into typed arrays and two flat byte buffers, so that it crosses to the
 * store worker as a few transferred ArrayBuffers instead of thousands of
 * small objects and strings.
 */
import type { RawPacket } from '../sources/pcap/types.js';
import { BufferPool } from './buffer-pool.js';
import { JsonBytes } from './json-bytes.js';

/** The packed batch (what is posted to the workers). */
export interface PackedPacketBatch {
  readonly count: number;
  readonly frames: Float64Array;
  readonly offsets: Float64Array;
  readonly tsSec: Float64Array;
  readonly tsNsec: Uint32Array;
  readonly tsDigits: Uint8Array;
  readonly linkTypes: Uint32Array;
  readonly ifaces: Uint32Array;
  readonly origLens: Uint32Array;
  /** Captured bytes of every packet, back to back; packet i is `data[dataEnds[i-1]..dataEnds[i]]`. */
  readonly data: Uint8Array;
  readonly dataEnds: Uint32Array;
  /** ECS documents (UTF-8 JSON), back to back; document i is `docs[docEnds[i-1]..docEnds[i]]`. */
  readonly docs: Uint8Array;
  readonly docEnds: Uint32Array;
}

/** Accumulates packets and packs them. */
export class PacketBatchBuilder {
  private n = 0;
  private frames: Float64Array;
  private offsets: Float64Array;
  private tsSec: Float64Array;
  private tsNsec: Uint32Array;
  private tsDigits: Uint8Array;
  private linkTypes: Uint32Array;
  private ifaces: Uint32Array;
  private origLens: Uint32Array;
  private dataEnds: Uint32Array;
  private docEnds: Uint32Array;
  private data: Buffer;
  private dataLen = 0;
  /** Where the caller writes each packet's document before {@link add}. */
  readonly docs = new JsonBytes(1 << 22);

  /**
   * @param pool where the byte buffers of the next batch come from; the store writer gives the
   * buffers of committed batches back to it, so a long run allocates none in the steady state.
   */
  constructor(
    private readonly capacity: number,
    private readonly pool: BufferPool = new BufferPool(),
  ) {
    this.frames = new Float64Array(capacity);
    this.offsets = new Float64Array(capacity);
    this.tsSec = new Float64Array(capacity);
    this.tsNsec = new Uint32Array(capacity);
    this.tsDigits = new Uint8Array(capacity);
    this.linkTypes = new Uint32Array(capacity);
    this.ifaces = new Uint32Array(capacity);
    this.origLens = new Uint32Array(capacity);
    this.dataEnds = new Uint32Array(capacity);
    this.docEnds = new Uint32Array(capacity);
    this.data = pool.take(Math.max(65536, capacity * 256));
  }

  get count(): number {
    return this.n;
  }

  get full(): boolean {
    return this.n >= this.capacity;
  }

  /** Adds one packet (its bytes are copied); a document written to {@link docs} before the call is its document. */
  add(p: RawPacket): void {
    const i = this.n++;
    this.frames[i] = p.frame;
    this.offsets[i] = p.offset;
    this.tsSec[i] = p.tsSec;
    this.tsNsec[i] = p.tsNsec;
    this.tsDigits[i] = p.tsDigits;
    this.linkTypes[i] = p.linkType;
    this.ifaces[i] = p.interfaceId;
    this.origLens[i] = p.origLen;
    const bytes = p.data;
    if (this.dataLen + bytes.length > this.data.length) {
      const bigger = this.pool.take(Math.max(this.data.length * 2, this.dataLen + bytes.length));
      this.data.copy(bigger, 0, 0, this.dataLen);
      this.pool.give(this.data.buffer as ArrayBuffer);
      this.data = bigger;
    }
    bytes.copy(this.data, this.dataLen);
    this.dataLen += bytes.length;
    this.dataEnds[i] = this.dataLen;
    this.docEnds[i] = this.docs.pos;
  }

  /** Packs the batch (ownership of the arrays moves to the result) and resets the builder. */
  take(): PackedPacketBatch {
    const n = this.n;
    const batch: PackedPacketBatch = {
      count: n,
      frames: this.frames.slice(0, n),
      offsets: this.offsets.slice(0, n),
      tsSec: this.tsSec.slice(0, n),
      tsNsec: this.tsNsec.slice(0, n),
      tsDigits: this.tsDigits.slice(0, n),
      linkTypes: this.linkTypes.slice(0, n),
      ifaces: this.ifaces.slice(0, n),
      origLens: this.origLens.slice(0, n),
      // The byte buffers are handed over whole (transferred, not copied) and replaced by new ones.
      data: new Uint8Array(this.data.buffer, this.data.byteOffset, this.dataLen),
      dataEnds: this.dataEnds.slice(0, n),
      docs: new Uint8Array(this.docs.buf.buffer, this.docs.buf.byteOffset, this.docs.pos),
      docEnds: this.docEnds.slice(0, n),
    };
    this.n = 0;
    this.dataLen = 0;
    this.data = this.pool.take(this.data.length);
    this.docs.buf = this.pool.take(this.docs.buf.length);
    this.docs.reset();
    return batch;
  }
}

/** The two large byte buffers of a packed batch: what a worker hands back for the next batches. */
export function reusableBuffers(b: PackedPacketBatch): ArrayBuffer[] {
  return b.data.buffer === b.docs.buffer ? [b.data.buffer as ArrayBuffer] : [b.data.buffer as ArrayBuffer, b.docs.buffer as ArrayBuffer];
}

/** The ArrayBuffers of a packed batch that can be transferred rather than copied. */
export function transferList(b: PackedPacketBatch): ArrayBuffer[] {
  const list = [b.data, b.docs, b.frames, b.offsets, b.tsSec, b.tsNsec, b.tsDigits, b.linkTypes, b.ifaces, b.origLens, b.dataEnds, b.docEnds].map((a) => a.buffer as ArrayBuffer);
  // A buffer can appear only once in a transfer list (docs may share nothing, but be safe).
  return [...new Set(list)];
}

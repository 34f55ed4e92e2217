/**
 * Streaming capture file writer: pcap and pcapng, little-endian, byte-exact with the packets read.
 *
 * Formats written (the same documents the readers in `src/sources/pcap/` follow):
 * - pcap: IETF draft-ietf-opsawg-pcap ("PCAP Capture File Format"). §4 file header (magic
 *   0xA1B2C3D4 for µs or 0xA1B23C4D for ns timestamps, version 2.4, SnapLen, LinkType), then §5
 *   packet records (ts seconds, ts µs/ns fraction, captured length, original length, data).
 * - pcapng: IETF draft-ietf-opsawg-pcapng ("PCAP Now Generic (pcapng) Capture File Format"). One
 *   section: §4.1 Section Header Block (version 1.0, section length -1, `shb_userappl` "sluice"),
 *   §4.2 Interface Description Blocks (`if_name`, `if_description`, `if_tsresol` 6 or 9) and §4.3
 *   Enhanced Packet Blocks (64-bit timestamp in the interface's resolution, data padded to 32 bits,
 *   block total length repeated at the end).
 *
 * Records are batched into chunks of up to {@link WRITE_CHUNK_BYTES} before being handed to the
 * output stream, and the stream's backpressure is passed on to the caller (see
 * {@link CaptureFileWriter.write}). Memory stays bounded by one chunk plus whatever the stream
 * buffers, provided the caller awaits the promises `write` returns.
 *
 * Timestamps are never rounded: a packet with sub-microsecond precision written to a microsecond
 * file or interface is refused with a {@link SluiceError}.
 */

import { SluiceError } from '../../errors.js';

/** Size of the chunks handed to the output stream: 256 KiB. */
export const WRITE_CHUNK_BYTES = 256 * 1024;

/** Default snapshot length of the pcap file header (the value tcpdump and dumpcap use). */
export const DEFAULT_EXPORT_SNAPLEN = 262144;

/** Options of {@link CaptureFileWriter.open}. */
export interface CaptureFileWriterOptions {
  /** Container format to write. */
  format: 'pcap' | 'pcapng';
  /**
   * pcap: write nanosecond timestamps (magic 0xA1B23C4D) instead of microseconds (0xA1B2C3D4).
   * pcapng: unused (each interface has its own resolution, see {@link ExportInterface.nanosecond}).
   */
  nanosecond: boolean;
  /** pcap: LINKTYPE_* of the file header (required). pcapng: unused. */
  linkType?: number;
  /** pcap: SnapLen of the file header (default {@link DEFAULT_EXPORT_SNAPLEN}). pcapng: unused. */
  snaplen?: number;
  /**
   * End the output stream on {@link CaptureFileWriter.close} (default true). Pass false for
   * `process.stdout`, which must not be ended.
   */
  end?: boolean;
}

/** An interface of the output, see {@link CaptureFileWriter.addInterface}. */
export interface ExportInterface {
  /** LINKTYPE_* value (tcpdump.org/linktypes.html), 0..65535. */
  linkType: number;
  /** Snapshot length (pcapng: 0 = unlimited). */
  snaplen: number;
  /** `if_name` option (pcapng only). */
  name?: string;
  /** `if_description` option (pcapng only). */
  description?: string;
  /** pcapng: nanosecond timestamps (`if_tsresol` = 9) instead of microseconds (6). */
  nanosecond: boolean;
}

const TWO_32 = 4294967296;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_IDB = 0x00000001;
const PCAPNG_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/**
 * Writes a pcap or pcapng capture to a stream. Create with {@link CaptureFileWriter.open}, declare
 * interfaces with {@link CaptureFileWriter.addInterface}, append packets with
 * {@link CaptureFileWriter.write}, finish with {@link CaptureFileWriter.close}.
 *
 * @example
 * ```ts
 * const w = CaptureFileWriter.open(createWriteStream('out.pcapng'), { format: 'pcapng', nanosecond: true });
 * const id = w.addInterface('eth0', { linkType: 1, snaplen: 262144, nanosecond: true });
 * for (const p of packets) {
 *   const r = w.write(id, p.tsSec, p.tsNsec, p.origLen, p.data);
 *   if (r !== true) await r;
 * }
 * await w.close();
 * ```
 */
export class CaptureFileWriter {
  /** Container format being written. */
  readonly format: 'pcap' | 'pcapng';
  /** pcap: nanosecond file. pcapng: the option given to {@link CaptureFileWriter.open}. */
  readonly nanosecond: boolean;
  private readonly out: NodeJS.WritableStream;
  private readonly endStream: boolean;
  private readonly pcapLinkType: number;
  private buf: Buffer;
  private pos = 0;
  private readonly keys = new Map<string, number>();
  /** Per output interface id: true when its timestamps are in ns. */
  private readonly ifaceNano: boolean[] = [];
  private closed = false;
  private failure: Error | undefined;
  private drainWait: Promise<void> | undefined;
  private packetCount = 0;
  private byteCount = 0;
  private readonly onError = (err: Error): void => {
    if (this.failure === undefined) this.failure = err;
  };

  private constructor(out: NodeJS.WritableStream, options: CaptureFileWriterOptions) {
    this.out = out;
    this.format = options.format;
    this.nanosecond = options.nanosecond;
    this.endStream = options.end ?? true;
    this.buf = Buffer.allocUnsafe(WRITE_CHUNK_BYTES);
    out.on('error', this.onError);
    if (options.format === 'pcap') {
      if (options.linkType === undefined) throw usage('a pcap export needs the link type of its file header (options.linkType)');
      checkUint(options.linkType, 0xffff, 'link type');
      const snaplen = options.snaplen ?? DEFAULT_EXPORT_SNAPLEN;
      checkUint(snaplen, 0xffffffff, 'snapshot length');
      this.pcapLinkType = options.linkType;
      this.ifaceNano.push(options.nanosecond);
      this.writeFileHeader(options.nanosecond, snaplen, options.linkType);
    } else if (options.format === 'pcapng') {
      this.pcapLinkType = -1;
      this.writeShb();
    } else {
      throw usage(`unknown capture format ${String(options.format)}: use pcap or pcapng`);
    }
  }

  /**
   * Start a capture file on `out` (a file stream, `process.stdout`, any writable). The file header
   * (pcap) or section header block (pcapng) is buffered at once, so an export with no packet is
   * still a valid, empty capture once {@link CaptureFileWriter.close} has run.
   *
   * @throws SluiceError `SLUICE_USAGE` when a pcap export has no `linkType` or a value is out of range.
   */
  static open(out: NodeJS.WritableStream, options: CaptureFileWriterOptions): CaptureFileWriter {
    return new CaptureFileWriter(out, options);
  }

  /** Number of packets written so far. */
  get packets(): number {
    return this.packetCount;
  }

  /** Number of bytes handed to the stream or buffered so far (the output file size after close). */
  get bytes(): number {
    return this.byteCount + this.pos;
  }

  /**
   * Declare an interface of the output and get the id to pass to {@link CaptureFileWriter.write}.
   *
   * - pcapng: the first time `key` is seen, an Interface Description Block is appended (with
   *   `if_name`, `if_description` when given, `if_tsresol` 9 or 6 and `opt_endofopt`) and the next
   *   interface id (0, 1, …) is returned; later calls with the same key return the same id.
   * - pcap: there is exactly one interface, the file header's: returns 0.
   *
   * @throws SluiceError `SLUICE_USAGE` (pcap) when `iface.linkType` differs from the file header's
   *   link type: such packets need a pcapng export.
   */
  addInterface(key: string, iface: ExportInterface): number {
    this.checkOpen();
    if (this.format === 'pcap') {
      if (iface.linkType !== this.pcapLinkType) {
        throw usage(
          `interface ${key} has link type ${iface.linkType} but this pcap file was opened with link type ${this.pcapLinkType}: a pcap file holds a single link type; export to pcapng to mix link types`,
        );
      }
      return 0;
    }
    const known = this.keys.get(key);
    if (known !== undefined) return known;
    checkUint(iface.linkType, 0xffff, 'link type');
    checkUint(iface.snaplen, 0xffffffff, 'snapshot length');
    const id = this.ifaceNano.length;
    this.writeIdb(iface);
    this.keys.set(key, id);
    this.ifaceNano.push(iface.nanosecond);
    return id;
  }

  /**
   * Append one packet: a pcap record (§5) or a pcapng Enhanced Packet Block (§4.3). The captured
   * bytes are copied, so `data` may be reused as soon as this returns.
   *
   * @param interfaceId id from {@link CaptureFileWriter.addInterface} (always 0 for pcap).
   * @param tsSec seconds since the Unix epoch, integer >= 0 (pcap: < 2^32).
   * @param tsNsec nanoseconds within the second, integer 0..999,999,999; must be a multiple of
   *   1000 when the file (pcap) or interface (pcapng) has microsecond timestamps.
   * @param origLen original length on the wire, written as is (it may be below or above `data.length`).
   * @param data the captured bytes, written as is.
   * @returns `true` when more packets may be written at once; otherwise a promise that resolves
   *   once the output stream has drained (rejects if the stream fails). Await it before writing
   *   more to keep memory bounded.
   * @throws SluiceError `SLUICE_USAGE` on an unknown interface id, an out-of-range value, or a
   *   timestamp finer than the resolution of the file or interface (it is never rounded).
   */
  write(interfaceId: number, tsSec: number, tsNsec: number, origLen: number, data: Uint8Array): boolean | Promise<void> {
    this.checkOpen();
    const nano = this.ifaceNano[interfaceId];
    if (nano === undefined || !Number.isInteger(interfaceId)) {
      throw usage(`interface id ${interfaceId} was not returned by addInterface${this.format === 'pcapng' ? '' : ' (a pcap file has only interface 0)'}`);
    }
    if (!Number.isInteger(tsNsec) || tsNsec < 0 || tsNsec > 999999999) throw usage(`timestamp fraction ${tsNsec} ns is not an integer in 0..999999999`);
    if (!Number.isInteger(tsSec) || tsSec < 0) throw usage(`timestamp ${tsSec} s is not a non-negative integer number of seconds`);
    checkUint(origLen, 0xffffffff, 'original length');
    let frac = tsNsec;
    if (!nano) {
      if (tsNsec % 1000 !== 0) {
        throw usage(
          `packet ${this.packetCount + 1} has timestamp ${tsSec}.${String(tsNsec).padStart(9, '0')}, finer than the microsecond resolution of ${this.format === 'pcap' ? 'this pcap file' : `interface ${interfaceId}`}: open the export with nanosecond timestamps (it is never rounded)`,
        );
      }
      frac = tsNsec / 1000;
    }
    const caplen = data.length;
    let r: boolean | Promise<void>;
    if (this.format === 'pcap') {
      if (tsSec > 0xffffffff) throw usage(`timestamp ${tsSec} s does not fit the 32-bit seconds of a pcap record: export to pcapng`);
      const need = 16 + caplen;
      const b = this.reserve(need);
      let p = this.pos;
      b.writeUInt32LE(tsSec, p);
      b.writeUInt32LE(frac, p + 4);
      b.writeUInt32LE(caplen, p + 8);
      b.writeUInt32LE(origLen, p + 12);
      p += 16;
      b.set(data, p);
      this.pos = p + caplen;
      r = this.afterRecord();
    } else {
      const padded = (caplen + 3) & ~3;
      const total = 32 + padded;
      if (total > 0xffffffff) throw usage(`packet of ${caplen} bytes is too large for a pcapng block`);
      const units = nano ? 1000000000 : 1000000;
      let hi: number;
      let lo: number;
      if (tsSec < 17179869184) {
        // Exact 64-bit split of tsSec*units + frac with every intermediate below 2^53 (tsSec < 2^34,
        // units < 2^30): tsSec = sHi*2^16 + sLo; t2 = sHi*units (< 2^48); value = t2*2^16 + t1.
        const sLo = tsSec % 65536;
        const sHi = (tsSec - sLo) / 65536;
        const t1 = sLo * units + frac; // < 2^47
        const t2 = sHi * units; // < 2^48
        const t2lo = t2 % 65536;
        const low = t2lo * 65536 + t1; // < 2^33 + 2^47
        const carry = Math.floor(low / TWO_32);
        hi = (t2 - t2lo) / 65536 + carry;
        lo = low - carry * TWO_32;
      } else {
        const v = BigInt(tsSec) * BigInt(units) + BigInt(frac);
        hi = Number(v >> 32n);
        lo = Number(v & 0xffffffffn);
      }
      if (hi > 0xffffffff) throw usage(`timestamp ${tsSec} s does not fit the 64-bit timestamp of a pcapng block`);
      const b = this.reserve(total);
      let p = this.pos;
      b.writeUInt32LE(PCAPNG_EPB, p);
      b.writeUInt32LE(total, p + 4);
      b.writeUInt32LE(interfaceId, p + 8);
      b.writeUInt32LE(hi, p + 12);
      b.writeUInt32LE(lo, p + 16);
      b.writeUInt32LE(caplen, p + 20);
      b.writeUInt32LE(origLen, p + 24);
      p += 28;
      b.set(data, p);
      p += caplen;
      for (let i = caplen; i < padded; i++) b[p++] = 0;
      b.writeUInt32LE(total, p);
      this.pos = p + 4;
      r = this.afterRecord();
    }
    this.packetCount++;
    return r;
  }

  /**
   * Flush the buffered records, wait until the stream has taken them, and end the stream (unless
   * opened with `end: false`, e.g. for `process.stdout`). Resolves when the data is written
   * (`finish`); rejects with the stream's error if it failed. Further calls return the same
   * outcome; writing after close throws.
   */
  async close(): Promise<void> {
    if (this.closed) {
      if (this.failure !== undefined) throw this.failure;
      return;
    }
    this.closed = true;
    try {
      if (this.failure !== undefined) throw this.failure;
      const last = this.takeChunk();
      await new Promise<void>((resolve, reject) => {
        const onErr = (err: Error): void => {
          cleanup();
          reject(err);
        };
        const cleanup = (): void => {
          this.out.removeListener('error', onErr);
        };
        this.out.on('error', onErr);
        const done = (err?: Error | null): void => {
          cleanup();
          if (err) reject(err);
          else if (this.failure !== undefined) reject(this.failure);
          else resolve();
        };
        if (this.endStream) {
          if (last !== undefined) this.out.write(last);
          this.out.end(() => done());
        } else if (last !== undefined) {
          this.out.write(last, (err) => done(err));
        } else {
          // Nothing pending from us: make sure what was handed over earlier has been taken.
          this.out.write(Buffer.alloc(0), (err) => done(err));
        }
      });
    } finally {
      this.out.removeListener('error', this.onError);
    }
  }

  // -----------------------------------------------------------------------------------------------

  private checkOpen(): void {
    if (this.closed) throw usage('the capture writer is closed');
    if (this.failure !== undefined) throw this.failure;
  }

  /** A buffer with `need` free bytes at `this.pos`: flushes first, or grows for a large record. */
  private reserve(need: number): Buffer {
    if (this.pos + need <= this.buf.length) return this.buf;
    if (this.pos > 0) this.flush();
    if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need);
    return this.buf;
  }

  /** Detach the filled part of the buffer (the stream keeps it), starting a fresh one. */
  private takeChunk(): Buffer | undefined {
    if (this.pos === 0) return undefined;
    const chunk = this.buf.subarray(0, this.pos);
    this.byteCount += this.pos;
    this.buf = Buffer.allocUnsafe(WRITE_CHUNK_BYTES);
    this.pos = 0;
    return chunk;
  }

  /** Hand the buffered records to the stream; remembers when the stream asks us to wait. */
  private flush(): void {
    const chunk = this.takeChunk();
    if (chunk === undefined) return;
    if (!this.out.write(chunk) && this.drainWait === undefined) {
      this.drainWait = new Promise<void>((resolve, reject) => {
        const finish = (err?: Error): void => {
          this.out.removeListener('drain', onDrain);
          this.out.removeListener('error', onErr);
          this.out.removeListener('close', onClose);
          this.drainWait = undefined;
          if (err) reject(err);
          else resolve();
        };
        const onDrain = (): void => finish();
        const onErr = (err: Error): void => finish(err);
        const onClose = (): void => finish(this.failure ?? new Error('the output stream closed before the capture was written'));
        this.out.on('drain', onDrain);
        this.out.on('error', onErr);
        this.out.on('close', onClose);
      });
      // A caller that ignores the promise must not crash the process with an unhandled
      // rejection: the failure is also remembered and thrown by the next write or close.
      this.drainWait.catch((err: Error) => this.onError(err));
    }
  }

  /** After a record was buffered: flush a full chunk, and pass on the stream's backpressure. */
  private afterRecord(): boolean | Promise<void> {
    if (this.pos >= this.buf.length - 64) this.flush();
    return this.drainWait ?? true;
  }

  private writeFileHeader(nano: boolean, snaplen: number, linkType: number): void {
    // draft-ietf-opsawg-pcap §4: magic, major 2, minor 4, reserved1, reserved2, SnapLen, LinkType.
    const b = this.buf;
    b.writeUInt32LE(nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
    b.writeUInt16LE(2, 4);
    b.writeUInt16LE(4, 6);
    b.writeUInt32LE(0, 8);
    b.writeUInt32LE(0, 12);
    b.writeUInt32LE(snaplen, 16);
    b.writeUInt32LE(linkType, 20);
    this.pos = 24;
  }

  private writeShb(): void {
    // draft-ietf-opsawg-pcapng §4.1: type, length, byte-order magic, major 1, minor 0,
    // section length -1 (not specified), options (shb_userappl = 4), opt_endofopt, length.
    const opts = encodeOptions([[4, Buffer.from('sluice', 'utf8')]]);
    const total = 28 + opts.length;
    const b = this.buf;
    let p = 0;
    b.writeUInt32LE(PCAPNG_SHB, p);
    b.writeUInt32LE(total, p + 4);
    b.writeUInt32LE(BYTE_ORDER_MAGIC, p + 8);
    b.writeUInt16LE(1, p + 12);
    b.writeUInt16LE(0, p + 14);
    b.writeInt32LE(-1, p + 16);
    b.writeInt32LE(-1, p + 20);
    p += 24;
    opts.copy(b, p);
    p += opts.length;
    b.writeUInt32LE(total, p);
    this.pos = p + 4;
  }

  private writeIdb(iface: ExportInterface): void {
    // draft-ietf-opsawg-pcapng §4.2: type, length, LinkType(2), reserved(2), SnapLen, options
    // (if_name = 2, if_description = 3, if_tsresol = 9), opt_endofopt, length.
    const list: Array<[number, Buffer]> = [];
    if (iface.name !== undefined) list.push([2, Buffer.from(iface.name, 'utf8')]);
    if (iface.description !== undefined) list.push([3, Buffer.from(iface.description, 'utf8')]);
    list.push([9, Buffer.from([iface.nanosecond ? 9 : 6])]);
    const opts = encodeOptions(list);
    const total = 20 + opts.length;
    const b = this.reserve(total);
    let p = this.pos;
    b.writeUInt32LE(PCAPNG_IDB, p);
    b.writeUInt32LE(total, p + 4);
    b.writeUInt16LE(iface.linkType, p + 8);
    b.writeUInt16LE(0, p + 10);
    b.writeUInt32LE(iface.snaplen, p + 12);
    p += 16;
    opts.copy(b, p);
    p += opts.length;
    b.writeUInt32LE(total, p);
    this.pos = p + 4;
  }
}

/** pcapng options (§3.5): code(2), length(2), value padded to 32 bits; then opt_endofopt. */
function encodeOptions(list: Array<[number, Buffer]>): Buffer {
  let size = 4;
  for (const [, v] of list) {
    if (v.length > 0xffff) throw usage(`pcapng option value of ${v.length} bytes is longer than 65535 bytes`);
    size += 4 + ((v.length + 3) & ~3);
  }
  const out = Buffer.alloc(size);
  let p = 0;
  for (const [code, v] of list) {
    out.writeUInt16LE(code, p);
    out.writeUInt16LE(v.length, p + 2);
    v.copy(out, p + 4);
    p += 4 + ((v.length + 3) & ~3);
  }
  // opt_endofopt: code 0, length 0 (already zero).
  return out;
}

function checkUint(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw usage(`${what} ${v} is not an integer in 0..${max}`);
}

function usage(message: string): SluiceError {
  return new SluiceError('SLUICE_USAGE', message);
}

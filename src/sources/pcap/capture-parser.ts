/**
 * Synchronous push parser for pcap and pcapng captures.
 *
 * Formats:
 * - pcap: draft-ietf-opsawg-pcap ("PCAP Capture File Format"): a 24-byte file header followed by
 *   16-byte record headers, each followed by the captured bytes.
 * - pcapng: draft-ietf-opsawg-pcapng ("PCAP Now Generic (pcapng) Capture File Format"): a sequence of
 *   sections, each starting with a Section Header Block (SHB) that fixes the byte order, followed by
 *   blocks `type(4) length(4) body length(4)`.
 *
 * The parser does no I/O: the caller pushes chunks in file order and receives {@link RawPacket}s
 * through a callback. It never throws on bad input and always makes progress, so a fuzzer can feed
 * it anything. Packet `data` is a zero-copy view into the pushed chunk, except for a record that
 * straddles two chunks, which is assembled into a fresh buffer (only that record is copied).
 */

import type { CaptureFormat, CaptureInterface, CaptureProblem, CaptureProblemCode, RawPacket } from './types.js';

/** Options of {@link CaptureParser}. */
export interface CaptureParserOptions {
  /** File path copied into every {@link CaptureProblem} (empty when parsing memory). */
  file?: string;
  /**
   * Largest captured length accepted for one packet (default 256 MiB). A larger pcap record length
   * cannot be real and, since pcap has no resynchronisation marker, ends the reading; a larger
   * pcapng packet is skipped and reported as {@link CaptureProblemCode} `CAPTURE_BAD_BLOCK_LENGTH`;
   * a pcapng block length beyond it (plus 1 MiB for headers and options) breaks the section
   * (`CAPTURE_BAD_SECTION`).
   */
  maxPacketBytes?: number;
}

/** Default sanity cap on one packet's captured length: 256 MiB. */
export const DEFAULT_MAX_PACKET_BYTES = 256 * 1024 * 1024;

// pcap magic numbers as read little-endian (draft-ietf-opsawg-pcap §4: 0xA1B2C3D4 µs, 0xA1B23C4D ns).
const PCAP_US_LE = 0xa1b2c3d4; // bytes d4 c3 b2 a1: file written little-endian
const PCAP_US_BE = 0xd4c3b2a1; // bytes a1 b2 c3 d4: file written big-endian
const PCAP_NS_LE = 0xa1b23c4d;
const PCAP_NS_BE = 0x4d3cb2a1;
// pcapng Section Header Block type: 0x0A0D0D0A, a palindrome so byte-order independent
// (draft-ietf-opsawg-pcapng §4.1), and the byte-order magic 0x1A2B3C4D.
const SHB_TYPE = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;
const BOM_SWAPPED = 0x4d3c2b1a;
const SHB_MAGIC_BYTES = Buffer.from([0x0a, 0x0d, 0x0d, 0x0a]);

// pcapng block types (draft-ietf-opsawg-pcapng §4 and appendix on the obsolete Packet Block).
const BT_IDB = 1;
const BT_OPB = 2; // obsolete Packet Block
const BT_SPB = 3;
const BT_EPB = 6;

/** Extra room over maxPacketBytes allowed for a pcapng block (headers, padding, options). */
const BLOCK_SLACK = 1024 * 1024;

const enum State {
  /** Waiting for the magic number / first header. */
  Start,
  /** Inside a pcap file, at a record boundary. */
  PcapRecords,
  /** Inside a pcapng section, at a block boundary. */
  PcapngBlocks,
  /** After a broken pcapng section: scanning for the next SHB. */
  Resync,
  /** Fatal problem or end of input: everything else is ignored. */
  Stopped,
}

/**
 * Per-interface timestamp conversion, precomputed once per IDB so that the per-packet work is a
 * handful of float operations (see {@link CaptureParser.convertTs}).
 */
interface IfaceState {
  readonly info: CaptureInterface;
  readonly id: number;
  readonly linkType: number;
  readonly snaplen: number;
  readonly tsDigits: number;
  /** Timestamp units per second (10^d or 2^n). */
  readonly unitsPerSec: number;
  /** True when unitsPerSec <= 2^30 so the float/int32 path is exact. */
  readonly fast: boolean;
  /** nsec = floor(rem * nsMul / nsDiv), exact in doubles for the fast path. */
  readonly nsMul: number;
  readonly nsDiv: number;
  /** unitsPerSec as BigInt for the slow path. */
  readonly unitsBig: bigint;
  /** if_tsoffset: seconds added to every timestamp (draft-ietf-opsawg-pcapng §4.2, if_tsoffset). */
  readonly offsetSec: number;
}

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

/**
 * Push parser for pcap and pcapng. Feed chunks with {@link CaptureParser.push} in file order, then
 * call {@link CaptureParser.end}. Never throws on bad input; problems accumulate in
 * {@link CaptureParser.problems}.
 */
export class CaptureParser {
  private readonly file: string;
  private readonly maxPacketBytes: number;

  private state: State = State.Start;
  private fmt: CaptureFormat | undefined = undefined;
  /** Byte order of the current pcap file or pcapng section. */
  private le = true;
  private readonly ifaceList: CaptureInterface[] = [];
  private readonly problemList: CaptureProblem[] = [];
  private packetCount = 0;
  private totalPushed = 0;

  // Unconsumed input: pieces (views into earlier chunks) that start at file offset tailOffset.
  private tailPieces: Buffer[] = [];
  private tailLen = 0;
  private tailOffset = 0;
  /** Bytes needed from the start of the tail to make progress (always > tailLen when tailLen > 0). */
  private need = 0;

  // pcap state.
  private pcapIface: IfaceState | undefined = undefined;
  private pcapNano = false;

  // pcapng state.
  private section = -1;
  private sectionIfaces: IfaceState[] = [];
  /** Pending CAPTURE_BAD_SECTION: reported once the resync succeeds or the input ends. */
  private resyncFrom: { offset: number; frame: number; reason: string } | undefined = undefined;

  // Once-per-file warnings.
  private warnedSnaplen = false;
  private warnedBadPacketBlock = false;
  private readonly warnedUnknownIface = new Set<string>();

  // Scratch results of convertTs (avoids allocating a tuple per packet).
  private tsSec = 0;
  private tsNsec = 0;

  /** Create a parser; `file` is only used in problem reports. */
  constructor(options?: CaptureParserOptions) {
    this.file = options?.file ?? '';
    const max = options?.maxPacketBytes;
    this.maxPacketBytes = max !== undefined && Number.isFinite(max) && max > 0 ? Math.floor(max) : DEFAULT_MAX_PACKET_BYTES;
  }

  /** Container format, once the magic number has been read. */
  get format(): CaptureFormat | undefined {
    return this.fmt;
  }

  /** Interfaces seen so far (one for pcap, one per IDB across all sections for pcapng). */
  get interfaces(): CaptureInterface[] {
    return this.ifaceList;
  }

  /** Problems found so far, in file order. */
  get problems(): CaptureProblem[] {
    return this.problemList;
  }

  /** Number of packets emitted so far. */
  get packets(): number {
    return this.packetCount;
  }

  /** Bytes of input fully processed (pushed bytes minus the kept partial record). */
  get bytesConsumed(): number {
    return this.totalPushed - this.tailLen;
  }

  /** True after a fatal problem or {@link CaptureParser.end}: further input is ignored. */
  get stopped(): boolean {
    return this.state === State.Stopped;
  }

  /**
   * Parse the next chunk of the file. Packets are passed to `emit` in file order, synchronously.
   * Chunks may split records anywhere; the unconsumed tail is kept (as a view) and joined with the
   * next chunk, copying only the straddling record.
   */
  push(chunk: Buffer, emit: (p: RawPacket) => void): void {
    if (this.state === State.Stopped || chunk.length === 0) return;
    const chunkOffset = this.totalPushed;
    this.totalPushed += chunk.length;
    let off = 0;
    // First finish the record that straddles the previous chunk boundary.
    while (this.tailLen > 0 && off < chunk.length) {
      const avail = chunk.length - off;
      // While scanning for a section header, take the rest of the chunk at once: taking only
      // `need` bytes would advance one byte per iteration.
      const want = this.state === State.Resync ? avail : Math.max(1, this.need - this.tailLen); // >= 1: always progress
      if (avail < want) {
        this.tailPieces.push(chunk.subarray(off));
        this.tailLen += avail;
        return;
      }
      this.tailPieces.push(chunk.subarray(off, off + want));
      const u = this.tailPieces.length === 1 ? this.tailPieces[0] : Buffer.concat(this.tailPieces, this.tailLen + want);
      off += want;
      const uOffset = this.tailOffset;
      this.tailPieces = [];
      this.tailLen = 0;
      const p = this.run(u, 0, uOffset, emit);
      if (p < u.length) {
        this.tailPieces = [u.subarray(p)];
        this.tailLen = u.length - p;
        this.tailOffset = uOffset + p;
      }
      if (this.stopped) {
        this.dropTail();
        return;
      }
    }
    if (off >= chunk.length) return;
    const p = this.run(chunk, off, chunkOffset, emit);
    if (this.stopped) {
      this.dropTail();
      return;
    }
    if (p < chunk.length) {
      this.tailPieces = [chunk.subarray(p)];
      this.tailLen = chunk.length - p;
      this.tailOffset = chunkOffset + p;
    }
  }

  /**
   * Signal the end of input: reports an empty file, a truncated header or a record cut short, and
   * closes a pending section resynchronisation. The parser is stopped afterwards.
   */
  end(): void {
    if (this.state === State.Stopped) return;
    const st = this.state;
    this.state = State.Stopped;
    if (st === State.Start) {
      if (this.totalPushed === 0) {
        this.report('CAPTURE_EMPTY', 0, true, 'the file is empty (0 bytes): there is nothing to read; check that the capture was written completely');
      } else if (this.fmt === undefined) {
        this.report('CAPTURE_TRUNCATED_HEADER', 0, true, `the file has only ${this.totalPushed} bytes, fewer than any capture file header: it is not a usable capture`);
      } else {
        const what = this.fmt === 'pcap' ? 'the 24-byte pcap file header' : 'the pcapng section header block';
        this.report('CAPTURE_TRUNCATED_HEADER', 0, true, `the file has only ${this.totalPushed} bytes and ends inside ${what}: the capture was probably cut short while being written; no packets can be read`);
      }
    } else if (st === State.Resync) {
      this.flushResync(undefined);
    } else if (this.tailLen > 0) {
      const kept = this.packetCount;
      const keptText = kept === 1 ? 'the 1 packet before it was kept' : `the ${kept} packets before it were kept`;
      const head = this.tailPieces[0];
      let what = `packet ${kept + 1}`;
      let code: CaptureProblemCode = 'CAPTURE_TRUNCATED_RECORD';
      if (st === State.PcapngBlocks && this.tailLen >= 4) {
        const type = this.le ? head.readUInt32LE(0) : head.readUInt32BE(0);
        if (type === SHB_TYPE && this.section < 0) {
          code = 'CAPTURE_TRUNCATED_HEADER';
          what = 'the first section header block';
        } else if (type === SHB_TYPE) what = `a section header block after packet ${kept}`;
        else if (type !== BT_EPB && type !== BT_SPB && type !== BT_OPB) what = `a pcapng block (type ${type}) after packet ${kept}`;
      }
      this.report(
        code,
        this.tailOffset,
        true,
        `file ends in the middle of ${what} at byte ${this.tailOffset} (${this.tailLen} of ${this.need} bytes present): the capture was probably cut short while being written; ${keptText}`,
      );
    } else if (this.packetCount === 0 && this.problemList.length === 0) {
      this.report('CAPTURE_EMPTY', this.totalPushed, false, `the capture has a valid ${this.fmt} header but contains no packets`);
    }
    this.dropTail();
  }

  // ---------------------------------------------------------------------------------------------
  // Dispatch

  private dropTail(): void {
    this.tailPieces = [];
    this.tailLen = 0;
  }

  /**
   * Parse `buf` from `pos` to its end. `base` is the file offset of `buf[0]`. Returns the position
   * of the first unconsumed byte; when it is before the end, `this.need` says how many bytes from
   * there are needed to go on. Every call either consumes bytes, asks for more, or stops.
   */
  private run(buf: Buffer, pos: number, base: number, emit: (p: RawPacket) => void): number {
    const end = buf.length;
    for (;;) {
      switch (this.state) {
        case State.Start:
          pos = this.parseStart(buf, pos, end, base);
          break;
        case State.PcapRecords:
          return this.parsePcap(buf, pos, end, base, emit);
        case State.PcapngBlocks:
          pos = this.parsePcapng(buf, pos, end, base, emit);
          break;
        case State.Resync:
          pos = this.resync(buf, pos, end);
          break;
        default:
          return end;
      }
      // parseStart/parsePcapng/resync return when they need more bytes or changed state.
      if (pos < 0) return -pos - 1;
      if (pos >= end && !this.stopped) return end;
    }
  }

  /** Detect the format by magic number (never by file name) and read the file header / first SHB. */
  private parseStart(buf: Buffer, pos: number, end: number, base: number): number {
    if (end - pos < 4) {
      this.need = 4;
      return -pos - 1;
    }
    const magic = buf.readUInt32LE(pos);
    if (magic === SHB_TYPE) {
      this.fmt = 'pcapng';
      if (end - pos < 12) {
        this.need = 12;
        return -pos - 1;
      }
      this.state = State.PcapngBlocks;
      return pos; // the SHB is parsed as an ordinary block
    }
    let le: boolean;
    let nano: boolean;
    if (magic === PCAP_US_LE) [le, nano] = [true, false];
    else if (magic === PCAP_US_BE) [le, nano] = [false, false];
    else if (magic === PCAP_NS_LE) [le, nano] = [true, true];
    else if (magic === PCAP_NS_BE) [le, nano] = [false, true];
    else {
      const hex = buf.subarray(pos, pos + 4).toString('hex');
      this.report('CAPTURE_UNKNOWN_FORMAT', base + pos, true, `the file starts with bytes ${hex}, which is neither a pcap nor a pcapng magic number: it is not a capture file (or it is compressed; decompress it first)`);
      this.state = State.Stopped;
      return end;
    }
    this.fmt = 'pcap';
    if (end - pos < 24) {
      this.need = 24;
      return -pos - 1;
    }
    // draft-ietf-opsawg-pcap §4: magic, major, minor, reserved1, reserved2, SnapLen, LinkType+FCS.
    this.le = le;
    this.pcapNano = nano;
    const snaplen = le ? buf.readUInt32LE(pos + 16) : buf.readUInt32BE(pos + 16);
    const ltField = le ? buf.readUInt32LE(pos + 20) : buf.readUInt32BE(pos + 20);
    // §4: the low 16 bits are the link type; the upper bits carry the FCS length and reserved bits.
    const linkType = ltField & 0xffff;
    const tsDigits = nano ? 9 : 6;
    const info: CaptureInterface = { id: 0, section: 0, localId: 0, linkType, snaplen, tsDigits, nanosecond: nano };
    this.ifaceList.push(info);
    this.pcapIface = makeIface(info, false, nano ? 9 : 6, 0);
    this.state = State.PcapRecords;
    return pos + 24;
  }

  // ---------------------------------------------------------------------------------------------
  // pcap

  /** Hot loop over pcap records (draft-ietf-opsawg-pcap §5): ts_sec, ts_frac, caplen, origlen. */
  private parsePcap(buf: Buffer, pos: number, end: number, base: number, emit: (p: RawPacket) => void): number {
    const iface = this.pcapIface!;
    const le = this.le;
    const nsMul = this.pcapNano ? 1 : 1000;
    const snaplen = iface.snaplen;
    const max = this.maxPacketBytes;
    const linkType = iface.linkType;
    const tsDigits = iface.tsDigits;
    while (end - pos >= 16) {
      let caplen: number;
      let sec: number;
      let frac: number;
      let origLen: number;
      if (le) {
        sec = buf.readUInt32LE(pos);
        frac = buf.readUInt32LE(pos + 4);
        caplen = buf.readUInt32LE(pos + 8);
        origLen = buf.readUInt32LE(pos + 12);
      } else {
        sec = buf.readUInt32BE(pos);
        frac = buf.readUInt32BE(pos + 4);
        caplen = buf.readUInt32BE(pos + 8);
        origLen = buf.readUInt32BE(pos + 12);
      }
      if (caplen > snaplen && snaplen !== 0) {
        if (caplen > max) return this.pcapAbsurd(pos, end, base, caplen);
        if (!this.warnedSnaplen) this.warnSnaplen(base + pos, caplen, snaplen);
      } else if (caplen > max) {
        return this.pcapAbsurd(pos, end, base, caplen);
      }
      const recEnd = pos + 16 + caplen;
      if (recEnd > end) {
        this.need = 16 + caplen;
        return pos;
      }
      let nsec = frac * nsMul;
      if (nsec >= 1e9) {
        // Out-of-range fraction (corrupt record): carry into the seconds so tsNsec stays < 1e9.
        sec += Math.floor(nsec / 1e9);
        nsec %= 1e9;
      }
      emit({
        frame: ++this.packetCount,
        offset: base + pos,
        interfaceId: 0,
        linkType,
        tsSec: sec,
        tsNsec: nsec,
        tsDigits,
        origLen,
        data: buf.subarray(pos + 16, recEnd),
      });
      pos = recEnd;
    }
    this.need = 16;
    return pos;
  }

  /** A pcap record length beyond any sane size: pcap has no sync marker, so reading must stop. */
  private pcapAbsurd(pos: number, end: number, base: number, caplen: number): number {
    const kept = this.packetCount;
    this.report(
      'CAPTURE_CAPLEN_TOO_LARGE',
      base + pos,
      true,
      `packet ${kept + 1} at byte ${base + pos} claims ${caplen} captured bytes, more than the ${this.maxPacketBytes}-byte limit: the file is corrupt from here on and pcap offers no way to resynchronise, so reading stopped; the ${kept} packets before it were kept`,
    );
    this.state = State.Stopped;
    return end;
  }

  private warnSnaplen(offset: number, caplen: number, snaplen: number): void {
    this.warnedSnaplen = true;
    this.report(
      'CAPTURE_CAPLEN_TOO_LARGE',
      offset,
      false,
      `packet ${this.packetCount + 1} at byte ${offset} has ${caplen} captured bytes, more than the snapshot length ${snaplen} in the header: the packet was kept as Wireshark does (reported once per file; later packets may do the same)`,
    );
  }

  // ---------------------------------------------------------------------------------------------
  // pcapng

  /**
   * Parse pcapng blocks (draft-ietf-opsawg-pcapng §3.1: Block Type, Block Total Length, Body,
   * Block Total Length). Returns the new position, or `-pos-1` when more bytes are needed.
   */
  private parsePcapng(buf: Buffer, pos: number, end: number, base: number, emit: (p: RawPacket) => void): number {
    const maxBlock = this.maxPacketBytes + BLOCK_SLACK;
    for (;;) {
      const avail = end - pos;
      if (avail < 8) {
        this.need = 8;
        return -pos - 1;
      }
      const le = this.le;
      let type = le ? buf.readUInt32LE(pos) : buf.readUInt32BE(pos);
      let len: number;
      if (type === SHB_TYPE) {
        // §4.1: the SHB's own byte-order magic decides how to read its length.
        if (avail < 12) {
          this.need = 12;
          return -pos - 1;
        }
        const bom = buf.readUInt32LE(pos + 8);
        if (bom === BOM) this.le = true;
        else if (bom === BOM_SWAPPED) this.le = false;
        else {
          this.startResync(base + pos, `the section header at byte ${base + pos} has an invalid byte-order magic 0x${bom.toString(16).padStart(8, '0')}`);
          return pos + 1;
        }
        len = this.le ? buf.readUInt32LE(pos + 4) : buf.readUInt32BE(pos + 4);
        if (len < 28 || len % 4 !== 0 || len > maxBlock) {
          this.startResync(base + pos, `the section header at byte ${base + pos} has an invalid length ${len}`);
          return pos + 1;
        }
        type = SHB_TYPE;
      } else {
        len = le ? buf.readUInt32LE(pos + 4) : buf.readUInt32BE(pos + 4);
        if (len < 12 || len % 4 !== 0 || len > maxBlock) {
          const why = len < 12 ? 'shorter than the 12-byte minimum' : len % 4 !== 0 ? 'not a multiple of 4' : `larger than the ${maxBlock}-byte limit`;
          this.startResync(base + pos, `the block at byte ${base + pos} (type ${type}) has length ${len}, ${why}`);
          return pos + 1;
        }
      }
      if (avail < len) {
        this.need = len;
        return -pos - 1;
      }
      const trailer = this.le ? buf.readUInt32LE(pos + len - 4) : buf.readUInt32BE(pos + len - 4);
      if (trailer !== len) {
        this.startResync(base + pos, `the block at byte ${base + pos} (type ${type}) says it is ${len} bytes long but its trailing length field says ${trailer}`);
        return pos + 1;
      }
      switch (type) {
        case BT_EPB:
          this.readEpb(buf, pos, len, base, emit, false);
          break;
        case BT_SPB:
          this.readSpb(buf, pos, len, base, emit);
          break;
        case BT_OPB:
          this.readEpb(buf, pos, len, base, emit, true);
          break;
        case BT_IDB:
          if (!this.readIdb(buf, pos, len, base)) return pos + 1;
          break;
        case SHB_TYPE:
          if (!this.readShb(buf, pos, base)) return pos + 1;
          break;
        default:
          // NRB (4), ISB (5), DSB, custom blocks (0x00000BAD, 0x40000BAD), unknown: skipped whole
          // (§3.1: "a reader can skip a block it does not understand thanks to its length").
          break;
      }
      pos += len;
    }
  }

  /**
   * EPB (§4.3): interface id(4), ts high(4), ts low(4), captured len(4), original len(4), data.
   * OPB (obsolete Packet Block, Appendix A): interface id(2), drops count(2), then the same.
   */
  private readEpb(buf: Buffer, pos: number, len: number, base: number, emit: (p: RawPacket) => void, obsolete: boolean): void {
    const offset = base + pos;
    if (len < 32) {
      this.report('CAPTURE_BAD_BLOCK_LENGTH', offset, false, `the packet block at byte ${offset} is ${len} bytes long, too short for its 32-byte fixed part: it was skipped`);
      return;
    }
    let ifId: number;
    let hi: number;
    let lo: number;
    let caplen: number;
    let origLen: number;
    if (this.le) {
      ifId = obsolete ? buf.readUInt16LE(pos + 8) : buf.readUInt32LE(pos + 8);
      hi = buf.readUInt32LE(pos + 12);
      lo = buf.readUInt32LE(pos + 16);
      caplen = buf.readUInt32LE(pos + 20);
      origLen = buf.readUInt32LE(pos + 24);
    } else {
      ifId = obsolete ? buf.readUInt16BE(pos + 8) : buf.readUInt32BE(pos + 8);
      hi = buf.readUInt32BE(pos + 12);
      lo = buf.readUInt32BE(pos + 16);
      caplen = buf.readUInt32BE(pos + 20);
      origLen = buf.readUInt32BE(pos + 24);
    }
    if (caplen > len - 32 || caplen > this.maxPacketBytes) {
      this.report(
        'CAPTURE_BAD_BLOCK_LENGTH',
        offset,
        false,
        caplen > len - 32
          ? `packet ${this.packetCount + 1} at byte ${offset} claims ${caplen} captured bytes but its block holds only ${len - 32}: the block is damaged, the packet was skipped and reading went on with the next block`
          : `packet ${this.packetCount + 1} at byte ${offset} claims ${caplen} captured bytes, more than the ${this.maxPacketBytes}-byte limit: the packet was skipped and reading went on with the next block`,
      );
      return;
    }
    const iface = this.sectionIfaces[ifId];
    if (iface === undefined) {
      this.unknownIface(offset, ifId);
      return;
    }
    if (caplen > iface.snaplen && iface.snaplen !== 0 && !this.warnedSnaplen) this.warnSnaplen(offset, caplen, iface.snaplen);
    this.convertTs(iface, hi, lo);
    emit({
      frame: ++this.packetCount,
      offset,
      interfaceId: iface.id,
      linkType: iface.linkType,
      tsSec: this.tsSec,
      tsNsec: this.tsNsec,
      tsDigits: iface.tsDigits,
      origLen,
      data: buf.subarray(pos + 28, pos + 28 + caplen),
    });
  }

  /**
   * SPB (§4.4): original length(4) then data. It belongs to interface 0 of the section, has no
   * timestamp, and its captured length is min(original length, snaplen, what fits in the block).
   */
  private readSpb(buf: Buffer, pos: number, len: number, base: number, emit: (p: RawPacket) => void): void {
    const offset = base + pos;
    if (len < 16) {
      this.report('CAPTURE_BAD_BLOCK_LENGTH', offset, false, `the simple packet block at byte ${offset} is ${len} bytes long, too short for its 16-byte fixed part: it was skipped`);
      return;
    }
    const iface = this.sectionIfaces[0];
    if (iface === undefined) {
      this.unknownIface(offset, 0);
      return;
    }
    const origLen = this.le ? buf.readUInt32LE(pos + 8) : buf.readUInt32BE(pos + 8);
    let caplen = origLen;
    if (iface.snaplen !== 0 && caplen > iface.snaplen) caplen = iface.snaplen;
    if (caplen > len - 16) caplen = len - 16;
    emit({
      frame: ++this.packetCount,
      offset,
      interfaceId: iface.id,
      linkType: iface.linkType,
      tsSec: 0,
      tsNsec: 0,
      tsDigits: iface.tsDigits,
      origLen,
      data: buf.subarray(pos + 12, pos + 12 + caplen),
    });
  }

  private unknownIface(offset: number, ifId: number): void {
    const key = `${this.section}:${ifId}`;
    if (this.warnedUnknownIface.has(key)) return;
    this.warnedUnknownIface.add(key);
    this.report(
      'CAPTURE_UNKNOWN_INTERFACE',
      offset,
      false,
      `the packet block at byte ${offset} refers to interface ${ifId} of section ${this.section}, which has no interface description block: such packets are skipped (reported once per interface) and reading goes on`,
    );
  }

  /** SHB (§4.1): starts a new section; interface ids restart at 0. Returns false on a bad SHB. */
  private readShb(buf: Buffer, pos: number, base: number): boolean {
    const major = this.le ? buf.readUInt16LE(pos + 12) : buf.readUInt16BE(pos + 12);
    if (major !== 1) {
      this.startResync(base + pos, `the section header at byte ${base + pos} has unsupported major version ${major} (only 1 exists)`);
      return false;
    }
    this.section++;
    this.sectionIfaces = [];
    this.flushResync(base + pos);
    return true;
  }

  /**
   * IDB (§4.2): link type(2), reserved(2), snaplen(4), options. Options used here: if_name (2),
   * if_description (3), if_tsresol (9) and if_tsoffset (14); others are skipped.
   */
  private readIdb(buf: Buffer, pos: number, len: number, base: number): boolean {
    if (len < 20) {
      this.startResync(base + pos, `the interface description block at byte ${base + pos} is ${len} bytes long, shorter than its 20-byte minimum`);
      return false;
    }
    const le = this.le;
    const linkType = le ? buf.readUInt16LE(pos + 8) : buf.readUInt16BE(pos + 8);
    const snaplen = le ? buf.readUInt32LE(pos + 12) : buf.readUInt32BE(pos + 12);
    let name: string | undefined;
    let description: string | undefined;
    let tsresol = 6; // default: microseconds (§4.2, if_tsresol)
    let offsetSec = 0;
    // Options (§3.5): code(2), length(2), value padded to 32 bits; opt_endofopt (0) ends the list.
    let o = pos + 16;
    const optEnd = pos + len - 4;
    while (optEnd - o >= 4) {
      const code = le ? buf.readUInt16LE(o) : buf.readUInt16BE(o);
      const olen = le ? buf.readUInt16LE(o + 2) : buf.readUInt16BE(o + 2);
      if (code === 0) break;
      const v = o + 4;
      if (v + olen > optEnd) break; // option overruns the block: ignore the rest
      if (code === 2) name = stripNul(buf.toString('utf8', v, v + olen));
      else if (code === 3) description = stripNul(buf.toString('utf8', v, v + olen));
      else if (code === 9 && olen >= 1) tsresol = buf[v];
      else if (code === 14 && olen >= 8) offsetSec = Number(le ? buf.readBigInt64LE(v) : buf.readBigInt64BE(v));
      o = v + ((olen + 3) & ~3);
    }
    // if_tsresol: high bit clear → 10^-v seconds, set → 2^-(v & 0x7f) seconds.
    const pow2 = (tsresol & 0x80) !== 0;
    const exp = tsresol & 0x7f;
    const tsDigits = pow2 ? 9 : Math.min(exp, 9);
    const nanosecond = pow2 || exp >= 9;
    const localId = this.sectionIfaces.length;
    const info: CaptureInterface = {
      id: this.ifaceList.length,
      section: this.section,
      localId,
      linkType,
      snaplen,
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
      tsDigits,
      nanosecond,
    };
    this.ifaceList.push(info);
    this.sectionIfaces.push(makeIface(info, pow2, exp, offsetSec));
    return true;
  }

  /**
   * Split a 64-bit count of units since the epoch (high and low 32-bit halves) into integer
   * seconds and nanoseconds, exactly, into `this.tsSec`/`this.tsNsec`.
   *
   * Fast path (units per second U <= 2^30): the double `hi*2^32+lo` is off by at most 2^10 units
   * and the division adds at most 2^11/U, so `floor(ts/U)` is off by at most one second for
   * U >= 2^12 (two for coarser units; below 2^11 units/s the path is only taken when ts < 2^53, where
   * it is exact). The exact remainder is then computed modulo 2^32 from the low halves
   * (`lo - sec*U`, Math.imul giving the low 32 bits of sec*U exactly); it lies well inside int32, so
   * the correction loops make it exact. The nanoseconds are
   * floor(rem * 1e9 / U), evaluated as rem * nsMul / nsDiv with every intermediate below 2^53.
   * Other resolutions (finer than 2^-30 s, or huge values at coarse resolutions) use BigInt.
   */
  private convertTs(iface: IfaceState, hi: number, lo: number): void {
    const U = iface.unitsPerSec;
    const tsd = hi * TWO_32 + lo;
    if (iface.fast && (U >= 2048 || tsd < TWO_53)) {
      let sec = Math.floor(tsd / U);
      let rem = (lo - Math.imul(sec, U)) | 0;
      while (rem < 0) {
        rem += U;
        sec -= 1;
      }
      while (rem >= U) {
        rem -= U;
        sec += 1;
      }
      this.tsSec = sec + iface.offsetSec;
      this.tsNsec = iface.nsDiv === 1 ? rem * iface.nsMul : Math.floor((rem * iface.nsMul) / iface.nsDiv);
      return;
    }
    const ts = (BigInt(hi) << 32n) | BigInt(lo);
    const ub = iface.unitsBig;
    const rem = ts % ub;
    this.tsSec = Number(ts / ub) + iface.offsetSec;
    this.tsNsec = Number((rem * 1000000000n) / ub);
  }

  // ---------------------------------------------------------------------------------------------
  // Resynchronisation after a broken section

  /** Section is unreadable from `offset`: scan forward (from offset+1) for the next SHB. */
  private startResync(offset: number, reason: string): void {
    if (this.resyncFrom === undefined) this.resyncFrom = { offset, frame: this.packetCount + 1, reason };
    this.state = State.Resync;
  }

  /** Report the pending CAPTURE_BAD_SECTION once the outcome of the scan is known. */
  private flushResync(resumeAt: number | undefined): void {
    const r = this.resyncFrom;
    if (r === undefined) return;
    this.resyncFrom = undefined;
    const kept = this.packetCount;
    const tail =
      resumeAt === undefined
        ? `no later section header was found, so the rest of the file was ignored; the ${kept} packets before it were kept`
        : `the bytes up to the next section header at byte ${resumeAt} were skipped and reading resumed there`;
    this.problemList.push({ code: 'CAPTURE_BAD_SECTION', message: `${r.reason}: the file is damaged; ${tail}`, file: this.file, offset: r.offset, frame: r.frame, fatal: true });
  }

  /**
   * Look for 0x0A0D0D0A followed (at +8) by a valid byte-order magic: the start of a section
   * (§4.1). On a hit, go back to block parsing there (the SHB is then validated normally).
   */
  private resync(buf: Buffer, pos: number, end: number): number {
    for (;;) {
      const i = buf.indexOf(SHB_MAGIC_BYTES, pos);
      if (i < 0) {
        // Keep the last 3 bytes: a magic may straddle the chunk boundary.
        const keep = Math.max(pos, end - 3);
        if (keep >= end) return end;
        this.need = 12;
        return -keep - 1;
      }
      if (end - i < 12) {
        this.need = 12;
        return -i - 1;
      }
      const bom = buf.readUInt32LE(i + 8);
      if (bom === BOM || bom === BOM_SWAPPED) {
        this.state = State.PcapngBlocks;
        return i;
      }
      pos = i + 1;
    }
  }

  // ---------------------------------------------------------------------------------------------

  private report(code: CaptureProblemCode, offset: number, fatal: boolean, message: string): void {
    if (code === 'CAPTURE_BAD_BLOCK_LENGTH') {
      // Per-packet damage: report the first one only, so a badly damaged file does not produce
      // one problem per packet.
      if (this.warnedBadPacketBlock) return;
      this.warnedBadPacketBlock = true;
      message += ' (reported once per file; later damaged packet blocks are skipped the same way)';
    }
    this.problemList.push({ code, message, file: this.file, offset, frame: this.packetCount + 1, fatal });
  }
}

function stripNul(s: string): string {
  const i = s.indexOf('\0');
  return i < 0 ? s : s.slice(0, i);
}

/** Precompute the timestamp conversion of an interface (see CaptureParser.convertTs). */
function makeIface(info: CaptureInterface, pow2: boolean, exp: number, offsetSec: number): IfaceState {
  const unitsPerSec = pow2 ? 2 ** exp : 10 ** exp;
  let nsMul = 1;
  let nsDiv = 1;
  let fast = unitsPerSec <= 1073741824;
  if (!pow2) {
    if (unitsPerSec <= 1e9) nsMul = 1e9 / unitsPerSec;
    else fast = false;
  } else if (exp >= 9) {
    // 1e9 / 2^n = 1953125 / 2^(n-9): rem < 2^30 so rem * 1953125 < 2^51 is exact.
    nsMul = 1953125;
    nsDiv = 2 ** (exp - 9);
  } else {
    nsMul = 1e9;
    nsDiv = 2 ** exp;
  }
  return {
    info,
    id: info.id,
    linkType: info.linkType,
    snaplen: info.snaplen,
    tsDigits: info.tsDigits,
    unitsPerSec,
    fast,
    nsMul,
    nsDiv,
    unitsBig: pow2 ? 1n << BigInt(exp) : 10n ** BigInt(exp),
    offsetSec: Number.isFinite(offsetSec) ? offsetSec : 0,
  };
}

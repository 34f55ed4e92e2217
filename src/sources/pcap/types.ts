/**
 * Contracts of the capture readers (pcap and pcapng).
 *
 * A reader turns a byte stream into {@link RawPacket}s in file order. It never throws on bad
 * input: problems are reported as {@link CaptureProblem}s and every packet before the fault is kept.
 */

/** Container format, detected by magic number (never by file name). */
export type CaptureFormat = 'pcap' | 'pcapng';

/** One capture interface: a pcap file has exactly one, a pcapng file one per Interface Description Block. */
export interface CaptureInterface {
  /**
   * Global interface index within the file, counting IDBs across all sections in order
   * (section 0's interfaces first). Equals tshark's `frame.interface_id`.
   */
  readonly id: number;
  /** 0-based index of the pcapng section (always 0 for pcap). */
  readonly section: number;
  /** Interface id as written in the file, i.e. local to its section. */
  readonly localId: number;
  /** LINKTYPE_* value (tcpdump.org/linktypes.html), e.g. 1 = Ethernet. */
  readonly linkType: number;
  /** Snapshot length (0 = unlimited in pcapng). */
  readonly snaplen: number;
  /** `if_name` option, when present. */
  readonly name?: string;
  /** `if_description` option, when present. */
  readonly description?: string;
  /**
   * Number of fractional-second digits the timestamps carry: 6 for µs, 9 for ns (and for any
   * power-of-two resolution, which is converted to ns), 3 for ms, etc. Used to print `@timestamp`
   * with the file's full precision and no more.
   */
  readonly tsDigits: number;
  /** True when the file stored nanosecond (or finer/power-of-two) timestamps. */
  readonly nanosecond: boolean;
}

/**
 * One packet record. `data` is a view into the reader's chunk buffer: it stays valid (the reader
 * never overwrites a chunk) but it keeps the whole chunk alive, so copy it if you retain it long.
 */
export interface RawPacket {
  /** 1-based position among the file's packets (EPB, SPB, OPB and pcap records all count). */
  readonly frame: number;
  /** Byte offset of the record (pcap record header or pcapng block start) in the file. */
  readonly offset: number;
  /** Global interface index (see {@link CaptureInterface.id}). */
  readonly interfaceId: number;
  /** LINKTYPE_* of the packet's interface. */
  readonly linkType: number;
  /** Seconds since the Unix epoch (UTC), integer. */
  readonly tsSec: number;
  /** Fraction of the second in nanoseconds, 0..999,999,999. */
  readonly tsNsec: number;
  /** Fractional digits of the interface's resolution (see {@link CaptureInterface.tsDigits}). */
  readonly tsDigits: number;
  /** Length on the wire (may exceed `data.length` when the capture was truncated by snaplen). */
  readonly origLen: number;
  /** Captured bytes. */
  readonly data: Buffer;
}

/** Stable problem codes of the readers. */
export type CaptureProblemCode =
  | 'CAPTURE_EMPTY' // zero bytes, or a header only shorter than a header
  | 'CAPTURE_UNKNOWN_FORMAT' // magic number is neither pcap nor pcapng
  | 'CAPTURE_TRUNCATED_HEADER' // file shorter than its global header / SHB
  | 'CAPTURE_TRUNCATED_RECORD' // file ends inside a record or block
  | 'CAPTURE_CAPLEN_TOO_LARGE' // captured length larger than the record, the snaplen or any sane size
  | 'CAPTURE_BAD_BLOCK_LENGTH' // pcapng block length absurd, unaligned or trailer mismatch
  | 'CAPTURE_BAD_SECTION' // pcapng section header unreadable; reading resumes at the next SHB if any
  | 'CAPTURE_UNKNOWN_INTERFACE' // pcapng packet refers to an interface id with no IDB
  | 'CAPTURE_UNSUPPORTED_LINK_TYPE'; // link type sluice has no decoder for (packets are still stored)

/** A problem found while reading. Reported once per occurrence, with where it happened. */
export interface CaptureProblem {
  readonly code: CaptureProblemCode;
  /** A sentence for the user, including what to do when there is something to do. */
  readonly message: string;
  /** File path (set by the file reader; empty for in-memory parsing). */
  readonly file: string;
  /** Byte offset in the file where the fault starts. */
  readonly offset: number;
  /** The 1-based number of the packet being read when the fault happened (last good frame + 1). */
  readonly frame: number;
  /** True when reading stopped (or skipped to the next section) because of it. */
  readonly fatal: boolean;
}

/**
 * Decode → enrich → serialize for the packets of one capture: the synchronous hot path shared by
 * `sluice ingest` and the benchmarks.
 */
import { decodePacket, isSupportedLinkType, linkTypeName } from '../decoders/decode-packet.js';
import { CommunityIdCache } from '../enrichers/community-id/community-id.js';
import type { CaptureProblem, RawPacket } from '../sources/pcap/types.js';
import type { JsonBytes } from './json-bytes.js';
import { PacketDocumentWriter, type CaptureContext, type PacketDocumentOptions } from './packet-document.js';

/** Turns raw packets of one capture into ECS JSON documents. */
export class PacketProcessor {
  private readonly writer: PacketDocumentWriter;
  private readonly communityIds: CommunityIdCache;
  private readonly seenLinkTypes = new Set<number>();
  /** One problem per unsupported link type met (the packets are still stored, without network fields). */
  readonly problems: CaptureProblem[] = [];
  /** Packets whose decoding met a malformed layer (their documents carry `error.message`). */
  decodeErrors = 0;

  /**
   * @param observeOwn true when every packet passes through {@link see} on this processor in file
   *   order (the thread that reads); false in a decode worker, which is told the source date.
   */
  constructor(readonly capture: CaptureContext, communityIds?: CommunityIdCache, observeOwn = true, options: PacketDocumentOptions = {}) {
    this.writer = new PacketDocumentWriter(capture, observeOwn, options);
    this.communityIds = communityIds ?? new CommunityIdCache();
  }

  /**
   * Notes a packet read from the capture, in file order, whether or not it is decoded here:
   * unsupported link types (reported once) and the capture's source date.
   */
  see(p: RawPacket): void {
    if (!this.seenLinkTypes.has(p.linkType)) this.noteLinkType(p);
    this.writer.observe(p);
  }

  /** The source date seen so far, to hand to decode workers. */
  get sourceDate(): { date: string; fromFrame: number } | undefined {
    return this.writer.sourceDateInfo;
  }

  /** Sets the source date observed by the reading thread. */
  setSourceDate(info: { date: string; fromFrame: number } | undefined): void {
    if (info !== undefined) this.writer.setSourceDate(info.date, info.fromFrame);
  }

  /** The constant end of every document of this capture (see {@link PacketDocumentWriter.tail}). */
  get tail(): Uint8Array {
    return this.writer.tail;
  }

  /** Completes the document just written to `out` by {@link process} with the capture's {@link tail}. */
  completeLast(out: JsonBytes): void {
    this.writer.writeTail(out);
  }

  /** Appends the ECS JSON document of `p` to `out` as the store keeps it: without the capture's {@link tail}. */
  process(p: RawPacket, out: JsonBytes): void {
    const d = decodePacket(p.linkType, p.data, p.origLen);
    if (d.errors !== undefined) this.decodeErrors++;
    const cid = d.addrLength !== 0 ? this.communityIds.get(d, p.data) : undefined;
    this.writer.write(out, p, d, cid);
  }

  private noteLinkType(p: RawPacket): void {
    this.seenLinkTypes.add(p.linkType);
    if (isSupportedLinkType(p.linkType)) return;
    this.problems.push({
      code: 'CAPTURE_UNSUPPORTED_LINK_TYPE',
      message: `link type ${p.linkType} (${linkTypeName(p.linkType)}) is not decoded by sluice: its packets are stored with their raw bytes and timestamps (searchable by time and capture, exportable) but without network fields`,
      file: this.capture.path,
      offset: p.offset,
      frame: p.frame,
      fatal: false,
    });
  }
}

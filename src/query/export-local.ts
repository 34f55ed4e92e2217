/**
 * `sluice pcap`: the packets matching a query, streamed from the embedded store into a pcap or
 * pcapng file in time order, with their original bytes, lengths, timestamps and link types.
 *
 * pcap holds one link type: the export takes it from the first match and stops with a clear error
 * if a later match has another (use pcapng). pcapng gets one interface block per original
 * (capture, interface), written before its first packet, with the original's name, description,
 * snapshot length and timestamp resolution. Timestamps are never rounded: a pcap export is in
 * nanoseconds when any capture it may draw from has nanosecond (or finer) timestamps.
 */
import { SluiceError } from '../errors.js';
import type { LocalStore } from '../sinks/local/local-store.js';
import { CaptureFileWriter, DEFAULT_EXPORT_SNAPLEN } from './export/pcap-writer.js';
import { loadCaptures, matchingCaptures, queryLocal, type CaptureInfo, type LocalQuery } from './query-local.js';

/** Options of {@link exportLocal}. */
export interface ExportOptions {
  readonly format: 'pcap' | 'pcapng';
  /** End the stream when done (false for stdout). Default true. */
  readonly end?: boolean;
}

/** What an export wrote. */
export interface ExportSummary {
  readonly packets: number;
  readonly bytes: number;
  readonly format: 'pcap' | 'pcapng';
  readonly nanosecond: boolean;
  /** Output interfaces (pcapng) or 1 (pcap). */
  readonly interfaces: number;
  readonly linkTypes: number[];
}

/** Streams the matches of `query` into `out` as a capture file. */
export async function exportLocal(store: LocalStore, query: LocalQuery, out: NodeJS.WritableStream, options: ExportOptions): Promise<ExportSummary> {
  const captures = loadCaptures(store);
  const nanosecond = needsNanoseconds(store, captures, query);
  let writer: CaptureFileWriter | undefined;
  const linkTypes = new Set<number>();
  const ifaceIds = new Map<string, number>();
  let packets = 0;
  let bytes = 0;
  // pcap: the header takes the link type and snapshot length of the first match's interface, so
  // exporting a whole single-interface capture gives back the same file, byte for byte.
  const open = (linkType: number, snaplen: number | undefined) =>
    CaptureFileWriter.open(out, { format: options.format, nanosecond, linkType, snaplen: snaplen || DEFAULT_EXPORT_SNAPLEN, end: options.end });

  for (const r of queryLocal(store, query, 'data')) {
    if (writer === undefined) writer = open(r.linkType, captures.get(r.capture)?.interfaces.find((i) => i.id === r.iface)?.snaplen);
    if (options.format === 'pcap' && !linkTypes.has(r.linkType) && linkTypes.size > 0) {
      throw new SluiceError(
        'SLUICE_USAGE',
        `the matching packets mix link types (${[...linkTypes].join(', ')} and ${r.linkType}, e.g. frame ${r.frame} of ${captures.get(r.capture)?.path}); a pcap file holds one link type: export to a .pcapng file, or narrow the query (pcap.link_type: ${[...linkTypes][0]})`,
      );
    }
    linkTypes.add(r.linkType);
    const key = r.capture + ':' + r.iface;
    let id = ifaceIds.get(key);
    if (id === undefined) {
      const iface = captures.get(r.capture)?.interfaces.find((i) => i.id === r.iface);
      id = writer.addInterface(key, {
        linkType: r.linkType,
        snaplen: iface?.snaplen ?? 0,
        name: iface?.name,
        description: iface?.description,
        nanosecond: iface === undefined ? nanosecond : iface.nanosecond || r.tsNsec % 1000 !== 0,
      });
      ifaceIds.set(key, id);
    }
    const w = writer.write(id, r.tsSec, r.tsNsec, r.origLen, r.payload);
    if (w !== true) await w;
    packets++;
    bytes += r.payload.length;
  }
  if (writer === undefined) {
    // No match: still a valid (empty) capture file.
    const first = [...captures.values()][0]?.interfaces[0];
    writer = open(first?.linkType ?? 1, first?.snaplen);
  }
  await writer.close();
  return { packets, bytes, format: options.format, nanosecond, interfaces: ifaceIds.size, linkTypes: [...linkTypes] };
}

/**
 * Whether the matches need nanosecond timestamps: when any capture they come from has nanosecond
 * (or finer) timestamps. When the store's captures are all alike the answer needs no query; when
 * they mix, one pass over the matching capture numbers decides.
 */
function needsNanoseconds(store: LocalStore, captures: Map<number, CaptureInfo>, query: LocalQuery): boolean {
  const nano = new Set<number>();
  for (const c of captures.values()) if (c.interfaces.some((i) => i.nanosecond)) nano.add(c.id);
  if (nano.size === 0) return false;
  if (nano.size === captures.size) return true;
  for (const id of matchingCaptures(store, query)) if (nano.has(id)) return true;
  return false;
}

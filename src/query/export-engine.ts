/**
 * `sluice pcap --es-url …`: the packets matching a query, read back from Elasticsearch /
 * OpenSearch (documents carry the captured bytes in `packet.raw`), in time order, into a pcap or
 * pcapng file — the same export as from the embedded store.
 *
 * Timestamp resolution comes from each document's `sniff_timestamp`, which keeps the source
 * interface's digits: 9 → nanoseconds, else microseconds (a pcap file takes the first match's).
 */
import { SluiceError } from '../errors.js';
import type { EngineClient } from '../sinks/elasticsearch/http/engine-client.js';
import type { EngineInfo } from '../sinks/elasticsearch/http/engine-info.js';
import { CaptureFileWriter, DEFAULT_EXPORT_SNAPLEN } from './export/pcap-writer.js';
import type { ExportOptions, ExportSummary } from './export-local.js';
import { searchEngine, type EngineQuery } from './query-engine.js';

/** Splits an ISO time (`…T22:13:20.123456789Z`) into epoch seconds and nanoseconds, exactly. */
export function isoToSecNsec(iso: string): [number, number] {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(iso);
  if (!m) throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', `a document has an @timestamp sluice did not write: ${iso}`);
  return [Math.floor(Date.parse(m[1] + 'Z') / 1000), Number((m[2] ?? '').padEnd(9, '0'))];
}

/** Streams the engine's matches of `query` into `out`. */
export async function exportEngine(client: EngineClient, engine: EngineInfo, query: EngineQuery, out: NodeJS.WritableStream, options: ExportOptions): Promise<ExportSummary> {
  let writer: CaptureFileWriter | undefined;
  let nanosecond = false;
  const linkTypes = new Set<number>();
  const ifaceIds = new Map<string, number>();
  let packets = 0;
  let bytes = 0;
  for await (const hit of searchEngine(client, engine, query)) {
    const src = hit.source as {
      '@timestamp': string; sniff_timestamp?: string;
      packet?: { raw?: string; length?: number };
      pcap?: { link_type?: number; interface?: number; capture_id?: string; frame?: number };
    };
    const raw = src.packet?.raw;
    const linkType = src.pcap?.link_type;
    if (raw === undefined || linkType === undefined) {
      throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', `document ${hit.id} in ${hit.index} has no packet.raw (not written by sluice ingest --to elasticsearch): it cannot be exported as a packet`);
    }
    const data = Buffer.from(raw, 'base64');
    const [sec, nsec] = isoToSecNsec(src['@timestamp']);
    const ns = (src.sniff_timestamp?.split('.')[1]?.length ?? 6) > 6;
    if (writer === undefined) {
      nanosecond = ns || nsec % 1000 !== 0;
      writer = CaptureFileWriter.open(out, { format: options.format, nanosecond, linkType, snaplen: DEFAULT_EXPORT_SNAPLEN, end: options.end });
    }
    if (options.format === 'pcap' && linkTypes.size > 0 && !linkTypes.has(linkType)) {
      throw new SluiceError('SLUICE_USAGE', `the matching packets mix link types (${[...linkTypes].join(', ')} and ${linkType}); a pcap file holds one link type: export to a .pcapng file`);
    }
    linkTypes.add(linkType);
    const key = `${src.pcap?.capture_id}:${src.pcap?.interface ?? 0}`;
    let id = ifaceIds.get(key);
    if (id === undefined) {
      id = writer.addInterface(key, { linkType, snaplen: 0, nanosecond: ns || nsec % 1000 !== 0 });
      ifaceIds.set(key, id);
    }
    const w = writer.write(id, sec, nsec, src.packet?.length ?? data.length, data);
    if (w !== true) await w;
    packets++;
    bytes += data.length;
  }
  writer ??= CaptureFileWriter.open(out, { format: options.format, nanosecond: false, linkType: 1, snaplen: DEFAULT_EXPORT_SNAPLEN, end: options.end });
  await writer.close();
  return { packets, bytes, format: options.format, nanosecond, interfaces: ifaceIds.size, linkTypes: [...linkTypes] };
}

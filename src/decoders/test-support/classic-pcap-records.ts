import { readFileSync } from 'node:fs';

/** One record of a classic pcap file. */
export interface PcapRecord {
  /** 1-based frame number, as tshark counts. */
  frame: number;
  data: Buffer;
  origLen: number;
}

/** A classic pcap file read whole: its link type and records. */
export interface ClassicPcap {
  linkType: number;
  records: PcapRecord[];
}

/**
 * Minimal classic-pcap walker for tests only (µs and ns magic, either byte order); undefined for
 * anything else (pcapng). It stops quietly at a truncated record. The real streaming reader lives
 * in src/sources/pcap.
 */
export function readClassicPcap(path: string): ClassicPcap | undefined {
  const buf = readFileSync(path);
  if (buf.length < 24) return undefined;
  const magic = buf.readUInt32LE(0);
  let le: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) le = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) le = false;
  else return undefined;
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = u32(20) & 0x0fffffff;
  const records: PcapRecord[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const incl = u32(off + 8);
    const orig = u32(off + 12);
    if (off + 16 + incl > buf.length) break;
    records.push({ frame: records.length + 1, data: buf.subarray(off + 16, off + 16 + incl), origLen: orig });
    off += 16 + incl;
  }
  return { linkType, records };
}

/**
 * Shared helpers of the fuzz suites (not a test file itself): seed / run-count settings from the
 * environment, corpus loading, and the invariants every decoded + serialized packet must satisfy.
 *
 * SLUICE_FUZZ_RUNS  numRuns per property (default given by each suite, usually 300).
 * SLUICE_FUZZ_SEED  fast-check seed: a number, or 'random' (→ Date.now(), printed). Default 42.
 *                   fast-check's failure report repeats the seed and the counterexample path.
 */

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { decodePacket } from '../../src/decoders/decode-packet.js';
import type { DecodedPacket } from '../../src/decoders/decoded-packet.js';
import { CommunityIdCache, communityId } from '../../src/enrichers/community-id/community-id.js';
import { PacketDocumentWriter } from '../../src/pipeline/packet-document.js';
import type { RawPacket } from '../../src/sources/pcap/types.js';

/** Seed used by every property of this process. */
export const SEED: number = (() => {
  const raw = process.env.SLUICE_FUZZ_SEED;
  if (raw === undefined || raw === '') return 42;
  if (raw === 'random') {
    const s = Date.now() | 0;
    console.log(`# SLUICE_FUZZ_SEED=random → seed ${s} (rerun with SLUICE_FUZZ_SEED=${s})`);
    return s;
  }
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`SLUICE_FUZZ_SEED must be an integer or 'random', got ${raw}`);
  return n | 0;
})();

/** numRuns per property: SLUICE_FUZZ_RUNS when set, else `dflt`. */
export function numRuns(dflt: number): number {
  const n = Number(process.env.SLUICE_FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : dflt;
}

/** fast-check parameters: the seed plus numRuns; the failure report prints seed and path. */
export function fcParams(dfltRuns: number): { seed: number; numRuns: number; endOnFailure: boolean } {
  return { seed: SEED, numRuns: numRuns(dfltRuns), endOnFailure: true };
}

/** The shared corpus folder, resolved relative to the compiled file (dist/test/fuzz/). */
export const CORPUS_DIR = fileURLToPath(new URL('../../../../shared/corpus/pcap/', import.meta.url));
export const BENCH_MIXED = fileURLToPath(new URL('../../../../shared/bench/mixed-20k.pcap', import.meta.url));

export interface CorpusFile {
  name: string;
  buf: Buffer;
}

/** Every corpus capture (.pcap / .pcapng), sorted by name; empty when the corpus is missing. */
export function corpusFiles(maxBytes = Infinity): CorpusFile[] {
  if (!existsSync(CORPUS_DIR)) return [];
  return readdirSync(CORPUS_DIR)
    .filter((f) => /\.pcap(ng)?$/.test(f))
    .sort()
    .map((name) => ({ name, buf: readFileSync(join(CORPUS_DIR, name)) }))
    .filter((f) => f.buf.length <= maxBytes);
}

/** Recursively checks that every number in a parsed JSON value is finite. */
function checkNumbers(v: unknown, path: string): void {
  if (typeof v === 'number') {
    assert.ok(Number.isFinite(v), `non-finite number at ${path}`);
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => checkNumbers(x, `${path}[${i}]`));
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) checkNumbers(x, `${path}.${k}`);
  }
}

const NUMERIC_FIELDS = [
  'srcAddrOffset', 'dstAddrOffset', 'addrLength', 'ipProto', 'ttl', 'ipId', 'ipOptionsLength', 'fragmentOffset',
  'srcPort', 'dstPort', 'tcpFlags', 'tcpSeq', 'tcpAck', 'tcpWindow', 'icmpType', 'icmpCode', 'payloadOffset',
  'payloadLength', 'etherType',
] as const;

function isPort(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535;
}

/**
 * Small Community ID caches (the table is sized from maxEntries; the default one is large and
 * costly to build), shared across cases so that they fill up, collide and get emptied often: the
 * cached ID is compared with the uncached computation on every packet.
 */
const SMALL_CACHE = 64;
const sharedCache = new CommunityIdCache(0, SMALL_CACHE);
const sharedWriter = new PacketDocumentWriter({ captureId: 'x', path: 'p', name: 'n' });

/** A fresh small Community ID cache (cheap to build). */
export function smallCache(): CommunityIdCache {
  return new CommunityIdCache(0, SMALL_CACHE);
}

/** Decodes, enriches and serializes one packet; returns the document (as text). Never asserts. */
export function processPacket(p: RawPacket, writer: PacketDocumentWriter, cache: CommunityIdCache): { d: DecodedPacket; cid: string | undefined; json: string } {
  const d = decodePacket(p.linkType, p.data, p.origLen);
  const cid = cache.get(d, p.data);
  const json = writer.toJson(p, d, cid);
  return { d, cid, json };
}

/**
 * Decodes `p` (twice), computes its Community ID and serializes it, checking every invariant:
 * no exception anywhere (including one swallowed by decodePacket's safety net, which shows up as
 * an error message starting 'decoder: '), valid JSON with `@timestamp` and `pcap.frame`, finite
 * numbers, ports in 0..65535, payload inside the buffer, cached Community ID equal to the uncached
 * one, and a deterministic result. Returns the parsed document.
 */
export function checkPacket(p: RawPacket, writer?: PacketDocumentWriter, cache?: CommunityIdCache): Record<string, any> {
  const w = writer ?? sharedWriter;
  const c = cache ?? sharedCache;
  const { d, cid, json } = processPacket(p, w, c);

  const internal = (d.errors ?? []).filter((e) => e.startsWith('decoder: '));
  assert.deepEqual(internal, [], `decodePacket caught an internal exception (link type ${p.linkType}, data ${p.data.toString('hex')})`);

  for (const f of NUMERIC_FIELDS) {
    const v = d[f];
    if (v !== undefined) assert.ok(typeof v === 'number' && Number.isFinite(v), `DecodedPacket.${f} = ${v} is not finite`);
  }
  if (d.srcPort !== undefined) assert.ok(isPort(d.srcPort), `srcPort ${d.srcPort}`);
  if (d.dstPort !== undefined) assert.ok(isPort(d.dstPort), `dstPort ${d.dstPort}`);
  if (d.payloadOffset >= 0) {
    assert.ok(d.payloadLength >= 0 && d.payloadOffset + d.payloadLength <= p.data.length, `payload [${d.payloadOffset}, +${d.payloadLength}) outside ${p.data.length} bytes`);
  } else {
    assert.ok(d.payloadLength >= 0);
  }
  if (d.addrLength !== 0) {
    assert.ok(d.addrLength === 4 || d.addrLength === 16, `addrLength ${d.addrLength}`);
  }

  // Community ID: the cache must agree with the uncached computation.
  const direct = communityId(d, p.data);
  assert.equal(cid, direct, 'CommunityIdCache.get differs from communityId()');

  let doc: Record<string, any>;
  try {
    doc = JSON.parse(json);
  } catch (err) {
    assert.fail(`writer produced invalid JSON (${(err as Error).message}) for link type ${p.linkType}, data ${p.data.toString('hex')}: ${json}`);
  }
  assert.equal(typeof doc['@timestamp'], 'string', '@timestamp present');
  assert.equal(doc.pcap?.frame, p.frame, 'pcap.frame present and equal to the frame');
  checkNumbers(doc, '$');
  if (doc.source?.port !== undefined) assert.ok(isPort(doc.source.port), `source.port ${doc.source.port}`);
  if (doc.destination?.port !== undefined) assert.ok(isPort(doc.destination.port), `destination.port ${doc.destination.port}`);
  if (doc.url?.port !== undefined) assert.ok(isPort(doc.url.port), `url.port ${doc.url.port}`);

  // Deterministic: a second decode (fresh Community ID cache; same writer, since the document's
  // `source_date` is by design the day of the capture's first packet) gives the same document.
  const again = processPacket(p, w, new CommunityIdCache(0, SMALL_CACHE));
  assert.equal(again.json, json, 'decoding the same bytes twice gives the same document');
  return doc;
}

/** A RawPacket around `data` (timestamps fixed, as the decoders do not look at them). */
export function rawPacket(linkType: number, data: Buffer, frame = 1, template?: RawPacket): RawPacket {
  return {
    frame,
    offset: template?.offset ?? 24,
    interfaceId: template?.interfaceId ?? 0,
    linkType,
    tsSec: template?.tsSec ?? 1_700_000_000,
    tsNsec: template?.tsNsec ?? 123_456_000,
    tsDigits: template?.tsDigits ?? 6,
    origLen: template ? Math.max(template.origLen, data.length) : data.length,
    data,
  };
}

/**
 * Offsets of the 32-bit length fields of the well-formed prefix of a capture: pcap record caplen
 * and origlen, pcapng block total length (both copies) and EPB/SPB captured length.
 */
export function lengthFieldOffsets(buf: Buffer): number[] {
  const out: number[] = [];
  if (buf.length < 24) return out;
  const m = buf.readUInt32LE(0);
  if (m === 0x0a0d0d0a) {
    let pos = 0;
    let le = true;
    while (pos + 12 <= buf.length) {
      const type = buf.readUInt32LE(pos);
      if (type === 0x0a0d0d0a) le = buf.readUInt32LE(pos + 8) === 0x1a2b3c4d;
      const len = le ? buf.readUInt32LE(pos + 4) : buf.readUInt32BE(pos + 4);
      if (len < 12 || len % 4 !== 0 || pos + len > buf.length) break;
      out.push(pos + 4, pos + len - 4);
      const t = le ? type : buf.readUInt32BE(pos);
      if (t === 6 || t === 2) out.push(pos + 20, pos + 24);
      if (t === 3) out.push(pos + 8);
      pos += len;
    }
  } else {
    const le = m === 0xa1b2c3d4 || m === 0xa1b23c4d;
    let pos = 24;
    while (pos + 16 <= buf.length) {
      out.push(pos + 8, pos + 12);
      const caplen = le ? buf.readUInt32LE(pos + 8) : buf.readUInt32BE(pos + 8);
      pos += 16 + caplen;
    }
    out.push(16, 20); // snaplen, link type
  }
  return out;
}

/** Overwrites 32-bit length fields of `buf` (in place) with hostile values, in either byte order. */
export function mutateLengthFields(buf: Buffer, muts: readonly (readonly [number, number, boolean])[]): boolean {
  const fields = lengthFieldOffsets(buf);
  if (fields.length === 0) return false;
  for (const [k, v, le] of muts) {
    const at = fields[k % fields.length];
    if (at + 4 > buf.length) continue;
    if (le) buf.writeUInt32LE(v >>> 0, at);
    else buf.writeUInt32BE(v >>> 0, at);
  }
  return true;
}

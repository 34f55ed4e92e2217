/**
 * Builds the ECS document of one packet as UTF-8 JSON bytes.
 *
 * This is the hot path of every packet ingest, so the JSON is written by hand into a reused byte
 * buffer ({@link JsonBytes}): no intermediate object, no JSON.stringify, no string concatenation
 * (whose rope nodes cost more in garbage collection than the writing itself). The field layout is
 * documented in docs/reference/packet-document.md; `packet-document.test.ts` checks that the output
 * parses and has the documented fields.
 */
import { createHash } from 'node:crypto';
import type { DecodedPacket, DnsInfo } from '../decoders/decoded-packet.js';
import type { RawPacket } from '../sources/pcap/types.js';
import { ascii, JsonBytes } from './json-bytes.js';
import { TimestampFormatter, fraction, secondsPrefix } from './timestamp.js';

/** ECS version the documents follow. */
export const ECS_VERSION = '8.11.0';

/** What the serializer needs to know about the capture a packet came from. */
export interface CaptureContext {
  /** Capture identity (content fingerprint), the first part of every document id. */
  readonly captureId: string;
  /** Path of the capture file as given to sluice. */
  readonly path: string;
  /** Base name of the capture file (the seed tools' `source_file`). */
  readonly name: string;
}

/**
 * A complete document from a stored one (see {@link PacketDocumentWriter.tail}): the stored JSON
 * object without its last two bytes (`}}`, closing `pcap` and the document), then the tail.
 */
export function completeDocument(stored: Uint8Array, tail: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(stored.length - 2 + tail.length);
  out.set(stored.subarray(0, stored.length - 2), 0);
  out.set(tail, stored.length - 2);
  return out;
}

/** Options of {@link PacketDocumentWriter}. */
export interface PacketDocumentOptions {
  /** Include the captured bytes as base64 in `packet.raw` (for search-engine sinks). Default false. */
  readonly raw?: boolean;
}

/** Deterministic document id: the capture identity plus the 1-based frame number. */
export function packetDocumentId(captureId: string, frame: number): string {
  return captureId + '-' + frame;
}

const TCP_FLAG_NAMES: readonly [number, string][] = [
  [0x01, 'FIN'], [0x02, 'SYN'], [0x04, 'RST'], [0x08, 'PSH'], [0x10, 'ACK'], [0x20, 'URG'], [0x40, 'ECE'], [0x80, 'CWR'], [0x100, 'NS'],
];
/** Pre-encoded JSON arrays of flag names for every flag combination (9 bits). */
const TCP_FLAG_JSON: Uint8Array[] = Array.from({ length: 512 }, (_, v) =>
  ascii(JSON.stringify(TCP_FLAG_NAMES.filter(([bit]) => v & bit).map(([, n]) => n))),
);

const C = {
  head: ascii('{"@timestamp":"'),
  afterTs: ascii('Z"'),
  source: ascii(',"source":{'),
  destination: ascii(',"destination":{'),
  ip: ascii('"ip":"'),
  port: ascii(',"port":'),
  portFirst: ascii('"port":'),
  mac: ascii(',"mac":"'),
  macFirst: ascii('"mac":"'),
  network: ascii(',"network":{"bytes":'),
  packets1: ascii(',"packets":1'),
  type: ascii(',"type":"'),
  transport: ascii(',"transport":"'),
  iana: ascii(',"iana_number":"'),
  protocol: ascii(',"protocol":"'),
  cid: ascii(',"community_id":"'),
  vlan: ascii(',"vlan":{"id":"'),
  inner: ascii(',"inner":{"vlan":{"id":"'),
  quoteClose: ascii('"}'),
  quoteClose3: ascii('"}}'),
  http: ascii(',"http":{'),
  version: ascii('"version":'),
  request: ascii('"request":{"method":'),
  response: ascii('"response":{"status_code":'),
  url: ascii(',"url":{'),
  original: ascii('"original":'),
  domain: ascii('"domain":'),
  userAgent: ascii(',"user_agent":{"original":'),
  tls: ascii(',"tls":{"version_protocol":"tls","client":{'),
  serverName: ascii('"server_name":'),
  ja3: ascii('"ja3":"'),
  error: ascii(',"error":{"message":'),
  packet: ascii(',"packet":{"length":'),
  caplen: ascii(',"caplen":'),
  raw: ascii(',"raw":"'),
  vlanIds: ascii(',"vlan_ids":['),
  ipTtl: ascii(',"ip":{"ttl":'),
  ipId: ascii(',"id":'),
  frag: ascii(',"fragment":{"offset":'),
  more: ascii(',"more":'),
  tcp: ascii(',"tcp":{"flags":'),
  seq: ascii(',"seq":'),
  ack: ascii(',"ack":'),
  window: ascii(',"window":'),
  icmp: ascii(',"icmp":{"type":'),
  code: ascii(',"code":'),
  ptls: ascii(',"tls":{"client_version":"'),
  supported: ascii('","supported_versions":'),
  alpn: ascii(',"alpn":'),
  ja3s: ascii(',"ja3_string":"'),
  xff: ascii(',"http":{"x_forwarded_for":'),
  offset: ascii(',"offset":'),
  linkType: ascii(',"link_type":'),
  iface: ascii(',"interface":'),
  sniff: ascii(',"sniff_timestamp":"'),
  highest: ascii('","highest_protocol":"'),
  sourceDate: ascii('","source_date":"'),
  pcapHead: ascii('","pcap":{"frame":'),
  dns: ascii(',"dns":{"id":"'),
  dnsType: ascii('","type":"'),
  opCode: ascii('","op_code":"'),
  rcode: ascii('","response_code":"'),
  flags: ascii('","header_flags":'),
  question: ascii(',"question":{"name":'),
  qType: ascii(',"type":"'),
  qClass: ascii('","class":"'),
  questions: ascii(',"questions":['),
  qName: ascii('{"name":'),
  answers: ascii(',"answers":['),
  aType: ascii(',"type":'),
  aClass: ascii(',"class":'),
  ttl: ascii(',"ttl":'),
  data: ascii(',"data":'),
  resolved: ascii(',"resolved_ip":'),
  true: ascii('true'),
  false: ascii('false'),
};

const EPOCH_DATE = ascii('1970-01-01');

/**
 * Serializes packets of one capture. Keeps small caches (timestamp prefix, pre-encoded capture
 * fields) so that the per-packet work is only what differs between packets.
 */
export class PacketDocumentWriter {
  private readonly ts = new TimestampFormatter();
  /**
   * The end of every document of this capture: the parts that do not change from packet to packet
   * (capture file and identity, ECS event block). The store keeps it once per capture instead of in
   * every row. {@link write} writes a complete JSON object without it (so the store can query it);
   * {@link completeDocument} / {@link writeTail} reopen that object and append the tail.
   */
  readonly tail: Uint8Array;
  private sourceDate: Uint8Array | undefined;
  private sourceDateText: string | undefined;
  /** First frame that carries {@link sourceDate}; earlier frames (untimed SPBs) get the epoch's date. */
  private sourceDateFrom = Number.POSITIVE_INFINITY;
  private scratch: JsonBytes | undefined;
  private readonly reserve: number;

  /**
   * @param observeOwn Whether {@link write} looks for the source date itself (true when every
   *   packet of the capture passes through this writer in file order; false in decode workers).
   */
  constructor(
    readonly capture: CaptureContext,
    private readonly observeOwn = true,
    private readonly options: PacketDocumentOptions = {},
  ) {
    this.tail = Buffer.from(
      ',"file":' + JSON.stringify(capture.path) + ',"capture_id":' + JSON.stringify(capture.captureId) + '}' +
        ',"source_file":' + JSON.stringify(capture.name) +
        `,"ecs":{"version":"${ECS_VERSION}"},"event":{"kind":"event","category":["network"],"type":["connection"],"dataset":"sluice.packet","module":"sluice"}}`,
      'utf8',
    );
    this.reserve = 2048 + this.tail.length;
  }

  /**
   * Notes a packet read from the capture, decoded or not. The seed tools' "date" of a source file
   * is the UTC day of its first packet with a timestamp (Simple Packet Blocks have none), taken in
   * file order, so that the same file always gives the same documents: a file's mtime changes
   * when it is copied, and a resumed ingest skips the frames it already stored but still reads them.
   */
  observe(p: RawPacket): void {
    if (this.sourceDate !== undefined) return;
    if (p.tsSec !== 0 || p.tsNsec !== 0) this.setSourceDate(secondsPrefix(p.tsSec).slice(0, 10), p.frame);
  }

  /** The source date and the frame it applies from (see {@link observe}), as last set. */
  get sourceDateInfo(): { date: string; fromFrame: number } | undefined {
    return this.sourceDateText === undefined ? undefined : { date: this.sourceDateText, fromFrame: this.sourceDateFrom };
  }

  /** Sets the source date when it was observed elsewhere (another thread read the packets in file order). */
  setSourceDate(date: string, fromFrame: number): void {
    if (this.sourceDateText === date && this.sourceDateFrom === fromFrame) return;
    this.sourceDateText = date;
    this.sourceDate = ascii(date);
    this.sourceDateFrom = fromFrame;
  }

  /** The document as a string (convenience for tests and one-off use; the hot path uses {@link write}). */
  toJson(p: RawPacket, d: DecodedPacket, communityId: string | undefined): string {
    const out = (this.scratch ??= new JsonBytes(4096));
    out.reset();
    this.write(out, p, d, communityId);
    this.writeTail(out);
    return out.view().toString('utf8');
  }

  /**
   * Appends the ECS JSON document of one packet to `out`, without its {@link tail}.
   * @param communityId Community ID v1 of the packet's flow, when it has an IP layer.
   */
  write(out: JsonBytes, p: RawPacket, d: DecodedPacket, communityId: string | undefined): void {
    const prefix = this.ts.prefix(p.tsSec);
    if (this.sourceDate === undefined && this.observeOwn) this.observe(p);
    const frac = p.tsDigits > 0 ? fraction(p.tsNsec, p.tsDigits) : '';

    // Room for every fixed-size part (about 1.2 KB at most, plus the capture path); the variable
    // strings (str/strArray) and the loops reserve for themselves.
    out.slack = this.reserve;
    out.ensure(this.reserve);
    out.rawBytes(C.head);
    out.rawPlain(prefix);
    if (frac !== '') {
      out.rawByte(46);
      out.rawPlain(frac);
    }
    out.rawBytes(C.afterTs);

    if (d.srcIp !== undefined || d.srcMac !== undefined) {
      out.rawBytes(C.source);
      endpoint(out, d.srcIp, d.srcPort, d.srcMac);
    }
    if (d.dstIp !== undefined || d.dstMac !== undefined) {
      out.rawBytes(C.destination);
      endpoint(out, d.dstIp, d.dstPort, d.dstMac);
    }

    out.rawBytes(C.network);
    out.rawUint(p.origLen);
    out.rawBytes(C.packets1);
    if (d.networkType !== undefined) quoted(out, C.type, d.networkType);
    if (d.transport !== undefined) quoted(out, C.transport, d.transport);
    if (d.ipProto !== undefined) {
      out.rawBytes(C.iana);
      out.rawUint(d.ipProto);
      out.rawByte(34);
    }
    if (d.appProtocol !== undefined) quoted(out, C.protocol, d.appProtocol);
    if (communityId !== undefined) quoted(out, C.cid, communityId);
    const vlans = d.vlanIds;
    if (vlans !== undefined && vlans.length > 0) {
      out.rawBytes(C.vlan);
      out.rawUint(vlans[0]);
      out.rawBytes(C.quoteClose);
      if (vlans.length > 1) {
        out.rawBytes(C.inner);
        out.rawUint(vlans[1]);
        out.rawBytes(C.quoteClose3);
      }
    }
    out.rawByte(125);

    if (d.dns !== undefined) dnsJson(out, d.dns);
    const http = d.http;
    if (http !== undefined) {
      out.rawBytes(C.http);
      let sep = false;
      if (http.version !== undefined) {
        out.rawBytes(C.version);
        out.strReserve(http.version);
        sep = true;
      }
      if (http.method !== undefined) {
        if (sep) out.rawByte(44);
        out.rawBytes(C.request);
        out.strReserve(http.method);
        out.rawByte(125);
        sep = true;
      }
      if (http.statusCode !== undefined) {
        if (sep) out.rawByte(44);
        out.rawBytes(C.response);
        out.rawUint(http.statusCode);
        out.rawByte(125);
      }
      out.rawByte(125);
      if (http.uri !== undefined || http.host !== undefined) {
        out.rawBytes(C.url);
        if (http.uri !== undefined) {
          out.rawBytes(C.original);
          out.strReserve(http.uri);
        }
        if (http.host !== undefined) {
          if (http.uri !== undefined) out.rawByte(44);
          const [domain, port] = splitHost(http.host);
          out.rawBytes(C.domain);
          out.strReserve(domain);
          if (port !== undefined) {
            out.rawBytes(C.port);
            out.rawUint(port);
          }
        }
        out.rawByte(125);
      }
      if (http.userAgent !== undefined) {
        out.rawBytes(C.userAgent);
        out.strReserve(http.userAgent);
        out.rawByte(125);
      }
    }
    const tls = d.tls;
    if (tls !== undefined) {
      out.rawBytes(C.tls);
      if (tls.serverName !== undefined) {
        out.rawBytes(C.serverName);
        out.strReserve(tls.serverName);
        out.rawByte(44);
      }
      out.rawBytes(C.ja3);
      out.rawPlain(md5(tls.ja3));
      out.rawBytes(C.quoteClose3);
    }

    if (d.errors !== undefined) {
      out.rawBytes(C.error);
      out.strReserve(d.errors.join('; '));
      out.rawByte(125);
    }

    // Packet details that ECS has no field for.
    out.rawBytes(C.packet);
    out.rawUint(p.origLen);
    out.rawBytes(C.caplen);
    out.rawUint(p.data.length);
    if (this.options.raw) {
      // The captured bytes, base64, for engines that must give packets back (sluice pcap against
      // Elasticsearch/OpenSearch): mapped as a stored-only binary field, never indexed.
      out.rawBytes(C.raw);
      out.ensure(((p.data.length + 2) / 3) * 4 + out.slack);
      out.pos += out.buf.write(p.data.toString('base64'), out.pos, 'latin1');
      out.rawByte(34);
    }
    if (vlans !== undefined && vlans.length > 0) {
      out.rawBytes(C.vlanIds);
      out.ensure(vlans.length * 8);
      for (let i = 0; i < vlans.length; i++) {
        if (i > 0) out.rawByte(44);
        out.rawUint(vlans[i]);
      }
      out.rawByte(93);
    }
    if (d.ttl !== undefined) {
      out.rawBytes(C.ipTtl);
      out.rawUint(d.ttl);
      if (d.ipId !== undefined) {
        out.rawBytes(C.ipId);
        out.rawUint(d.ipId);
      }
      if (d.isFragment) {
        out.rawBytes(C.frag);
        out.rawUint(d.fragmentOffset ?? 0);
        out.rawBytes(C.more);
        out.rawBytes(d.moreFragments === true ? C.true : C.false);
        out.rawByte(125);
      }
      out.rawByte(125);
    }
    if (d.tcpFlags !== undefined) {
      out.rawBytes(C.tcp);
      out.rawBytes(TCP_FLAG_JSON[d.tcpFlags & 0x1ff]);
      out.rawBytes(C.seq);
      out.rawUint(d.tcpSeq ?? 0);
      out.rawBytes(C.ack);
      out.rawUint(d.tcpAck ?? 0);
      out.rawBytes(C.window);
      out.rawUint(d.tcpWindow ?? 0);
      out.rawByte(125);
    }
    if (d.icmpType !== undefined) {
      out.rawBytes(C.icmp);
      out.rawUint(d.icmpType);
      out.rawBytes(C.code);
      out.rawUint(d.icmpCode ?? 0);
      out.rawByte(125);
    }
    if (tls !== undefined) {
      out.rawBytes(C.ptls);
      out.rawPlain(tls.clientVersion);
      out.rawBytes(C.supported);
      out.strArrayReserve(tls.supportedVersions);
      out.rawBytes(C.alpn);
      out.strArrayReserve(tls.alpn);
      out.rawBytes(C.ja3s);
      out.rawPlain(tls.ja3);
      out.rawBytes(C.quoteClose);
    }
    if (http !== undefined && http.forwardedFor !== undefined) {
      out.rawBytes(C.xff);
      out.strReserve(http.forwardedFor);
      out.rawByte(125);
    }
    out.rawByte(125);

    // The seed tools' fields.
    out.rawBytes(C.sniff);
    out.rawUint(p.tsSec);
    if (frac !== '') {
      out.rawByte(46);
      out.rawPlain(frac);
    }
    out.rawBytes(C.highest);
    out.rawPlain(d.highestProtocol);
    out.rawBytes(C.sourceDate);
    out.rawBytes(this.sourceDate !== undefined && p.frame >= this.sourceDateFrom ? this.sourceDate : EPOCH_DATE);

    // Where the packet is in its capture. The two closing braces are replaced by the tail when the
    // document is completed (see writeTail).
    out.rawBytes(C.pcapHead);
    out.rawUint(p.frame);
    out.rawBytes(C.offset);
    out.rawUint(p.offset);
    out.rawBytes(C.linkType);
    out.rawUint(p.linkType);
    out.rawBytes(C.iface);
    out.rawUint(p.interfaceId);
    out.rawByte(125);
    out.rawByte(125);
  }

  /** Completes the document that {@link write} just wrote to `out`: drops its closing `}}`, appends {@link tail}. */
  writeTail(out: JsonBytes): void {
    out.pos -= 2;
    out.bytes(this.tail);
  }
}

function quoted(out: JsonBytes, key: Uint8Array, value: string): void {
  out.rawBytes(key);
  out.rawPlain(value);
  out.rawByte(34);
}

function endpoint(out: JsonBytes, ip: string | undefined, port: number | undefined, mac: string | undefined): void {
  let first = true;
  if (ip !== undefined) {
    out.rawBytes(C.ip);
    out.rawPlain(ip);
    out.rawByte(34);
    first = false;
  }
  if (port !== undefined) {
    out.rawBytes(first ? C.portFirst : C.port);
    out.rawUint(port);
    first = false;
  }
  if (mac !== undefined) {
    out.rawBytes(first ? C.macFirst : C.mac);
    out.rawPlain(mac);
    out.rawByte(34);
  }
  out.rawByte(125);
}

function dnsJson(out: JsonBytes, dns: DnsInfo): void {
  out.rawBytes(C.dns);
  out.rawUint(dns.id);
  out.rawBytes(C.dnsType);
  out.rawPlain(dns.type);
  out.rawBytes(C.opCode);
  out.rawPlain(dns.opCode);
  out.rawBytes(C.rcode);
  out.rawPlain(dns.responseCode);
  out.rawBytes(C.flags);
  out.strArrayReserve(dns.headerFlags);
  const q = dns.questions;
  if (q.length > 0) {
    out.rawBytes(C.question);
    out.strReserve(q[0].name);
    out.rawBytes(C.qType);
    out.rawPlain(q[0].type);
    out.rawBytes(C.qClass);
    out.rawPlain(q[0].class);
    out.rawBytes(C.quoteClose);
    if (q.length > 1) {
      // ECS has one question; further ones (rare, but legal) are kept as `dns.questions`.
      out.rawBytes(C.questions);
      for (let i = 0; i < q.length; i++) {
        out.ensure(out.slack);
        if (i > 0) out.rawByte(44);
        out.rawBytes(C.qName);
        out.strReserve(q[i].name);
        out.rawBytes(C.qType);
        out.rawPlain(q[i].type);
        out.rawBytes(C.qClass);
        out.rawPlain(q[i].class);
        out.rawBytes(C.quoteClose);
      }
      out.rawByte(93);
    }
  }
  if (dns.answers.length > 0) {
    out.rawBytes(C.answers);
    for (let i = 0; i < dns.answers.length; i++) {
      const a = dns.answers[i];
      out.ensure(out.slack);
      if (i > 0) out.rawByte(44);
      out.rawBytes(C.qName);
      out.strReserve(a.name);
      out.rawBytes(C.aType);
      out.strReserve(a.type);
      out.rawBytes(C.aClass);
      out.strReserve(a.class);
      out.rawBytes(C.ttl);
      out.rawUint(a.ttl);
      out.rawBytes(C.data);
      out.strReserve(a.data);
      out.rawByte(125);
    }
    out.rawByte(93);
  }
  if (dns.resolvedIps.length > 0) {
    out.rawBytes(C.resolved);
    out.strArrayReserve(dns.resolvedIps);
  }
  out.rawByte(125);
}

/**
 * Splits a Host header into domain and port: `example.com:8080` → [`example.com`, 8080];
 * `[::1]:80` → [`::1`, 80]; a bare IPv6 address or a host without a valid port keeps no port.
 */
export function splitHost(host: string): [string, number | undefined] {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) return [host, undefined];
    return [host.slice(1, end), portOf(host, end + 1)];
  }
  const colon = host.indexOf(':');
  // More than one colon: a bare IPv6 address, not host:port.
  if (colon < 0 || host.indexOf(':', colon + 1) >= 0) return [host, undefined];
  const port = portOf(host, colon);
  return port === undefined ? [host, undefined] : [host.slice(0, colon), port];
}

function portOf(host: string, colon: number): number | undefined {
  if (host.charCodeAt(colon) !== 0x3a || colon + 1 >= host.length || host.length - colon > 6) return undefined;
  const n = Number(host.slice(colon + 1));
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

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
import { TimestampFormatter, fraction } from './timestamp.js';

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
  afterTs: ascii(`Z","ecs":{"version":"${ECS_VERSION}"},"event":{"kind":"event","category":["network"],"type":["connection"],"dataset":"sluice.packet","module":"sluice"}`),
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
  frame: ascii(',"frame":'),
  offset: ascii(',"offset":'),
  linkType: ascii(',"link_type":'),
  iface: ascii(',"interface":'),
  sniff: ascii('},"sniff_timestamp":"'),
  highest: ascii('","highest_protocol":"'),
  sourceDate: ascii(',"source_date":"'),
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

/**
 * Serializes packets of one capture. Keeps small caches (timestamp prefix, pre-encoded capture
 * fields) so that the per-packet work is only what differs between packets.
 */
export class PacketDocumentWriter {
  private readonly ts = new TimestampFormatter();
  private readonly pcapPrefix: Uint8Array;
  private readonly seedFile: Uint8Array;
  private sourceDate: Uint8Array | undefined;
  private scratch: JsonBytes | undefined;

  constructor(readonly capture: CaptureContext) {
    this.pcapPrefix = Buffer.from(',"pcap":{"file":' + JSON.stringify(capture.path) + ',"capture_id":' + JSON.stringify(capture.captureId), 'utf8');
    this.seedFile = Buffer.from('","source_file":' + JSON.stringify(capture.name), 'utf8');
  }

  /** The document as a string (convenience for tests and one-off use; the hot path uses {@link write}). */
  toJson(p: RawPacket, d: DecodedPacket, communityId: string | undefined): string {
    const out = (this.scratch ??= new JsonBytes(4096));
    out.reset();
    this.write(out, p, d, communityId);
    return out.view().toString('utf8');
  }

  /**
   * Appends the ECS JSON document of one packet to `out`.
   * @param communityId Community ID v1 of the packet's flow, when it has an IP layer.
   */
  write(out: JsonBytes, p: RawPacket, d: DecodedPacket, communityId: string | undefined): void {
    const prefix = this.ts.prefix(p.tsSec);
    // The seed tools' "date" of a source file: the UTC day of its first packet, so that the same
    // file always gives the same documents (a file's mtime changes when it is copied).
    if (this.sourceDate === undefined) this.sourceDate = ascii(prefix.slice(0, 10));
    const frac = p.tsDigits > 0 ? fraction(p.tsNsec, p.tsDigits) : '';

    out.bytes(C.head);
    out.plain(prefix);
    if (frac !== '') {
      out.byte(46);
      out.plain(frac);
    }
    out.bytes(C.afterTs);

    if (d.srcIp !== undefined || d.srcMac !== undefined) {
      out.bytes(C.source);
      endpoint(out, d.srcIp, d.srcPort, d.srcMac);
    }
    if (d.dstIp !== undefined || d.dstMac !== undefined) {
      out.bytes(C.destination);
      endpoint(out, d.dstIp, d.dstPort, d.dstMac);
    }

    out.bytes(C.network);
    out.int(p.origLen);
    out.bytes(C.packets1);
    if (d.networkType !== undefined) quoted(out, C.type, d.networkType);
    if (d.transport !== undefined) quoted(out, C.transport, d.transport);
    if (d.ipProto !== undefined) {
      out.bytes(C.iana);
      out.int(d.ipProto);
      out.byte(34);
    }
    if (d.appProtocol !== undefined) quoted(out, C.protocol, d.appProtocol);
    if (communityId !== undefined) quoted(out, C.cid, communityId);
    const vlans = d.vlanIds;
    if (vlans !== undefined && vlans.length > 0) {
      out.bytes(C.vlan);
      out.int(vlans[0]);
      out.bytes(C.quoteClose);
      if (vlans.length > 1) {
        out.bytes(C.inner);
        out.int(vlans[1]);
        out.bytes(C.quoteClose3);
      }
    }
    out.byte(125);

    if (d.dns !== undefined) dnsJson(out, d.dns);
    const http = d.http;
    if (http !== undefined) {
      out.bytes(C.http);
      let sep = false;
      if (http.version !== undefined) {
        out.bytes(C.version);
        out.str(http.version);
        sep = true;
      }
      if (http.method !== undefined) {
        if (sep) out.byte(44);
        out.bytes(C.request);
        out.str(http.method);
        out.byte(125);
        sep = true;
      }
      if (http.statusCode !== undefined) {
        if (sep) out.byte(44);
        out.bytes(C.response);
        out.int(http.statusCode);
        out.byte(125);
      }
      out.byte(125);
      if (http.uri !== undefined || http.host !== undefined) {
        out.bytes(C.url);
        if (http.uri !== undefined) {
          out.bytes(C.original);
          out.str(http.uri);
        }
        if (http.host !== undefined) {
          if (http.uri !== undefined) out.byte(44);
          const [domain, port] = splitHost(http.host);
          out.bytes(C.domain);
          out.str(domain);
          if (port !== undefined) {
            out.bytes(C.port);
            out.int(port);
          }
        }
        out.byte(125);
      }
      if (http.userAgent !== undefined) {
        out.bytes(C.userAgent);
        out.str(http.userAgent);
        out.byte(125);
      }
    }
    const tls = d.tls;
    if (tls !== undefined) {
      out.bytes(C.tls);
      if (tls.serverName !== undefined) {
        out.bytes(C.serverName);
        out.str(tls.serverName);
        out.byte(44);
      }
      out.bytes(C.ja3);
      out.plain(md5(tls.ja3));
      out.bytes(C.quoteClose3);
    }

    if (d.errors !== undefined) {
      out.bytes(C.error);
      out.str(d.errors.join('; '));
      out.byte(125);
    }

    // Packet details that ECS has no field for.
    out.bytes(C.packet);
    out.int(p.origLen);
    out.bytes(C.caplen);
    out.int(p.data.length);
    if (vlans !== undefined && vlans.length > 0) {
      out.bytes(C.vlanIds);
      for (let i = 0; i < vlans.length; i++) {
        if (i > 0) out.byte(44);
        out.int(vlans[i]);
      }
      out.byte(93);
    }
    if (d.ttl !== undefined) {
      out.bytes(C.ipTtl);
      out.int(d.ttl);
      if (d.ipId !== undefined) {
        out.bytes(C.ipId);
        out.int(d.ipId);
      }
      if (d.isFragment) {
        out.bytes(C.frag);
        out.int(d.fragmentOffset ?? 0);
        out.bytes(C.more);
        out.bytes(d.moreFragments === true ? C.true : C.false);
        out.byte(125);
      }
      out.byte(125);
    }
    if (d.tcpFlags !== undefined) {
      out.bytes(C.tcp);
      out.bytes(TCP_FLAG_JSON[d.tcpFlags & 0x1ff]);
      out.bytes(C.seq);
      out.int(d.tcpSeq ?? 0);
      out.bytes(C.ack);
      out.int(d.tcpAck ?? 0);
      out.bytes(C.window);
      out.int(d.tcpWindow ?? 0);
      out.byte(125);
    }
    if (d.icmpType !== undefined) {
      out.bytes(C.icmp);
      out.int(d.icmpType);
      out.bytes(C.code);
      out.int(d.icmpCode ?? 0);
      out.byte(125);
    }
    if (tls !== undefined) {
      out.bytes(C.ptls);
      out.plain(tls.clientVersion);
      out.bytes(C.supported);
      out.strArray(tls.supportedVersions);
      out.bytes(C.alpn);
      out.strArray(tls.alpn);
      out.bytes(C.ja3s);
      out.plain(tls.ja3);
      out.bytes(C.quoteClose);
    }
    if (http !== undefined && http.forwardedFor !== undefined) {
      out.bytes(C.xff);
      out.str(http.forwardedFor);
      out.byte(125);
    }
    out.byte(125);

    // Where the packet is in its capture.
    out.bytes(this.pcapPrefix);
    out.bytes(C.frame);
    out.int(p.frame);
    out.bytes(C.offset);
    out.int(p.offset);
    out.bytes(C.linkType);
    out.int(p.linkType);
    out.bytes(C.iface);
    out.int(p.interfaceId);

    // The seed tools' fields.
    out.bytes(C.sniff);
    out.int(p.tsSec);
    if (frac !== '') {
      out.byte(46);
      out.plain(frac);
    }
    out.bytes(C.highest);
    out.plain(d.highestProtocol);
    out.bytes(this.seedFile);
    out.bytes(C.sourceDate);
    out.bytes(this.sourceDate);
    out.byte(34);
    out.byte(125);
  }
}

function quoted(out: JsonBytes, key: Uint8Array, value: string): void {
  out.bytes(key);
  out.plain(value);
  out.byte(34);
}

function endpoint(out: JsonBytes, ip: string | undefined, port: number | undefined, mac: string | undefined): void {
  let first = true;
  if (ip !== undefined) {
    out.bytes(C.ip);
    out.plain(ip);
    out.byte(34);
    first = false;
  }
  if (port !== undefined) {
    out.bytes(first ? C.portFirst : C.port);
    out.int(port);
    first = false;
  }
  if (mac !== undefined) {
    out.bytes(first ? C.macFirst : C.mac);
    out.plain(mac);
    out.byte(34);
  }
  out.byte(125);
}

function dnsJson(out: JsonBytes, dns: DnsInfo): void {
  out.bytes(C.dns);
  out.int(dns.id);
  out.bytes(C.dnsType);
  out.plain(dns.type);
  out.bytes(C.opCode);
  out.plain(dns.opCode);
  out.bytes(C.rcode);
  out.plain(dns.responseCode);
  out.bytes(C.flags);
  out.strArray(dns.headerFlags);
  const q = dns.questions;
  if (q.length > 0) {
    out.bytes(C.question);
    out.str(q[0].name);
    out.bytes(C.qType);
    out.plain(q[0].type);
    out.bytes(C.qClass);
    out.plain(q[0].class);
    out.bytes(C.quoteClose);
    if (q.length > 1) {
      // ECS has one question; further ones (rare, but legal) are kept as `dns.questions`.
      out.bytes(C.questions);
      for (let i = 0; i < q.length; i++) {
        if (i > 0) out.byte(44);
        out.bytes(C.qName);
        out.str(q[i].name);
        out.bytes(C.qType);
        out.plain(q[i].type);
        out.bytes(C.qClass);
        out.plain(q[i].class);
        out.bytes(C.quoteClose);
      }
      out.byte(93);
    }
  }
  if (dns.answers.length > 0) {
    out.bytes(C.answers);
    for (let i = 0; i < dns.answers.length; i++) {
      const a = dns.answers[i];
      if (i > 0) out.byte(44);
      out.bytes(C.qName);
      out.str(a.name);
      out.bytes(C.aType);
      out.str(a.type);
      out.bytes(C.aClass);
      out.str(a.class);
      out.bytes(C.ttl);
      out.int(a.ttl);
      out.bytes(C.data);
      out.str(a.data);
      out.byte(125);
    }
    out.byte(93);
  }
  if (dns.resolvedIps.length > 0) {
    out.bytes(C.resolved);
    out.strArray(dns.resolvedIps);
  }
  out.byte(125);
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

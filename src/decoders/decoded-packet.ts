/**
 * The flat result of decoding one packet, filled by the synchronous decoders in `src/decoders/*`.
 *
 * It is a class with every field initialised in the constructor so that V8 gives all instances one
 * hidden class: the decoders and the serializer stay monomorphic on the hot path. Absent values are
 * `undefined`, never omitted. Turning this into a nested ECS document is the job of
 * `src/pipeline/packet-document.ts`; nothing here knows ECS names beyond the value formats.
 */
export class DecodedPacket {
  // ---- link layer ----
  /** Source MAC in ECS form: upper-case hex pairs joined by '-', e.g. `00-1B-21-3A-4F-5C`. */
  srcMac: string | undefined = undefined;
  /** Destination MAC, same form. */
  dstMac: string | undefined = undefined;
  /** VLAN ids of every 802.1Q / 802.1ad tag, outermost first (a priority tag gives 0). */
  vlanIds: number[] | undefined = undefined;
  /** EtherType (or SLL protocol / NULL family mapped to an EtherType) of the network layer. */
  etherType: number | undefined = undefined;

  // ---- network layer ----
  /** ECS `network.type`: 'ipv4' | 'ipv6' | 'arp' | … (lower case). */
  networkType: string | undefined = undefined;
  /** Source address as text (IPv4 dotted quad; IPv6 RFC 5952 compressed, lower case). */
  srcIp: string | undefined = undefined;
  /** Destination address as text, same form. */
  dstIp: string | undefined = undefined;
  /** Byte offset of the source address inside the packet buffer (4 or 16 bytes long). */
  srcAddrOffset = -1;
  /** Byte offset of the destination address inside the packet buffer. */
  dstAddrOffset = -1;
  /** 4 for IPv4, 16 for IPv6, 0 when no IP layer. */
  addrLength = 0;
  /** Upper-layer protocol number after any IPv6 extension headers (ECS `network.iana_number`). */
  ipProto: number | undefined = undefined;
  /** IPv4 TTL or IPv6 hop limit. */
  ttl: number | undefined = undefined;
  /** IPv4 identification, or the IPv6 fragment header's identification. */
  ipId: number | undefined = undefined;
  /** Length of IPv4 options in bytes (0 when none). */
  ipOptionsLength: number | undefined = undefined;
  /** IPv4 DF flag. */
  dontFragment: boolean | undefined = undefined;
  /** True when the packet is a fragment (MF set or non-zero offset, IPv4 or IPv6). */
  isFragment = false;
  /** Fragment offset in bytes (already multiplied by 8). */
  fragmentOffset: number | undefined = undefined;
  /** More-fragments flag. */
  moreFragments: boolean | undefined = undefined;
  /** IPv6 extension headers traversed, in order, by protocol number (0 hop-by-hop, 43 routing, 44 fragment, 60 dest opts, …). */
  ipv6ExtHeaders: number[] | undefined = undefined;

  // ---- transport layer ----
  /** ECS `network.transport`: 'tcp' | 'udp' | 'icmp' | 'ipv6-icmp' | 'gre' | 'sctp' | 'esp' | … */
  transport: string | undefined = undefined;
  srcPort: number | undefined = undefined;
  dstPort: number | undefined = undefined;
  /** TCP flag byte(s): FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80 NS 0x100. */
  tcpFlags: number | undefined = undefined;
  /** TCP sequence number, unsigned 32-bit (0..4294967295). */
  tcpSeq: number | undefined = undefined;
  /** TCP acknowledgement number, unsigned 32-bit. */
  tcpAck: number | undefined = undefined;
  tcpWindow: number | undefined = undefined;
  /** ICMP / ICMPv6 type and code. */
  icmpType: number | undefined = undefined;
  icmpCode: number | undefined = undefined;
  /** Offset and length of the transport payload inside the buffer (-1 / 0 when none). */
  payloadOffset = -1;
  payloadLength = 0;

  // ---- application layer ----
  /** ECS `network.protocol` when an application decoder recognised the payload: 'dns' | 'http' | 'tls'. */
  appProtocol: string | undefined = undefined;
  dns: DnsInfo | undefined = undefined;
  http: HttpInfo | undefined = undefined;
  tls: TlsInfo | undefined = undefined;

  // ---- summary ----
  /**
   * The highest protocol recognised, lower case, like the last entry of tshark's
   * `frame.protocols` but with sluice's names: 'eth', 'arp', 'ip', 'ipv6', 'tcp', 'udp', 'icmp',
   * 'icmpv6', 'dns', 'http', 'tls', 'data', or the link type name when nothing else was decoded.
   */
  highestProtocol = 'frame';
  /** Problems met while decoding (truncated header, bad length…): the document is partial. */
  errors: string[] | undefined = undefined;

  /** Records a decoding problem; the decoders stop descending after one. */
  addError(message: string): void {
    if (this.errors === undefined) this.errors = [message];
    else this.errors.push(message);
  }
}

/** A DNS resource record (answer section). */
export interface DnsAnswer {
  name: string;
  /** Type mnemonic, e.g. 'A', 'AAAA', 'CNAME' (numeric as 'TYPE65' when unknown). */
  type: string;
  /** Class mnemonic, e.g. 'IN'. */
  class: string;
  ttl: number;
  /** RDATA as text: address, domain name, TXT string, … (hex for unknown types). */
  data: string;
}

/** DNS message header and sections (ECS `dns.*`). */
export interface DnsInfo {
  id: number;
  /** 'query' when QR=0, 'answer' when QR=1 (ECS `dns.type`). */
  type: 'query' | 'answer';
  /** Op code mnemonic: 'QUERY', 'IQUERY', 'STATUS', 'NOTIFY', 'UPDATE' or the number as text. */
  opCode: string;
  /** Flags set, ECS spelling: 'AA', 'TC', 'RD', 'RA', 'AD', 'CD'. */
  headerFlags: string[];
  /** Response code mnemonic: 'NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', … */
  responseCode: string;
  /** Every question (usually one). Names without the trailing dot, as tshark prints them. */
  questions: { name: string; type: string; class: string }[];
  answers: DnsAnswer[];
  /** Addresses from A / AAAA answers (ECS `dns.resolved_ip`). */
  resolvedIps: string[];
}

/** HTTP/1.x start line and a few headers of the packet that carries them. */
export interface HttpInfo {
  /** Request method as sent (not upper-cased), when the packet starts a request. */
  method: string | undefined;
  /** Request target as sent (may be empty for malformed scanner requests). */
  uri: string | undefined;
  /** '1.0' | '1.1' … from 'HTTP/1.1'. */
  version: string | undefined;
  /** Host header value as sent (may include a port). */
  host: string | undefined;
  userAgent: string | undefined;
  /** X-Forwarded-For header value, kept verbatim. */
  forwardedFor: string | undefined;
  /** Response status code, when the packet starts a response. */
  statusCode: number | undefined;
  /** Reason phrase of the response. */
  statusText: string | undefined;
}

/** What a TLS ClientHello tells. */
export interface TlsInfo {
  /** server_name extension (SNI). */
  serverName: string | undefined;
  /** The ClientHello's legacy_version as text: '1.0', '1.1', '1.2', '1.3', 'ssl3'. */
  clientVersion: string;
  /** supported_versions extension, as text, GREASE values removed. */
  supportedVersions: string[];
  /** ALPN protocol names offered, in order. */
  alpn: string[];
  /** Cipher suites offered, as 4-hex-digit strings ('c02b'), GREASE removed. */
  ciphers: string[];
  /** JA3 fingerprint string (not hashed): version,ciphers,extensions,curves,point formats. */
  ja3: string;
}

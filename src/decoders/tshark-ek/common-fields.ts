/**
 * The Wireshark fields that are mapped explicitly, with a type, in the `packets-*` template: the
 * summary fields of the layers analysts query most (frame, eth, vlan, ip, ipv6, tcp, udp, icmp,
 * arp, dns, http, tls). Every other field goes to the catch-all (`layers_other`).
 *
 * One table for the document writer and the template, so what is typed is exactly what is mapped.
 * Rules (checked by common-fields.test.ts against tshark's registry): every name exists in its
 * layer, and no name here is a dotted prefix of another name here (`tcp.flags` and
 * `tcp.flags.syn` cannot both be leaves of one object mapping).
 *
 * Types: 32-bit unsigned values (TCP sequence numbers, stream ids, TTLs in DNS) are `long`, never
 * `integer`: the original espcap mapped `tcp.seq` as a signed 32-bit integer and lost half the range.
 */

/** Engine field type of an explicit field. */
export type CommonFieldType = 'ip' | 'integer' | 'long' | 'double' | 'boolean' | 'keyword' | 'date_nanos';

/** `[layer, Wireshark field name, type]`. */
export const COMMON_FIELDS: readonly (readonly [string, string, CommonFieldType])[] = [
  ['frame', 'frame.number', 'long'],
  ['frame', 'frame.time', 'date_nanos'],
  ['frame', 'frame.len', 'integer'],
  ['frame', 'frame.cap_len', 'integer'],
  ['frame', 'frame.protocols', 'keyword'],
  ['frame', 'frame.interface_id', 'integer'],
  ['frame', 'frame.encap_type', 'integer'],
  ['frame', 'frame.time_relative', 'double'],
  ['frame', 'frame.time_delta', 'double'],
  ['eth', 'eth.src', 'keyword'],
  ['eth', 'eth.dst', 'keyword'],
  ['eth', 'eth.type', 'integer'],
  ['vlan', 'vlan.id', 'integer'],
  ['ip', 'ip.src', 'ip'],
  ['ip', 'ip.dst', 'ip'],
  ['ip', 'ip.addr', 'ip'],
  ['ip', 'ip.version', 'integer'],
  ['ip', 'ip.hdr_len', 'integer'],
  ['ip', 'ip.len', 'integer'],
  ['ip', 'ip.id', 'integer'],
  ['ip', 'ip.ttl', 'integer'],
  ['ip', 'ip.proto', 'integer'],
  ['ip', 'ip.flags.df', 'boolean'],
  ['ip', 'ip.flags.mf', 'boolean'],
  ['ip', 'ip.frag_offset', 'integer'],
  ['ip', 'ip.dsfield.dscp', 'integer'],
  ['ipv6', 'ipv6.src', 'ip'],
  ['ipv6', 'ipv6.dst', 'ip'],
  ['ipv6', 'ipv6.addr', 'ip'],
  ['ipv6', 'ipv6.nxt', 'integer'],
  ['ipv6', 'ipv6.hlim', 'integer'],
  ['ipv6', 'ipv6.plen', 'integer'],
  ['ipv6', 'ipv6.flow', 'long'],
  ['tcp', 'tcp.srcport', 'integer'],
  ['tcp', 'tcp.dstport', 'integer'],
  ['tcp', 'tcp.port', 'integer'],
  ['tcp', 'tcp.stream', 'long'],
  ['tcp', 'tcp.len', 'long'],
  ['tcp', 'tcp.seq', 'long'],
  ['tcp', 'tcp.ack', 'long'],
  ['tcp', 'tcp.nxtseq', 'long'],
  ['tcp', 'tcp.seq_raw', 'long'],
  ['tcp', 'tcp.ack_raw', 'long'],
  ['tcp', 'tcp.flags.syn', 'boolean'],
  ['tcp', 'tcp.flags.ack', 'boolean'],
  ['tcp', 'tcp.flags.fin', 'boolean'],
  ['tcp', 'tcp.flags.reset', 'boolean'],
  ['tcp', 'tcp.flags.push', 'boolean'],
  ['tcp', 'tcp.flags.urg', 'boolean'],
  ['tcp', 'tcp.flags.str', 'keyword'],
  ['tcp', 'tcp.window_size', 'long'],
  ['tcp', 'tcp.window_size_value', 'integer'],
  ['tcp', 'tcp.hdr_len', 'integer'],
  ['tcp', 'tcp.analysis.retransmission', 'boolean'],
  ['tcp', 'tcp.analysis.duplicate_ack', 'boolean'],
  ['tcp', 'tcp.analysis.lost_segment', 'boolean'],
  ['tcp', 'tcp.time_delta', 'double'],
  ['udp', 'udp.srcport', 'integer'],
  ['udp', 'udp.dstport', 'integer'],
  ['udp', 'udp.port', 'integer'],
  ['udp', 'udp.length', 'integer'],
  ['udp', 'udp.stream', 'long'],
  ['icmp', 'icmp.type', 'integer'],
  ['icmp', 'icmp.code', 'integer'],
  ['icmpv6', 'icmpv6.type', 'integer'],
  ['icmpv6', 'icmpv6.code', 'integer'],
  ['arp', 'arp.opcode', 'integer'],
  ['arp', 'arp.src.proto_ipv4', 'ip'],
  ['arp', 'arp.dst.proto_ipv4', 'ip'],
  ['dns', 'dns.id', 'integer'],
  ['dns', 'dns.flags.response', 'boolean'],
  ['dns', 'dns.flags.rcode', 'integer'],
  ['dns', 'dns.flags.opcode', 'integer'],
  ['dns', 'dns.qry.name', 'keyword'],
  ['dns', 'dns.qry.type', 'integer'],
  ['dns', 'dns.qry.class', 'integer'],
  ['dns', 'dns.resp.name', 'keyword'],
  ['dns', 'dns.resp.type', 'integer'],
  ['dns', 'dns.resp.ttl', 'long'],
  ['dns', 'dns.a', 'ip'],
  ['dns', 'dns.aaaa', 'ip'],
  ['dns', 'dns.cname', 'keyword'],
  ['dns', 'dns.ns', 'keyword'],
  ['dns', 'dns.ptr.domain_name', 'keyword'],
  ['dns', 'dns.mx.mail_exchange', 'keyword'],
  ['dns', 'dns.count.queries', 'integer'],
  ['dns', 'dns.count.answers', 'integer'],
  ['dns', 'dns.time', 'double'],
  ['dns', 'dns.response_to', 'long'],
  ['http', 'http.request.method', 'keyword'],
  ['http', 'http.request.uri', 'keyword'],
  ['http', 'http.request.full_uri', 'keyword'],
  ['http', 'http.request.version', 'keyword'],
  ['http', 'http.host', 'keyword'],
  ['http', 'http.user_agent', 'keyword'],
  ['http', 'http.response.code', 'integer'],
  ['http', 'http.response.phrase', 'keyword'],
  ['http', 'http.content_type', 'keyword'],
  ['http', 'http.content_length', 'long'],
  ['http', 'http.server', 'keyword'],
  ['http', 'http.location', 'keyword'],
  ['http', 'http.referer', 'keyword'],
  ['tls', 'tls.record.content_type', 'integer'],
  ['tls', 'tls.record.version', 'integer'],
  ['tls', 'tls.handshake.type', 'integer'],
  ['tls', 'tls.handshake.version', 'integer'],
  ['tls', 'tls.handshake.ciphersuite', 'integer'],
  ['tls', 'tls.handshake.extensions_server_name', 'keyword'],
  ['tls', 'tls.handshake.extensions_alpn_str', 'keyword'],
  ['tls', 'tls.handshake.ja3', 'keyword'],
  ['tls', 'tls.handshake.ja3_full', 'keyword'],
  ['tls', 'tls.handshake.ja3s', 'keyword'],
];

/** `layer → field name → type`, for lookups on the hot path. */
export const COMMON_FIELD_TYPES: ReadonlyMap<string, ReadonlyMap<string, CommonFieldType>> = (() => {
  const m = new Map<string, Map<string, CommonFieldType>>();
  for (const [layer, name, type] of COMMON_FIELDS) {
    let inner = m.get(layer);
    if (inner === undefined) m.set(layer, (inner = new Map()));
    inner.set(name, type);
  }
  return m;
})();

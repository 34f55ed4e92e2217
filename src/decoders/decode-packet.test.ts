import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodePacket, isSupportedLinkType, linkTypeName } from './decode-packet.js';
import { formatIpv6 } from './format/format-ipv6.js';
import { dnsQuery, ethernet, hex, ipv4, ipv6, ipv6Bytes, tcp, udp } from './test-support/build-packets.js';

/** Decodes every prefix of `pkt`: none may throw, and each result must be a document. */
function assertAllPrefixes(linkType: number, pkt: Buffer): void {
  for (let n = 0; n <= pkt.length; n++) {
    const d = decodePacket(linkType, pkt.subarray(0, n), pkt.length);
    assert.equal(typeof d.highestProtocol, 'string');
    assert.ok(!d.errors?.some((e) => e.startsWith('decoder:')), `prefix ${n}: ${d.errors}`);
  }
}

const tcpPacket = ethernet(ipv4(tcp(Buffer.from('hello'), { flags: 0x1ff })));

describe('link types', () => {
  it('names and support', () => {
    assert.equal(linkTypeName(1), 'ethernet');
    assert.equal(linkTypeName(113), 'linux_sll');
    assert.equal(linkTypeName(276), 'linux_sll2');
    assert.equal(linkTypeName(0), 'null');
    assert.equal(linkTypeName(108), 'loop');
    assert.equal(linkTypeName(101), 'raw');
    assert.equal(linkTypeName(228), 'raw');
    assert.equal(linkTypeName(229), 'raw');
    assert.equal(linkTypeName(239), 'nflog');
    assert.equal(linkTypeName(105), 'ieee802_11');
    assert.equal(linkTypeName(127), 'ieee802_11_radiotap');
    assert.equal(linkTypeName(231), 'dbus');
    assert.equal(linkTypeName(147), 'linktype_147');
    assert.equal(isSupportedLinkType(1), true);
    assert.equal(isSupportedLinkType(105), false);
  });

  it('leaves unsupported link types undecoded, without error', () => {
    const d = decodePacket(105, tcpPacket, tcpPacket.length);
    assert.equal(d.highestProtocol, 'ieee802_11');
    assert.equal(d.srcIp, undefined);
    assert.equal(d.errors, undefined);
  });
});

describe('ethernet / ipv4 / tcp', () => {
  it('decodes every field', () => {
    const d = decodePacket(1, tcpPacket, tcpPacket.length);
    assert.equal(d.dstMac, '00-1B-21-3A-4F-5C');
    assert.equal(d.srcMac, '0A-0B-0C-0D-0E-0F');
    assert.equal(d.etherType, 0x0800);
    assert.equal(d.networkType, 'ipv4');
    assert.equal(d.srcIp, '1.2.3.4');
    assert.equal(d.dstIp, '5.6.7.8');
    assert.equal(d.srcAddrOffset, 26);
    assert.equal(d.dstAddrOffset, 30);
    assert.equal(d.addrLength, 4);
    assert.equal(d.ttl, 64);
    assert.equal(d.ipId, 0x1234);
    assert.equal(d.ipOptionsLength, 0);
    assert.equal(d.isFragment, false);
    assert.equal(d.transport, 'tcp');
    assert.equal(d.ipProto, 6);
    assert.equal(d.srcPort, 1122);
    assert.equal(d.dstPort, 3344);
    assert.equal(d.tcpFlags, 0x1ff);
    assert.equal(d.tcpSeq, 0xfffffff0);
    assert.equal(d.tcpAck, 0x80000001);
    assert.equal(d.tcpWindow, 65535);
    assert.equal(d.payloadOffset, 54);
    assert.equal(d.payloadLength, 5);
    assert.equal(d.highestProtocol, 'data');
    assert.equal(d.errors, undefined);
  });

  it('trims Ethernet padding with the IPv4 total length', () => {
    const pkt = Buffer.concat([ethernet(ipv4(tcp(Buffer.alloc(0), { flags: 0x10 }))), Buffer.alloc(6)]);
    const d = decodePacket(1, pkt, pkt.length);
    assert.equal(d.payloadLength, 0);
    assert.equal(d.highestProtocol, 'tcp');
  });

  it('reads IPv4 options and TCP options', () => {
    const pkt = ethernet(ipv4(tcp(Buffer.from('x'), { options: hex('020405b4') }), { options: hex('01010100') }));
    const d = decodePacket(1, pkt, pkt.length);
    assert.equal(d.ipOptionsLength, 4);
    assert.equal(d.srcPort, 1122);
    assert.equal(d.payloadLength, 1);
  });

  it('keeps every VLAN id, outermost first (802.1ad, 802.1Q, 0x9100, priority tag)', () => {
    const pkt = ethernet(ipv4(tcp(Buffer.alloc(0))), 0x0800, [
      { tpid: 0x88a8, vid: 0x2000 | 200 },
      { tpid: 0x9100, vid: 7 },
      { tpid: 0x8100, vid: 2001 },
      { tpid: 0x8100, vid: 0xe000 },
    ]);
    const d = decodePacket(1, pkt, pkt.length);
    assert.deepEqual(d.vlanIds, [200, 7, 2001, 0]);
    assert.equal(d.srcIp, '1.2.3.4');
  });

  it('marks ARP', () => {
    const pkt = ethernet(Buffer.alloc(28), 0x0806);
    const d = decodePacket(1, pkt, pkt.length);
    assert.equal(d.networkType, 'arp');
    assert.equal(d.highestProtocol, 'arp');
    assert.equal(d.srcIp, undefined);
  });

  it('reports truncation with layer and sizes, and never throws on any prefix', () => {
    const d = decodePacket(1, tcpPacket.subarray(0, 14 + 20 + 12), 100);
    assert.deepEqual(d.errors, ['tcp: header truncated (12 of 20 bytes)']);
    assert.equal(d.srcIp, '1.2.3.4');
    assert.equal(d.srcPort, 1122);
    assert.deepEqual(decodePacket(1, tcpPacket.subarray(0, 20), 100).errors, ['ipv4: header truncated (6 of 20 bytes)']);
    assert.deepEqual(decodePacket(1, tcpPacket.subarray(0, 10), 100).errors, ['eth: header truncated (10 of 14 bytes)']);
    assertAllPrefixes(1, tcpPacket);
  });

  it('rejects a bad TCP data offset and a bad IPv4 header length', () => {
    const bad = Buffer.from(tcpPacket);
    bad[14 + 20 + 12] = 0x40;
    assert.deepEqual(decodePacket(1, bad, bad.length).errors, ['tcp: bad data offset (16 bytes)']);
    const badIp = Buffer.from(tcpPacket);
    badIp[14] = 0x44;
    assert.deepEqual(decodePacket(1, badIp, badIp.length).errors, ['ipv4: bad header length (16 bytes)']);
  });
});

describe('ipv4 fragments', () => {
  it('decodes ports of the first fragment only', () => {
    const first = ethernet(ipv4(udp(Buffer.alloc(16), { sport: 123, dport: 137, length: 200 }), { proto: 17, flags: 1 }));
    const d1 = decodePacket(1, first, first.length);
    assert.equal(d1.isFragment, true);
    assert.equal(d1.moreFragments, true);
    assert.equal(d1.fragmentOffset, 0);
    assert.equal(d1.srcPort, 123);
    const later = ethernet(ipv4(Buffer.alloc(40), { proto: 17, fragOffset: 48 }));
    const d2 = decodePacket(1, later, later.length);
    assert.equal(d2.isFragment, true);
    assert.equal(d2.fragmentOffset, 48);
    assert.equal(d2.moreFragments, false);
    assert.equal(d2.transport, 'udp');
    assert.equal(d2.srcPort, undefined);
    assert.equal(d2.payloadLength, 40);
    assert.equal(d2.errors, undefined);
  });

  it('reads DF', () => {
    const pkt = ethernet(ipv4(tcp(Buffer.alloc(0)), { flags: 2 }));
    const d = decodePacket(1, pkt, pkt.length);
    assert.equal(d.dontFragment, true);
    assert.equal(d.isFragment, false);
  });
});

describe('ipv6', () => {
  it('formats addresses per RFC 5952', () => {
    const f = (a: string): string => formatIpv6(ipv6Bytes(a), 0);
    assert.equal(f('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(f('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(f('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
    assert.equal(f('0:0:0:0:0:0:0:0'), '::');
    assert.equal(f('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(f('fe80:0:0:0:0:0:0:0'), 'fe80::');
    assert.equal(f('0:0:0:0:0:ffff:c000:0280'), '::ffff:192.0.2.128');
    assert.equal(f('2001:DB8:AAAA:0:0:0:0:0'), '2001:db8:aaaa::');
  });

  it('walks extension headers to the upper layer', () => {
    const hbh = hex('3a00 0000 0000 0000'.replace('3a', '2c')); // next = fragment (44), 8 bytes
    const frag = hex('3a00 0000 0000 abcd'); // next = ICMPv6, offset 0, MF 0
    const icmp = hex('8000 0000 0001 0001');
    const pkt = ethernet(ipv6(Buffer.concat([hbh, frag, icmp]), { next: 0 }), 0x86dd);
    const d = decodePacket(1, pkt, pkt.length);
    assert.deepEqual(d.ipv6ExtHeaders, [0, 44]);
    assert.equal(d.ipProto, 58);
    assert.equal(d.transport, 'ipv6-icmp');
    assert.equal(d.icmpType, 128);
    assert.equal(d.icmpCode, 0);
    assert.equal(d.ipId, 0xabcd);
    assert.equal(d.highestProtocol, 'icmpv6');
    assert.equal(d.srcIp, '2001:db8::1');
    assert.equal(d.addrLength, 16);
    assert.equal(d.srcAddrOffset, 22);
    assertAllPrefixes(1, pkt);
  });

  it('stops at a non-first fragment and at no-next-header', () => {
    const frag = hex('1100 0031 0000 0001'); // next UDP, offset 48, MF
    const pkt = ethernet(ipv6(Buffer.concat([frag, Buffer.alloc(8)]), { next: 44 }), 0x86dd);
    const d = decodePacket(1, pkt, pkt.length);
    assert.equal(d.isFragment, true);
    assert.equal(d.fragmentOffset, 48);
    assert.equal(d.moreFragments, true);
    assert.equal(d.transport, 'udp');
    assert.equal(d.srcPort, undefined);
    const none = ethernet(ipv6(Buffer.alloc(0), { next: 59 }), 0x86dd);
    const d2 = decodePacket(1, none, none.length);
    assert.equal(d2.ipProto, 59);
    assert.equal(d2.errors, undefined);
  });

  it('reads AH lengths in 4-byte units', () => {
    const ah = Buffer.concat([hex('0604 0000'), Buffer.alloc(20)]); // (4+2)*4 = 24 bytes, next TCP
    const pkt = ethernet(ipv6(Buffer.concat([ah, tcp(Buffer.alloc(0))]), { next: 51 }), 0x86dd);
    const d = decodePacket(1, pkt, pkt.length);
    assert.deepEqual(d.ipv6ExtHeaders, [51]);
    assert.equal(d.srcPort, 1122);
  });
});

describe('other link layers', () => {
  const ip = ipv4(udp(Buffer.from('abc'), { sport: 1000, dport: 2000 }), { proto: 17 });
  it('Linux SLL and SLL2', () => {
    const sll = Buffer.concat([hex('0000 0001 0006 001b213a4f5c 0000 0800'), ip]);
    const d = decodePacket(113, sll, sll.length);
    assert.equal(d.srcMac, '00-1B-21-3A-4F-5C');
    assert.equal(d.srcIp, '1.2.3.4');
    assert.equal(d.dstPort, 2000);
    assertAllPrefixes(113, sll);
    const sll2 = Buffer.concat([hex('0800 0000 00000002 0001 00 06 001b213a4f5c 0000'), ip]);
    const d2 = decodePacket(276, sll2, sll2.length);
    assert.equal(d2.srcMac, '00-1B-21-3A-4F-5C');
    assert.equal(d2.dstIp, '5.6.7.8');
    assertAllPrefixes(276, sll2);
  });

  it('raw IP by version nibble, and the fixed-version raw types', () => {
    for (const lt of [101, 12, 14, 228]) assert.equal(decodePacket(lt, ip, ip.length).srcIp, '1.2.3.4');
    const v6 = ipv6(udp(Buffer.alloc(0)), { next: 17 });
    for (const lt of [101, 229]) assert.equal(decodePacket(lt, v6, v6.length).srcIp, '2001:db8::1');
  });

  it('NULL in both byte orders, and LOOP', () => {
    assert.equal(decodePacket(0, Buffer.concat([hex('02000000'), ip]), 0).srcIp, '1.2.3.4');
    assert.equal(decodePacket(0, Buffer.concat([hex('00000002'), ip]), 0).srcIp, '1.2.3.4');
    const v6 = ipv6(udp(Buffer.alloc(0)), { next: 17 });
    for (const af of ['1e000000', '0000001c', '18000000']) assert.equal(decodePacket(0, Buffer.concat([hex(af), v6]), 0).networkType, 'ipv6');
    assert.equal(decodePacket(108, Buffer.concat([hex('00000002'), ip]), 0).srcIp, '1.2.3.4');
    assertAllPrefixes(0, Buffer.concat([hex('02000000'), ip]));
  });

  it('NFLOG: finds the payload TLV', () => {
    const prefix = Buffer.concat([hex('0800 0100'), Buffer.from('abc\0')]); // type 10 prefix, 8 bytes
    const payloadTlv = Buffer.alloc(4);
    payloadTlv.writeUInt16LE(4 + ip.length, 0);
    payloadTlv.writeUInt16LE(9, 2);
    const pad = Buffer.alloc((4 - (ip.length % 4)) % 4);
    const pkt = Buffer.concat([hex('02 00 0000'), prefix, payloadTlv, ip, pad]);
    const d = decodePacket(239, pkt, pkt.length);
    assert.equal(d.srcIp, '1.2.3.4');
    assert.equal(d.dstPort, 2000);
    assert.equal(d.payloadLength, 3);
    assertAllPrefixes(239, pkt);
  });
});

describe('icmp', () => {
  it('reads type and code', () => {
    const pkt = ethernet(ipv4(hex('0800 0000 0001 0002 6162'), { proto: 1 }));
    const d = decodePacket(1, pkt, pkt.length);
    assert.equal(d.transport, 'icmp');
    assert.equal(d.icmpType, 8);
    assert.equal(d.icmpCode, 0);
    assert.equal(d.highestProtocol, 'icmp');
    assertAllPrefixes(1, pkt);
  });
});

describe('dns', () => {
  it('decodes a query over UDP', () => {
    const pkt = ethernet(ipv4(udp(dnsQuery('www.example.com')), { proto: 17 }));
    const d = decodePacket(1, pkt, pkt.length);
    assert.equal(d.appProtocol, 'dns');
    assert.equal(d.highestProtocol, 'dns');
    assert.deepEqual(d.dns, {
      id: 0xbeef,
      type: 'query',
      opCode: 'QUERY',
      headerFlags: ['RD'],
      responseCode: 'NOERROR',
      questions: [{ name: 'www.example.com', type: 'A', class: 'IN' }],
      answers: [],
      resolvedIps: [],
    });
    assertAllPrefixes(1, pkt);
  });

  const response = Buffer.concat([
    hex('1234 8583 0001 0008 0000 0000'),
    hex('03777777 076578616d706c65 03636f6d 00 0001 0001'), // www.example.com A IN (name at 12)
    hex('c00c 0005 0001 00000e10 0002 c010'), // CNAME → example.com
    hex('c010 0001 0001 0000003c 0004 5db8d822'), // A 93.184.216.34
    hex('c010 001c 0001 0000003c 0010 20010db8000000000000000000000001'), // AAAA
    hex('c010 000f 0001 0000003c 0004 000a c010'), // MX 10 example.com
    hex('c010 0010 0001 0000003c 0008 03616263 03646566'), // TXT "abc" "def"
    hex('c010 0021 0001 0000003c 0008 0001 0002 0035 c010'), // SRV 1 2 53 example.com
    hex('c010 0006 0001 0000003c 001e 026e73 c010 02686d c010 00000001 00000002 00000003 00000004 00000005'), // SOA (mname only: ns.example.com)
    hex('c010 0063 0001 0000003c 0002 abcd'), // SPF-type numbered 99 → hex
  ]);

  it('decodes answers of every kind, compression and flags', () => {
    const pkt = ethernet(ipv4(udp(response, { sport: 53, dport: 40000 }), { proto: 17 }));
    const d = decodePacket(1, pkt, pkt.length);
    const dns = d.dns!;
    assert.equal(dns.type, 'answer');
    assert.deepEqual(dns.headerFlags, ['AA', 'RD', 'RA']);
    assert.equal(dns.responseCode, 'NXDOMAIN');
    assert.deepEqual(
      dns.answers.map((a) => [a.name, a.type, a.data]),
      [
        ['www.example.com', 'CNAME', 'example.com'],
        ['example.com', 'A', '93.184.216.34'],
        ['example.com', 'AAAA', '2001:db8::1'],
        ['example.com', 'MX', '10 example.com'],
        ['example.com', 'TXT', 'abcdef'],
        ['example.com', 'SRV', '1 2 53 example.com'],
        ['example.com', 'SOA', 'ns.example.com'],
        ['example.com', 'SPF', 'abcd'],
      ],
    );
    assert.equal(dns.answers[0].ttl, 3600);
    assert.equal(dns.answers[0].class, 'IN');
    assert.deepEqual(dns.resolvedIps, ['93.184.216.34', '2001:db8::1']);
    assert.equal(d.errors, undefined);
    assertAllPrefixes(1, pkt);
  });

  it('guards against pointer loops and out-of-range pointers', () => {
    const loop = Buffer.concat([hex('0001 0100 0001 0000 0000 0000'), hex('c00c 0001 0001')]);
    const d = decodePacket(1, ethernet(ipv4(udp(loop), { proto: 17 })), 0);
    assert.equal(d.dns?.questions.length, 0);
    assert.deepEqual(d.errors, ['dns: question 1: name contains a pointer that loops']);
    const loop2 = Buffer.concat([hex('0001 0100 0001 0000 0000 0000'), hex('01 61 c0 0e 0001 0001')]);
    assert.match(decodePacket(1, ethernet(ipv4(udp(loop2), { proto: 17 })), 0).errors![0], /loops/);
    const far = Buffer.concat([hex('0001 0100 0001 0000 0000 0000'), hex('c0ff 0001 0001')]);
    assert.deepEqual(decodePacket(1, ethernet(ipv4(udp(far), { proto: 17 })), 0).errors, ['dns: question 1: name pointer out of range']);
  });

  it('names the root and escapes odd label bytes', () => {
    const root = Buffer.concat([hex('0001 0100 0001 0000 0000 0000'), hex('00 0002 0001')]);
    assert.equal(decodePacket(1, ethernet(ipv4(udp(root), { proto: 17 })), 0).dns?.questions[0].name, '<Root>');
    const odd = Buffer.concat([hex('0001 0100 0001 0000 0000 0000'), hex('04 610a5c01 00 0001 0001')]);
    assert.equal(decodePacket(1, ethernet(ipv4(udp(odd), { proto: 17 })), 0).dns?.questions[0].name, 'a\\n\\\\\\001');
  });

  it('decodes mDNS classes without the cache-flush bit, and LLMNR', () => {
    const q = dnsQuery('host.local');
    q.writeUInt16BE(0x8001, q.length - 2);
    const d = decodePacket(1, ethernet(ipv4(udp(q, { sport: 5353, dport: 5353 }), { proto: 17 })), 0);
    assert.equal(d.dns?.questions[0].class, 'IN');
    const l = decodePacket(1, ethernet(ipv4(udp(dnsQuery('host'), { sport: 5355, dport: 50000 }), { proto: 17 })), 0);
    assert.equal(l.dns?.questions[0].name, 'host');
  });

  it('decodes DNS over TCP when the whole message is in the segment, else nothing and no error', () => {
    const msg = dnsQuery('www.tcpdump.org');
    const len = Buffer.alloc(2);
    len.writeUInt16BE(msg.length);
    const whole = ethernet(ipv4(tcp(Buffer.concat([len, msg]), { dport: 53 })));
    assert.equal(decodePacket(1, whole, 0).dns?.questions[0].name, 'www.tcpdump.org');
    const prefixOnly = decodePacket(1, ethernet(ipv4(tcp(len, { dport: 53 }))), 0);
    assert.equal(prefixOnly.dns, undefined);
    assert.equal(prefixOnly.errors, undefined);
    const partial = decodePacket(1, ethernet(ipv4(tcp(Buffer.concat([len, msg.subarray(0, 20)]), { dport: 53 }))), 0);
    assert.equal(partial.dns, undefined);
    assert.equal(partial.errors, undefined);
    assertAllPrefixes(1, whole);
  });
});

describe('http', () => {
  const req = (s: string): ReturnType<typeof decodePacket> => {
    const pkt = ethernet(ipv4(tcp(Buffer.from(s, 'latin1'), { dport: 8080 })));
    return decodePacket(1, pkt, pkt.length);
  };

  it('decodes a request with headers, X-Forwarded-For included', () => {
    const d = req('GET /index.html?q=1 HTTP/1.1\r\nhost:  example.com:8080 \r\nUser-Agent: curl/8.0\r\nX-Forwarded-For: 10.0.0.1, 10.0.0.2\r\n\r\nBody: x\r\n');
    assert.equal(d.appProtocol, 'http');
    assert.equal(d.highestProtocol, 'http');
    assert.deepEqual(d.http, {
      method: 'GET',
      uri: '/index.html?q=1',
      version: '1.1',
      host: 'example.com:8080',
      userAgent: 'curl/8.0',
      forwardedFor: '10.0.0.1, 10.0.0.2',
      statusCode: undefined,
      statusText: undefined,
    });
  });

  it('decodes a response', () => {
    const d = req('HTTP/1.0 404 Not Found\r\nServer: x\r\n\r\n');
    assert.equal(d.http?.statusCode, 404);
    assert.equal(d.http?.statusText, 'Not Found');
    assert.equal(d.http?.version, '1.0');
    assert.equal(d.http?.method, undefined);
  });

  it('accepts odd methods and malformed scanner start lines like tshark', () => {
    assert.equal(req('CCM_POST / HTTP/1.1\r\n\r\n').http?.method, 'CCM_POST');
    assert.equal(req('FOO_BAR /x HTTP/1.0\r\n\r\n').http?.method, 'FOO_BAR');
    const empty = req('OPTIONS  HTTP/1.1\r\nHost: a\r\n\r\n').http;
    assert.equal(empty?.uri, '');
    assert.equal(empty?.version, '1.1');
    assert.equal(empty?.host, 'a');
    assert.equal(req('OPTIONS HTTP/1.1\nHost: b\n\n').http?.uri, 'HTTP/1.1');
    assert.equal(req('GET /HTTP/1.1\nHost: b\n\n').http?.uri, '/HTTP/1.1');
    assert.equal(req('OPTIONS\nHost: b\n\n').http?.method, 'OPTIONS');
    assert.equal(req('GET / HTTP/1.\n\n').http?.version, '1.');
  });

  it('ignores payloads that are not a start line', () => {
    assert.equal(req('FOO_BAR /x\r\n').http, undefined);
    assert.equal(req('some random text\r\n').http, undefined);
    assert.equal(req('GET / HTTP/1.1').http, undefined);
    assert.equal(req('\x00\x01\x02\x03\x04').highestProtocol, 'data');
  });

  it('never throws on prefixes', () => {
    assertAllPrefixes(1, ethernet(ipv4(tcp(Buffer.from('GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: u\r\n\r\n')))));
  });
});

/** A ClientHello with GREASE values, SNI, ALPN, groups, point formats and supported versions. */
function clientHello(): Buffer {
  const ext = (type: number, body: Buffer): Buffer => {
    const h = Buffer.alloc(4);
    h.writeUInt16BE(type, 0);
    h.writeUInt16BE(body.length, 2);
    return Buffer.concat([h, body]);
  };
  const sni = Buffer.from('google.de');
  const exts = Buffer.concat([
    ext(0x0a0a, Buffer.alloc(0)),
    ext(0, Buffer.concat([hex('000c 00 0009'), sni])),
    ext(10, hex('0006 2a2a 001d 0017')),
    ext(11, hex('01 00')),
    ext(16, hex('000c 02 6832 08 687474702f312e31')),
    ext(43, hex('06 3a3a 0304 0303')),
  ]);
  const extLen = Buffer.alloc(2);
  extLen.writeUInt16BE(exts.length);
  const body = Buffer.concat([
    hex('0303'),
    Buffer.alloc(32, 7),
    hex('00'),
    hex('0006 1a1a c02b 1301'),
    hex('01 00'),
    extLen,
    exts,
  ]);
  const hs = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 0xff]), body]);
  const rec = Buffer.concat([Buffer.from([22, 3, 1, hs.length >> 8, hs.length & 0xff]), hs]);
  return rec;
}

describe('tls', () => {
  it('decodes a ClientHello and builds the JA3 string without GREASE', () => {
    const pkt = ethernet(ipv4(tcp(clientHello(), { dport: 443 })));
    const d = decodePacket(1, pkt, pkt.length);
    assert.equal(d.appProtocol, 'tls');
    assert.equal(d.highestProtocol, 'tls');
    assert.deepEqual(d.tls, {
      serverName: 'google.de',
      clientVersion: '1.2',
      supportedVersions: ['1.3', '1.2'],
      alpn: ['h2', 'http/1.1'],
      ciphers: ['c02b', '1301'],
      ja3: '771,49195-4865,0-10-11-16-43,29-23,0',
    });
    assertAllPrefixes(1, pkt);
  });

  it('decodes what there is of a split ClientHello without error', () => {
    const hello = clientHello();
    const pkt = ethernet(ipv4(tcp(hello.subarray(0, 60), { dport: 443 })));
    const d = decodePacket(1, pkt, pkt.length);
    assert.equal(d.tls?.serverName, undefined);
    assert.deepEqual(d.tls?.ciphers, ['c02b', '1301']);
    assert.equal(d.errors, undefined);
  });

  it('recognises other TLS records without tls fields', () => {
    const pkt = ethernet(ipv4(tcp(hex('1703030005 0102030405'), { sport: 443 })));
    const d = decodePacket(1, pkt, pkt.length);
    assert.equal(d.appProtocol, 'tls');
    assert.equal(d.tls, undefined);
  });
});

describe('robustness', () => {
  it('never throws on random bytes for any supported link type', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed >> 16;
    };
    for (const lt of [0, 1, 12, 101, 108, 113, 228, 229, 239, 276]) {
      for (let i = 0; i < 300; i++) {
        const b = Buffer.alloc(rnd() % 200);
        for (let j = 0; j < b.length; j++) b[j] = rnd() & 0xff;
        if (lt === 1 && b.length > 14) b.writeUInt16BE(i % 2 ? 0x0800 : 0x86dd, 12);
        const d = decodePacket(lt, b, b.length);
        assert.ok(!d.errors?.some((e) => e.startsWith('decoder:')), String(d.errors));
      }
    }
  });
});

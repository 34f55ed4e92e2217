import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodePacket } from '../../decoders/decode-packet.js';
import { DecodedPacket } from '../../decoders/decoded-packet.js';
import { ethernet, hex, ipv4, ipv4Bytes, ipv6, ipv6Bytes, tcp, udp } from '../../decoders/test-support/build-packets.js';
import fc from 'fast-check';
import { CommunityIdCache, communityId } from './community-id.js';

/** A DecodedPacket and buffer holding just the tuple (addresses at offsets 0 and len). */
function tupleOf(proto: number, saddr: string, daddr: string, sport: number | null, dport: number | null): [DecodedPacket, Buffer] {
  const v6 = saddr.includes(':');
  const data = v6 ? Buffer.concat([ipv6Bytes(saddr), ipv6Bytes(daddr)]) : Buffer.concat([ipv4Bytes(saddr), ipv4Bytes(daddr)]);
  const d = new DecodedPacket();
  d.addrLength = v6 ? 16 : 4;
  d.srcAddrOffset = 0;
  d.dstAddrOffset = d.addrLength;
  d.ipProto = proto;
  if (sport !== null && dport !== null) {
    if (proto === 1 || proto === 58) {
      d.icmpType = sport;
      d.icmpCode = dport;
    } else {
      d.srcPort = sport;
      d.dstPort = dport;
    }
  }
  return [d, data];
}

// corelight/community-id-spec baseline/baseline_deflt.json and baseline_seed1.json.
// For ICMP the baseline's sport/dport are type/code as seen in the packet.
const BASELINE: [number, string, string, number | null, number | null, string, string][] = [
  [58, 'fe80::200:86ff:fe05:80da', 'fe80::260:97ff:fe07:69ea', 135, 0, '1:dGHyGvjMfljg6Bppwm3bg0LO8TY=', '1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY='],
  [58, 'fe80::260:97ff:fe07:69ea', 'fe80::200:86ff:fe05:80da', 136, 0, '1:dGHyGvjMfljg6Bppwm3bg0LO8TY=', '1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY='],
  [58, 'fe80::260:97ff:fe07:69ea', 'fe80::200:86ff:fe05:80da', 135, 0, '1:zavyT/cezQr1fmImYCwYnMXbgck=', '1:2hSqmsDZ2kdcY9kbiUzOEBic0iM='],
  [58, 'fe80::200:86ff:fe05:80da', 'fe80::260:97ff:fe07:69ea', 136, 0, '1:zavyT/cezQr1fmImYCwYnMXbgck=', '1:2hSqmsDZ2kdcY9kbiUzOEBic0iM='],
  [58, '3ffe:501:1800:2345::2', '3ffe:507:0:1:200:86ff:fe05:80da', 3, 0, '1:2ObVBgIn28oZvibYZhZMBgh7WdQ=', '1:lVEtCZpYu84Xqaa++3lXFyuu2n4='],
  [58, '3ffe:501:410:0:2c0:dfff:fe47:33e', '3ffe:507:0:1:200:86ff:fe05:80da', 1, 4, '1:hLZd0XGWojozrvxqE0dWB1iM6R0=', '1:W8MHwXpWzpoSTD+cGcaJr4u0ys8='],
  [58, '3ffe:507:0:1:200:86ff:fe05:80da', '3ffe:501:0:1001::2', 128, 0, '1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=', '1:GfZxjAkDk2MkegpBYHV6tadtFXQ='],
  [58, '3ffe:501:0:1001::2', '3ffe:507:0:1:200:86ff:fe05:80da', 129, 0, '1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=', '1:GfZxjAkDk2MkegpBYHV6tadtFXQ='],
  [58, 'fe80::200:86ff:fe05:80da', 'ff02::2', 133, 0, '1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=', '1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8='],
  [58, 'fe80::260:97ff:fe07:69ea', 'ff02::1', 134, 0, '1:pkvHqCL88/tg1k4cPigmZXUtL00=', '1:K/ee5UCqAMAQXDorP5nSa2CGLjc='],
  [1, '192.168.0.89', '192.168.0.1', 8, 0, '1:X0snYXpgwiv9TZtqg64sgzUn6Dk=', '1:03g6IloqVBdcZlPyX8r0hgoE7kA='],
  [1, '192.168.0.1', '192.168.0.89', 0, 0, '1:X0snYXpgwiv9TZtqg64sgzUn6Dk=', '1:03g6IloqVBdcZlPyX8r0hgoE7kA='],
  [1, '10.0.0.1', '10.0.0.2', 11, 0, '1:YHxtAirCG//0OzkcVAukqKQN9xM=', '1:XjUibYHaafLQ3pxQeiMI8g25q20='],
  [6, '2001:470:e5bf:dead:4957:2174:e82c:4887', '2607:f8b0:400c:c03::1a', 63943, 25, '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=', '1:eJYTW6AOzFLlSUoESovMjnu7rMw='],
  [6, '2607:f8b0:400c:c03::1a', '2001:470:e5bf:dead:4957:2174:e82c:4887', 25, 63943, '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=', '1:eJYTW6AOzFLlSUoESovMjnu7rMw='],
  [132, '192.168.170.8', '192.168.170.56', 7, 7, '1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=', '1:5w3ZRjeKBzqT3zsaEECDGjUbYeg='],
  [132, '192.168.170.56', '192.168.170.8', 7, 7, '1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=', '1:5w3ZRjeKBzqT3zsaEECDGjUbYeg='],
  [6, '128.232.110.120', '66.35.250.204', 34855, 80, '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', '1:3V71V58M3Ksw/yuFALMcW0LAHvc='],
  [6, '66.35.250.204', '128.232.110.120', 80, 34855, '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', '1:3V71V58M3Ksw/yuFALMcW0LAHvc='],
  [17, '192.168.1.52', '8.8.8.8', 54585, 53, '1:d/FP5EW3wiY1vCndhwleRRKHowQ=', '1:Q9We8WO3piVF8yEQBNJF4uiSVrI='],
  [17, '8.8.8.8', '192.168.1.52', 53, 54585, '1:d/FP5EW3wiY1vCndhwleRRKHowQ=', '1:Q9We8WO3piVF8yEQBNJF4uiSVrI='],
  [46, '10.1.12.1', '10.1.12.2', null, null, '1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=', '1:rYir8gphR31noO9iDRQmF/BteEI='],
  [46, '10.1.12.2', '10.1.12.1', null, null, '1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=', '1:rYir8gphR31noO9iDRQmF/BteEI='],
];

describe('communityId', () => {
  it('matches the required vectors on decoded packets', () => {
    const a = ethernet(ipv4(tcp(Buffer.alloc(0), { sport: 1122, dport: 3344 }), { src: '1.2.3.4', dst: '5.6.7.8' }));
    assert.equal(communityId(decodePacket(1, a, a.length), a), '1:wCb3OG7yAFWelaUydu0D+125CLM=');
    const b = ethernet(ipv4(tcp(Buffer.alloc(0), { sport: 80, dport: 34855 }), { src: '66.35.250.204', dst: '128.232.110.120' }));
    const c = ethernet(ipv4(tcp(Buffer.alloc(0), { sport: 34855, dport: 80 }), { src: '128.232.110.120', dst: '66.35.250.204' }));
    assert.equal(communityId(decodePacket(1, b, b.length), b), '1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
    assert.equal(communityId(decodePacket(1, c, c.length), c), '1:LQU9qZlK+B5F3KDmev6m5PMibrg=');
  });

  it('matches the spec baseline, seed 0 and seed 1', () => {
    for (const [proto, s, d, sp, dp, id0, id1] of BASELINE) {
      const [pkt, data] = tupleOf(proto, s, d, sp, dp);
      assert.equal(communityId(pkt, data), id0, `${proto} ${s} ${d} ${sp} ${dp}`);
      assert.equal(communityId(pkt, data, 1), id1, `seed 1: ${proto} ${s} ${d} ${sp} ${dp}`);
    }
  });

  it('hashes exactly the documented bytes', () => {
    const [pkt, data] = tupleOf(17, '8.8.8.8', '192.168.1.52', 53, 54585);
    // 8.8.8.8 < 192.168.1.52, so the server endpoint comes first.
    const input = Buffer.concat([hex('0000'), ipv4Bytes('8.8.8.8'), ipv4Bytes('192.168.1.52'), hex('1100'), hex('0035 d539')]);
    assert.equal(communityId(pkt, data), '1:' + createHash('sha1').update(input).digest('base64'));
  });

  it('hashes a non-first fragment without ports', () => {
    const later = ethernet(ipv4(Buffer.alloc(16), { proto: 17, fragOffset: 48 }));
    const d = decodePacket(1, later, later.length);
    const [portless, data] = tupleOf(17, '1.2.3.4', '5.6.7.8', null, null);
    assert.equal(communityId(d, later), communityId(portless, data));
  });

  it('is undefined without an IP layer', () => {
    const arp = ethernet(Buffer.alloc(28), 0x0806);
    assert.equal(communityId(decodePacket(1, arp, arp.length), arp), undefined);
  });
});

describe('CommunityIdCache', () => {
  it('returns the same IDs as communityId, for hits and misses, v4 and v6, and after eviction', () => {
    const cache = new CommunityIdCache(0, 5);
    const seeded = new CommunityIdCache(1);
    for (let round = 0; round < 3; round++) {
      for (const [proto, s, d, sp, dp, id0, id1] of BASELINE) {
        const [pkt, data] = tupleOf(proto, s, d, sp, dp);
        assert.equal(cache.get(pkt, data), id0);
        assert.equal(seeded.get(pkt, data), id1);
      }
    }
    const v6 = ipv6(udp(Buffer.alloc(0), { sport: 1, dport: 2 }), { next: 17 });
    const d = decodePacket(101, v6, v6.length);
    assert.equal(cache.get(d, v6), communityId(d, v6));
    assert.equal(cache.get(d, v6), communityId(d, v6));
  });

  it('agrees with communityId for random flows in both directions, through collisions and refills', () => {
    const cache = new CommunityIdCache(0, 10); // 1024 slots, emptied at 768 entries
    const addr = fc.constantFrom('10.0.0.1', '10.0.0.2', '192.0.2.1', '255.255.255.255', '0.0.0.0', '128.0.0.1');
    const tupleArb = fc.tuple(fc.constantFrom(1, 6, 17, 47, 132), addr, addr, fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }));
    fc.assert(
      fc.property(fc.array(tupleArb, { minLength: 1, maxLength: 2000 }), (flows) => {
        for (const [proto, s, d, sp, dp] of flows) {
          const icmp = proto === 1;
          for (const [a, b, x, y] of [[s, d, sp, dp], [d, s, dp, sp]] as const) {
            const [pkt, data] = tupleOf(proto, a, b, icmp ? x & 0xff : x, icmp ? y & 0xff : y);
            assert.equal(cache.get(pkt, data), communityId(pkt, data));
          }
        }
      }),
      { seed: 5, numRuns: 20 },
    );
  });
});

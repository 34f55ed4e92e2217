/**
 * Pins what the default databases answer for a few thousand addresses — every distinct client of
 * the real 10,000-line Apache log, plus IPv4 and IPv6 addresses at and around the edges of the ASN
 * ranges (first, last and first-after addresses: where a range table's bisection goes wrong) — so
 * that memory work on the enricher cannot change an answer. Written by the enricher as it was before
 * the ASN table moved to typed arrays (issue 6); SLUICE_UPDATE_PINS=1 rewrites it (after a database
 * package update, review the diff).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../config/test-support.js';
import { GeoIpEnricher, type GeoIpResult } from './geoip-enricher.js';

const PINNED = join(REPO_ROOT, 'src/enrichers/geoip/testdata/pinned-lookups.tsv');
const LOG = '/work/shared/corpus/access-logs/elastic-examples-apache_logs.log';
const UPDATE = process.env.SLUICE_UPDATE_PINS === '1';

/** ip, country, region, city, postal code, time zone, lat,lon, AS number, AS organisation. */
function row(ip: string, r: GeoIpResult | undefined): string {
  const g = r?.geo;
  const loc = g?.location ? `${g.location.lat},${g.location.lon}` : '';
  return [ip, g?.country_iso_code, g?.region_name, g?.city_name, g?.postal_code, g?.timezone, loc, r?.as?.number, r?.as?.organization?.name].map((v) => (v === undefined ? '' : String(v))).join('\t');
}

function v6Text(n: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((n >> BigInt(i * 16)) & 0xffffn).toString(16));
  return groups.join(':');
}

function v4Text(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The addresses to pin (only used when writing the file; the test reads them back from it). */
function addresses(): string[] {
  const ips = new Set<string>();
  for (const line of readFileSync(LOG, 'utf8').split('\n')) if (line !== '') ips.add(line.slice(0, line.indexOf(' ')));
  const asnDir = dirname(createRequire(import.meta.url).resolve('@ip-location-db/asn/package.json'));
  const v4 = readFileSync(join(asnDir, 'asn-ipv4-num.csv'), 'utf8').split('\n');
  for (let i = 0; i < v4.length; i += 1999) {
    const [s, e] = v4[i].split(',').map(Number);
    if (Number.isNaN(s)) continue;
    for (const n of [s, e, e + 1, Math.floor((s + e) / 2)]) if (n <= 0xffffffff) ips.add(v4Text(n));
  }
  const v6 = readFileSync(join(asnDir, 'asn-ipv6-num.csv'), 'utf8').split('\n');
  for (let i = 0; i < v6.length; i += 293) {
    const [a, b] = v6[i].split(',');
    if (a === undefined || b === undefined || a === '') continue;
    const [s, e] = [BigInt(a), BigInt(b)];
    for (const n of [s, e, e + 1n, (s + e) / 2n]) if (n < 1n << 128n) ips.add(v6Text(n));
  }
  return [...ips];
}

describe('GeoIpEnricher answers exactly the pinned results', () => {
  it('for the Apache log clients and the edges of the ASN ranges, IPv4 and IPv6', async () => {
    const geo = await GeoIpEnricher.open({ cacheEntries: 0 });
    if (UPDATE) {
      const rows = addresses().map((ip) => row(ip, geo.lookup(ip)));
      writeFileSync(PINNED, `# ip\tcountry\tregion\tcity\tpostal\ttimezone\tlat,lon\tasn\torganization (written by geoip-pinned.test.ts)\n${rows.join('\n')}\n`);
    }
    const pinned = readFileSync(PINNED, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    assert.ok(pinned.length > 3000, `${pinned.length} pinned addresses`);
    assert.ok(pinned.filter((l) => l.includes(':')).length > 1000, 'IPv6 addresses are pinned');
    const changed: string[] = [];
    // Twice: uncached answers, then the same through a cache, in a different order.
    const cached = await GeoIpEnricher.open();
    for (const [g, list] of [[geo, pinned], [cached, [...pinned].reverse()]] as const) {
      for (const want of list) {
        const ip = want.slice(0, want.indexOf('\t'));
        const got = row(ip, g.lookup(ip));
        if (got !== want) changed.push(`- ${want}\n+ ${got}`);
      }
    }
    assert.deepEqual(changed.slice(0, 20), [], `${changed.length} answers differ from src/enrichers/geoip/testdata/pinned-lookups.tsv`);
    const withAs = pinned.filter((l) => l.split('\t')[7] !== '').length;
    assert.ok(withAs > 2500, `${withAs} pinned addresses have an AS`);
  });
});

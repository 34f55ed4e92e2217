import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AsnRanges } from './asn-ranges.js';
import { GeoIpEnricher, mapRecord, type GeoIpEndpoint } from './geoip-enricher.js';
import { ipv4ToNumber, ipv6ToBigInt, publicAddress } from './ip-address.js';

describe('GeoIpEnricher with the installed @ip-location-db databases', () => {
  let geo: GeoIpEnricher;
  const warnings: string[] = [];
  before(async () => {
    geo = await GeoIpEnricher.open({ warn: (m) => warnings.push(m) });
  });

  it('opens the default city and ASN databases without warnings', () => {
    assert.deepEqual(warnings, []);
    assert.equal(geo.active, true);
    assert.equal(geo.sources.length, 4);
  });

  it('locates the MaxMind test address 81.2.69.142 in Bracknell, GB, AS20712', () => {
    const r = geo.lookup('81.2.69.142');
    assert.equal(r?.geo?.country_iso_code, 'GB');
    assert.equal(r?.geo?.country_name, 'United Kingdom');
    assert.equal(r?.geo?.continent_code, 'EU');
    assert.equal(r?.geo?.continent_name, 'Europe');
    assert.equal(r?.geo?.city_name, 'Bracknell');
    assert.equal(r?.geo?.region_name, 'England');
    assert.ok(Math.abs((r?.geo?.location?.lat ?? 0) - 51.4) < 0.1);
    assert.ok(Math.abs((r?.geo?.location?.lon ?? 0) + 0.76) < 0.1);
    assert.equal(r?.as?.number, 20712);
    assert.match(r?.as?.organization?.name ?? '', /Andrews/);
  });

  it('gives 8.8.8.8 and 2001:4860:4860::8888 the US and Google AS15169', () => {
    for (const ip of ['8.8.8.8', '2001:4860:4860::8888', '::ffff:8.8.8.8']) {
      const r = geo.lookup(ip);
      assert.equal(r?.geo?.country_iso_code, 'US', ip);
      assert.equal(r?.geo?.country_name, 'United States', ip);
      assert.equal(r?.geo?.continent_code, 'NA', ip);
      assert.equal(r?.as?.number, 15169, ip);
      assert.match(r?.as?.organization?.name ?? '', /Google/, ip);
    }
  });

  it('looks up no private, loopback, link-local, multicast, documentation or invalid address', () => {
    for (const ip of ['10.1.2.3', '192.168.0.1', '172.16.5.4', '127.0.0.1', '169.254.1.1', '100.64.0.1', '224.0.0.1', '255.255.255.255', '192.0.2.7', '198.51.100.1', '203.0.113.9', '::1', 'fe80::1', 'fd00::1', 'ff02::1', '2001:db8::1', '::ffff:10.0.0.1', 'not-an-ip', '', '-']) {
      assert.equal(geo.lookup(ip), undefined, ip);
      const doc: { source: GeoIpEndpoint } = { source: { ip } };
      assert.equal(geo.enrich(doc), 0, ip);
      assert.equal(doc.source.geo, undefined, ip);
    }
  });

  it('fills source.geo / source.as on a document, and destination/client when asked, with copies', () => {
    const doc = { source: { ip: '81.2.69.142', address: '81.2.69.142' }, destination: { ip: '8.8.8.8' }, client: { ip: '10.0.0.1' } } as Record<string, { ip: string; geo?: { city_name?: string }; as?: { number: number } }>;
    assert.equal(geo.enrich(doc), 1);
    assert.equal(doc.source.geo?.city_name, 'Bracknell');
    assert.equal(doc.destination.geo, undefined);
    assert.equal(geo.enrich(doc, ['destination', 'client']), 1);
    assert.equal(doc.destination.as?.number, 15169);
    doc.source.geo!.city_name = 'changed';
    assert.equal(geo.lookup('81.2.69.142')?.geo?.city_name, 'Bracknell', 'the cached result is not shared with the document');
  });
});

describe('GeoIpEnricher with missing or damaged databases', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-geoip-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('warns once per missing file, adds nothing and never throws', async () => {
    const warnings: string[] = [];
    const geo = await GeoIpEnricher.open({ cityDbPaths: [join(dir, 'nope.mmdb')], asnDbPaths: [join(dir, 'nope.csv'), join(dir, 'nope-asn.mmdb')], warn: (m) => warnings.push(m) });
    assert.equal(warnings.length, 3);
    assert.match(warnings[0], /nope\.mmdb cannot be read \(ENOENT\)/);
    assert.equal(geo.active, false);
    const doc: { source: GeoIpEndpoint } = { source: { ip: '8.8.8.8' } };
    assert.equal(geo.enrich(doc), 0);
    assert.deepEqual(doc, { source: { ip: '8.8.8.8' } });
  });

  it('warns about a corrupt .mmdb and an ASN CSV without ranges', async () => {
    const bad = join(dir, 'corrupt.mmdb');
    writeFileSync(bad, Buffer.alloc(4096, 0x5a));
    const csv = join(dir, 'junk.csv');
    writeFileSync(csv, 'hello\nworld\n');
    const warnings: string[] = [];
    const geo = await GeoIpEnricher.open({ cityDbPaths: [bad], asnDbPaths: [csv], warn: (m) => warnings.push(m) });
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /corrupt\.mmdb is not a readable MaxMind-format/);
    assert.match(warnings[1], /junk\.csv holds no IP ranges/);
    assert.equal(geo.lookup('8.8.8.8'), undefined);
  });

  it('reads a user ASN CSV (text and numeric ranges, quoted names) and skips bad lines with a warning', async () => {
    const csv = join(dir, 'asn.csv');
    writeFileSync(csv, '1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."\n16778240,16779263,38803,Gtelecom Pty Ltd\n2.26.200.0,2.26.215.255,201907,"LLC ""SPUTNIK"""\n2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,2500,WIDE Project\nbroken line\n');
    const warnings: string[] = [];
    const geo = await GeoIpEnricher.open({ cityDbPaths: [], asnDbPaths: [csv], warn: (m) => warnings.push(m) });
    assert.deepEqual(warnings.length, 1);
    assert.match(warnings[0], /1 of 5 lines/);
    assert.deepEqual(geo.lookup('1.0.0.1'), { as: { number: 13335, organization: { name: 'Cloudflare, Inc.' } } });
    assert.equal(geo.lookup('1.0.4.9')?.as?.number, 38803);
    assert.equal(geo.lookup('2.26.201.1')?.as?.organization?.name, 'LLC "SPUTNIK"');
    assert.equal(geo.lookup('2001:200:1::5')?.as?.number, 2500);
    assert.equal(geo.lookup('1.0.1.0'), undefined);
  });
});

describe('mapRecord (MaxMind layout)', () => {
  it('maps a GeoLite2-City record', () => {
    const r = mapRecord({
      city: { geoname_id: 2655095, names: { en: 'Boxford', de: 'Boxford' } },
      continent: { code: 'EU', names: { en: 'Europe' } },
      country: { iso_code: 'GB', names: { en: 'United Kingdom' } },
      location: { latitude: 51.75, longitude: -1.25, time_zone: 'Europe/London' },
      postal: { code: 'OX1' },
      subdivisions: [{ iso_code: 'ENG', names: { en: 'England' } }],
    });
    assert.deepEqual(r, {
      geo: {
        city_name: 'Boxford', continent_code: 'EU', continent_name: 'Europe', country_iso_code: 'GB', country_name: 'United Kingdom',
        region_iso_code: 'GB-ENG', region_name: 'England', postal_code: 'OX1', timezone: 'Europe/London', location: { lat: 51.75, lon: -1.25 },
      },
    });
  });

  it('maps a GeoLite2-ASN record and ignores unknown layouts', () => {
    assert.deepEqual(mapRecord({ autonomous_system_number: 15169, autonomous_system_organization: 'GOOGLE' }), { as: { number: 15169, organization: { name: 'GOOGLE' } } });
    assert.deepEqual(mapRecord({ something: 'else' }), {});
    assert.deepEqual(mapRecord(null), {});
  });
});

describe('address helpers', () => {
  it('converts addresses to numbers', () => {
    assert.equal(ipv4ToNumber('255.255.255.255'), 0xffffffff);
    assert.equal(ipv4ToNumber('1.0.0.0'), 16777216);
    assert.equal(ipv6ToBigInt('2001:200::'), 42540528726795050063891204319802818560n);
    assert.equal(ipv6ToBigInt('::'), 0n);
    assert.equal(ipv6ToBigInt('::ffff:1.2.3.4'), 0xffff01020304n);
    assert.equal(ipv6ToBigInt('1:2:3:4:5:6:7:8'), 0x00010002000300040005000600070008n);
  });

  it('maps IPv4-mapped IPv6 to IPv4', () => {
    assert.deepEqual(publicAddress('::FFFF:8.8.4.4'), { family: 4, address: '8.8.4.4' });
    assert.deepEqual(publicAddress('2A00:1450::1'), { family: 6, address: '2a00:1450::1' });
  });

  it('bisects ranges', () => {
    const t = new AsnRanges();
    t.addCsv('10,20,1,a\n30,40,2,b\n0,5,0,unrouted\n');
    assert.equal(t.lookupV4(10)?.number, 1);
    assert.equal(t.lookupV4(20)?.number, 1);
    assert.equal(t.lookupV4(25), undefined);
    assert.equal(t.lookupV4(40)?.organization, 'b');
    assert.equal(t.lookupV4(3), undefined, 'ASN 0 means not routed');
  });
});

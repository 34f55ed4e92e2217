import { ipv4ToNumber, ipv6ToBigInt } from './ip-address.js';

/** An autonomous system as ECS `*.as` holds it. */
export interface AsnRecord {
  readonly number: number;
  readonly organization?: string;
}

/**
 * IP-range → ASN table read from the CSV layout of the `@ip-location-db/*asn*` packages
 * (`ip_range_start,ip_range_end,autonomous_system_number,autonomous_system_organization`, inclusive
 * ranges, sorted, non-overlapping; addresses as text or as numbers, IPv4 and IPv6 in one file or two).
 *
 * No ASN `.mmdb` is published on npm, so the default ASN source is this CSV: ~412k IPv4 and ~103k
 * IPv6 rows kept in typed arrays (about 7 MB) and searched by bisection.
 */
export class AsnRanges {
  private v4Start = new Uint32Array(0);
  private v4End = new Uint32Array(0);
  private v4Asn = new Uint32Array(0);
  private v4Org = new Int32Array(0);
  private v4Count = 0;
  private readonly v6Start: bigint[] = [];
  private readonly v6End: bigint[] = [];
  private readonly v6Asn: number[] = [];
  private readonly v6Org: number[] = [];
  private readonly orgs: string[] = [];

  /** Number of ranges held, IPv4 plus IPv6. */
  get size(): number {
    return this.v4Count + this.v6Start.length;
  }

  /**
   * Parses CSV text and adds its rows. Rows that do not parse are skipped and counted (a range
   * table is best effort, like the rest of enrichment); the count is returned so the caller can warn.
   */
  addCsv(text: string): { rows: number; skipped: number } {
    const orgIndex = new Map<string, number>(this.orgs.map((o, i) => [o, i]));
    const starts: number[] = [];
    const ends: number[] = [];
    const asns: number[] = [];
    const orgIds: number[] = [];
    let rows = 0;
    let skipped = 0;
    let pos = 0;
    while (pos < text.length) {
      let eol = text.indexOf('\n', pos);
      if (eol === -1) eol = text.length;
      const line = text.charCodeAt(eol - 1) === 13 ? text.slice(pos, eol - 1) : text.slice(pos, eol);
      pos = eol + 1;
      if (line.length === 0) continue;
      const c1 = line.indexOf(',');
      const c2 = line.indexOf(',', c1 + 1);
      const c3 = line.indexOf(',', c2 + 1);
      if (c1 <= 0 || c2 <= c1 || c3 <= c2) {
        skipped++;
        continue;
      }
      const a = line.slice(0, c1);
      const b = line.slice(c1 + 1, c2);
      const asn = Number(line.slice(c2 + 1, c3));
      if (!Number.isInteger(asn) || asn < 0 || asn > 0xffffffff) {
        skipped++;
        continue;
      }
      const org = unquote(line.slice(c3 + 1));
      let oi = orgIndex.get(org);
      if (oi === undefined) {
        oi = this.orgs.push(org) - 1;
        orgIndex.set(org, oi);
      }
      const v4 = a.includes('.') || (!a.includes(':') && a.length <= 10 && Number(b) <= 0xffffffff);
      try {
        if (v4) {
          const s = a.includes('.') ? ipv4ToNumber(a) : Number(a);
          const e = b.includes('.') ? ipv4ToNumber(b) : Number(b);
          if (!(s <= e) || e > 0xffffffff) throw new Error('bad range');
          starts.push(s);
          ends.push(e);
          asns.push(asn);
          orgIds.push(oi);
        } else {
          const s = a.includes(':') ? ipv6ToBigInt(a) : BigInt(a);
          const e = b.includes(':') ? ipv6ToBigInt(b) : BigInt(b);
          if (s > e) throw new Error('bad range');
          this.v6Start.push(s);
          this.v6End.push(e);
          this.v6Asn.push(asn);
          this.v6Org.push(oi);
        }
        rows++;
      } catch {
        skipped++;
      }
    }
    this.appendV4(starts, ends, asns, orgIds);
    this.sortV6();
    return { rows, skipped };
  }

  /** The AS of an IPv4 address given as a number, or undefined. */
  lookupV4(ip: number): AsnRecord | undefined {
    let lo = 0;
    let hi = this.v4Count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.v4Start[mid] > ip) hi = mid - 1;
      else if (this.v4End[mid] < ip) lo = mid + 1;
      else return this.record(this.v4Asn[mid], this.v4Org[mid]);
    }
    return undefined;
  }

  /** The AS of an IPv6 address given as a 128-bit number, or undefined. */
  lookupV6(ip: bigint): AsnRecord | undefined {
    let lo = 0;
    let hi = this.v6Start.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.v6Start[mid] > ip) hi = mid - 1;
      else if (this.v6End[mid] < ip) lo = mid + 1;
      else return this.record(this.v6Asn[mid], this.v6Org[mid]);
    }
    return undefined;
  }

  private record(asn: number, org: number): AsnRecord | undefined {
    // ASN 0 marks "not routed" in these files.
    if (asn === 0) return undefined;
    const name = this.orgs[org];
    return name ? { number: asn, organization: name } : { number: asn };
  }

  private appendV4(starts: number[], ends: number[], asns: number[], orgIds: number[]): void {
    const n = this.v4Count + starts.length;
    const order = Array.from({ length: n }, (_, i) => i);
    const s = (i: number): number => (i < this.v4Count ? this.v4Start[i] : starts[i - this.v4Count]);
    const e = (i: number): number => (i < this.v4Count ? this.v4End[i] : ends[i - this.v4Count]);
    const a = (i: number): number => (i < this.v4Count ? this.v4Asn[i] : asns[i - this.v4Count]);
    const o = (i: number): number => (i < this.v4Count ? this.v4Org[i] : orgIds[i - this.v4Count]);
    order.sort((x, y) => s(x) - s(y));
    const start = new Uint32Array(n);
    const end = new Uint32Array(n);
    const asn = new Uint32Array(n);
    const org = new Int32Array(n);
    order.forEach((src, dst) => {
      start[dst] = s(src);
      end[dst] = e(src);
      asn[dst] = a(src);
      org[dst] = o(src);
    });
    this.v4Start = start;
    this.v4End = end;
    this.v4Asn = asn;
    this.v4Org = org;
    this.v4Count = n;
  }

  private sortV6(): void {
    const order = this.v6Start.map((_, i) => i).sort((x, y) => (this.v6Start[x] < this.v6Start[y] ? -1 : this.v6Start[x] > this.v6Start[y] ? 1 : 0));
    const [s, e, a, o] = [order.map((i) => this.v6Start[i]), order.map((i) => this.v6End[i]), order.map((i) => this.v6Asn[i]), order.map((i) => this.v6Org[i])];
    // Element by element: spreading ~100k values into splice() would overflow the call stack.
    for (let i = 0; i < order.length; i++) {
      this.v6Start[i] = s[i];
      this.v6End[i] = e[i];
      this.v6Asn[i] = a[i];
      this.v6Org[i] = o[i];
    }
  }
}

/** A CSV field, unquoted (`"LLC ""SPUTNIK"""` → `LLC "SPUTNIK"`). */
function unquote(field: string): string {
  if (field.length >= 2 && field.charCodeAt(0) === 34 && field.charCodeAt(field.length - 1) === 34) {
    return field.slice(1, -1).replaceAll('""', '"');
  }
  return field;
}

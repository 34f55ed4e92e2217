/**
 * Analytics over the honeypot store, the same answers from PostgreSQL and SQLite: counts are
 * numbers, timestamps canonical text, and every list has a total order (count descending, then the
 * key in byte order — PostgreSQL is told `COLLATE "C"`, which is what SQLite's BINARY does — so
 * ties come out identically and `--limit` cuts at the same row).
 */
import { sql, type Expression, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { HoneypotDatabase } from '../../sinks/relational/honeypot-database.js';
import type { HoneypotDb } from '../../sinks/relational/open-honeypot-db.js';
import { canonicalTimestamp, timestampOut } from '../../sinks/relational/canonical-timestamp.js';
import { jsonIn } from '../../sinks/relational/honeypot-store.js';

/** A time range: `since` inclusive, `until` exclusive; either may be absent. ISO-8601 text. */
export interface HoneypotTimeRange {
  readonly since?: string;
  readonly until?: string;
}

/** Attack summary for a time range (sessions by start time, events by their time). */
export interface HoneypotSummary {
  readonly since: string | null;
  readonly until: string | null;
  readonly sessions: number;
  readonly uniqueIps: number;
  readonly sessionsWithLogin: number;
  readonly loginAttempts: number;
  readonly loginSuccesses: number;
  readonly loginFailures: number;
  /** successes / attempts, rounded to 4 decimals; null without attempts. */
  readonly loginSuccessRate: number | null;
  readonly uniqueUsernames: number;
  readonly uniquePasswords: number;
  readonly commands: number;
  readonly downloads: number;
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  readonly topCountries: readonly { readonly countryIsoCode: string | null; readonly countryName: string | null; readonly sessions: number; readonly ips: number }[];
  readonly topAsns: readonly { readonly asn: number | null; readonly organization: string | null; readonly sessions: number; readonly ips: number }[];
}

export interface CredentialCount { readonly username: string; readonly password: string; readonly attempts: number; readonly successes: number; readonly firstSeen: string; readonly lastSeen: string }
export interface ValueCount { readonly value: string; readonly attempts: number; readonly successes: number; readonly distinctPairs: number }
export interface CommandCount { readonly input: string; readonly count: number; readonly sessions: number; readonly ips: number; readonly unknownToShell: number }
export interface DownloadSummary { readonly shasum: string | null; readonly url: string | null; readonly outfile: string | null; readonly size: number | null; readonly count: number; readonly sessions: number; readonly firstSeen: string; readonly lastSeen: string }
export interface AttackPatternHit {
  readonly ruleId: string; readonly name: string; readonly techniqueIds: readonly string[]; readonly tactic: string; readonly severity: string;
  readonly scope: string; readonly scopeKey: string; readonly srcIp: string | null; readonly session: string | null;
  readonly evidenceCount: number; readonly evidence: readonly string[]; readonly firstSeen: string; readonly lastSeen: string;
}

/** Everything about one session. */
export interface HoneypotSessionDetail {
  readonly session: Record<string, unknown>;
  readonly authAttempts: readonly { readonly timestamp: string; readonly username: string; readonly password: string; readonly success: boolean }[];
  readonly commands: readonly { readonly timestamp: string; readonly input: string; readonly knownToShell: boolean }[];
  readonly downloads: readonly { readonly timestamp: string; readonly eventid: string; readonly url: string | null; readonly outfile: string | null; readonly shasum: string | null; readonly size: number | null }[];
  readonly attackPatterns: readonly AttackPatternHit[];
  readonly ip: Record<string, unknown> | null;
  /** The logged lines, parsed back (a line that is no longer JSON stays a string). */
  readonly rawEvents: readonly unknown[];
}

/** Default row limit of the top-N answers. */
export const DEFAULT_TOP_LIMIT = 10;

/** The analytics library API. */
export class HoneypotAnalytics {
  private readonly db: Kysely<HoneypotDatabase>;
  constructor(private readonly handle: HoneypotDb) {
    this.db = handle.db;
  }

  /** `ref` ordered by bytes on both databases. */
  private text(ref: string | RawBuilder<unknown>): RawBuilder<unknown> {
    // PostgreSQL allows a select alias in ORDER BY only bare, so callers pass the expression then.
    const e = typeof ref === 'string' ? sql.ref(ref) : ref;
    return this.handle.dialect === 'postgres' ? sql`${e} collate "C"` : sql`${e}`;
  }

  /** Attack summary. */
  async summary(range: HoneypotTimeRange = {}, limit = DEFAULT_TOP_LIMIT): Promise<HoneypotSummary> {
    const { since, until } = canonicalRange(range);
    const s = await inRange(this.db.selectFrom('sessions'), 'started_at', since, until)
      .select((eb) => [
        eb.fn.countAll().as('n'),
        eb.fn.count(eb.fn('distinct', [eb.ref('src_ip')] as never) as never).as('ips'),
        eb.fn.sum('login_success').as('logins'),
        eb.fn.min('started_at').as('first'),
        eb.fn.max('last_seen_at').as('last'),
      ])
      .executeTakeFirstOrThrow();
    const a = await inRange(this.db.selectFrom('auth_attempts'), 'timestamp', since, until)
      .select((eb) => [
        eb.fn.countAll().as('n'),
        eb.fn.sum('success').as('ok'),
        eb.fn.count(eb.fn('distinct', [eb.ref('username')] as never) as never).as('users'),
        eb.fn.count(eb.fn('distinct', [eb.ref('password')] as never) as never).as('passwords'),
      ])
      .executeTakeFirstOrThrow();
    const c = await inRange(this.db.selectFrom('commands'), 'timestamp', since, until).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const d = await inRange(this.db.selectFrom('downloads'), 'timestamp', since, until).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const joined = () => inRange(this.db.selectFrom('sessions').leftJoin('ip_intelligence', 'ip_intelligence.ip', 'sessions.src_ip'), 'sessions.started_at', since, until);
    const countries = await joined()
      .select((eb) => [
        sql<string>`coalesce(${sql.ref('ip_intelligence.country_iso_code')}, '')`.as('code'),
        eb.fn.min('ip_intelligence.country_name').as('cname'),
        eb.fn.countAll().as('n'),
        eb.fn.count(eb.fn('distinct', [eb.ref('sessions.src_ip')] as never) as never).as('ips'),
      ])
      .groupBy(sql`coalesce(${sql.ref('ip_intelligence.country_iso_code')}, '')`)
      .orderBy('n', 'desc')
      .orderBy(this.text(sql`coalesce(${sql.ref('ip_intelligence.country_iso_code')}, '')`))
      .limit(limit)
      .execute();
    const asns = await joined()
      .select((eb) => [
        sql<number>`coalesce(${sql.ref('ip_intelligence.asn')}, 0)`.as('asn'),
        eb.fn.min('ip_intelligence.as_org').as('org'),
        eb.fn.countAll().as('n'),
        eb.fn.count(eb.fn('distinct', [eb.ref('sessions.src_ip')] as never) as never).as('ips'),
      ])
      .groupBy(sql`coalesce(${sql.ref('ip_intelligence.asn')}, 0)`)
      .orderBy('n', 'desc')
      .orderBy('asn')
      .limit(limit)
      .execute();
    const attempts = Number(a.n);
    const ok = Number(a.ok ?? 0);
    return {
      since: since ?? null,
      until: until ?? null,
      sessions: Number(s.n),
      uniqueIps: Number(s.ips),
      sessionsWithLogin: Number(s.logins ?? 0),
      loginAttempts: attempts,
      loginSuccesses: ok,
      loginFailures: attempts - ok,
      loginSuccessRate: attempts === 0 ? null : Math.round((ok / attempts) * 10_000) / 10_000,
      uniqueUsernames: Number(a.users),
      uniquePasswords: Number(a.passwords),
      commands: Number(c.n),
      downloads: Number(d.n),
      firstSeen: timestampOut(s.first),
      lastSeen: timestampOut(s.last),
      topCountries: countries.map((r) => ({ countryIsoCode: r.code === '' ? null : String(r.code), countryName: (r.cname as string | null) ?? null, sessions: Number(r.n), ips: Number(r.ips) })),
      topAsns: asns.map((r) => ({ asn: Number(r.asn) === 0 ? null : Number(r.asn), organization: (r.org as string | null) ?? null, sessions: Number(r.n), ips: Number(r.ips) })),
    };
  }

  /** Most tried username/password pairs (the `credentials` rollup when no range is given). */
  async topCredentials(range: HoneypotTimeRange = {}, limit = DEFAULT_TOP_LIMIT): Promise<CredentialCount[]> {
    const { since, until } = canonicalRange(range);
    if (since === undefined && until === undefined) {
      const rows = await this.db.selectFrom('credentials').select(['username', 'password', 'attempts', 'successes', 'first_seen', 'last_seen'])
        .orderBy('attempts', 'desc').orderBy(this.text('username')).orderBy(this.text('password')).limit(limit).execute();
      return rows.map((r) => ({ username: r.username, password: r.password, attempts: Number(r.attempts), successes: Number(r.successes), firstSeen: timestampOut(r.first_seen)!, lastSeen: timestampOut(r.last_seen)! }));
    }
    const rows = await inRange(this.db.selectFrom('auth_attempts'), 'timestamp', since, until)
      .select((eb) => ['username', 'password', eb.fn.countAll().as('n'), eb.fn.sum('success').as('ok'), eb.fn.min('timestamp').as('first'), eb.fn.max('timestamp').as('last')])
      .groupBy(['username', 'password'])
      .orderBy('n', 'desc').orderBy(this.text('username')).orderBy(this.text('password')).limit(limit).execute();
    return rows.map((r) => ({ username: r.username, password: r.password, attempts: Number(r.n), successes: Number(r.ok), firstSeen: timestampOut(r.first)!, lastSeen: timestampOut(r.last)! }));
  }

  /** Most tried usernames. */
  topUsernames(range: HoneypotTimeRange = {}, limit = DEFAULT_TOP_LIMIT): Promise<ValueCount[]> {
    return this.topValue('username', 'password', range, limit);
  }

  /** Most tried passwords. */
  topPasswords(range: HoneypotTimeRange = {}, limit = DEFAULT_TOP_LIMIT): Promise<ValueCount[]> {
    return this.topValue('password', 'username', range, limit);
  }

  private async topValue(col: 'username' | 'password', other: 'username' | 'password', range: HoneypotTimeRange, limit: number): Promise<ValueCount[]> {
    const { since, until } = canonicalRange(range);
    const rows = await inRange(this.db.selectFrom('auth_attempts'), 'timestamp', since, until)
      .select((eb) => [eb.ref(col).as('value'), eb.fn.countAll().as('n'), eb.fn.sum('success').as('ok'), eb.fn.count(eb.fn('distinct', [eb.ref(other)] as never) as never).as('pairs')])
      .groupBy(col)
      .orderBy('n', 'desc').orderBy(this.text(col)).limit(limit).execute();
    return rows.map((r) => ({ value: String(r.value), attempts: Number(r.n), successes: Number(r.ok), distinctPairs: Number(r.pairs) }));
  }

  /** Most frequent command lines. */
  async topCommands(range: HoneypotTimeRange = {}, limit = DEFAULT_TOP_LIMIT): Promise<CommandCount[]> {
    const { since, until } = canonicalRange(range);
    const rows = await inRange(this.db.selectFrom('commands'), 'timestamp', since, until)
      .select((eb) => [
        'input', eb.fn.countAll().as('n'),
        eb.fn.count(eb.fn('distinct', [eb.ref('session')] as never) as never).as('sessions'),
        eb.fn.count(eb.fn('distinct', [eb.ref('src_ip')] as never) as never).as('ips'),
        eb.fn.sum('known').as('known'),
      ])
      .groupBy('input').orderBy('n', 'desc').orderBy(this.text('input')).limit(limit).execute();
    return rows.map((r) => ({ input: r.input, count: Number(r.n), sessions: Number(r.sessions), ips: Number(r.ips), unknownToShell: Number(r.n) - Number(r.known) }));
  }

  /** Downloaded (and uploaded) files by hash and URL. */
  async downloads(range: HoneypotTimeRange = {}, limit = DEFAULT_TOP_LIMIT): Promise<DownloadSummary[]> {
    const { since, until } = canonicalRange(range);
    const rows = await inRange(this.db.selectFrom('downloads'), 'timestamp', since, until)
      .select((eb) => [
        sql<string>`coalesce(${sql.ref('shasum')}, '')`.as('sha'), sql<string>`coalesce(${sql.ref('url')}, '')`.as('u'),
        eb.fn.min('outfile').as('outfile'), eb.fn.max('size').as('size'), eb.fn.countAll().as('n'),
        eb.fn.count(eb.fn('distinct', [eb.ref('session')] as never) as never).as('sessions'), eb.fn.min('timestamp').as('first'), eb.fn.max('timestamp').as('last'),
      ])
      .groupBy([sql`coalesce(${sql.ref('shasum')}, '')`, sql`coalesce(${sql.ref('url')}, '')`])
      .orderBy('n', 'desc').orderBy(this.text(sql`coalesce(${sql.ref('shasum')}, '')`)).orderBy(this.text(sql`coalesce(${sql.ref('url')}, '')`)).limit(limit).execute();
    return rows.map((r) => ({
      shasum: r.sha === '' ? null : String(r.sha), url: r.u === '' ? null : String(r.u), outfile: (r.outfile as string | null) ?? null, size: r.size === null ? null : Number(r.size),
      count: Number(r.n), sessions: Number(r.sessions), firstSeen: timestampOut(r.first)!, lastSeen: timestampOut(r.last)!,
    }));
  }

  /** Attack-pattern detections active in the range, by rule then address/session. */
  async attackPatterns(range: HoneypotTimeRange = {}, limit = 1000): Promise<AttackPatternHit[]> {
    const { since, until } = canonicalRange(range);
    let q = this.db.selectFrom('attack_patterns').selectAll();
    if (since !== undefined) q = q.where('last_seen', '>=', since);
    if (until !== undefined) q = q.where('first_seen', '<', until);
    const rows = await q.orderBy(this.text('rule_id')).orderBy(this.text('scope')).orderBy(this.text('scope_key')).limit(limit).execute();
    return rows.map(patternOut);
  }

  /** Everything about one Cowrie session, or undefined. */
  async session(session: string): Promise<HoneypotSessionDetail | undefined> {
    const s = await this.db.selectFrom('sessions').selectAll().where('session', '=', session).executeTakeFirst();
    if (!s) return undefined;
    const { id: _id, created_at: _c, updated_at: _u, ...rest } = s;
    const out: Record<string, unknown> = { ...rest };
    for (const k of ['started_at', 'ended_at', 'last_seen_at', 'login_at']) out[k] = timestampOut(out[k]);
    for (const k of ['src_port', 'dst_port', 'duration_secs']) out[k] = out[k] === null ? null : Number(out[k]);
    for (const k of ['login_success', 'connect_seen', 'closed']) out[k] = Number(out[k]) === 1;
    out.metadata = jsonIn(out.metadata);
    const auth = await this.db.selectFrom('auth_attempts').select(['timestamp', 'username', 'password', 'success']).where('session', '=', session).orderBy('timestamp').orderBy('id').execute();
    const cmds = await this.db.selectFrom('commands').select(['timestamp', 'input', 'known']).where('session', '=', session).orderBy('timestamp').orderBy('id').execute();
    const dls = await this.db.selectFrom('downloads').select(['timestamp', 'eventid', 'url', 'outfile', 'shasum', 'size']).where('session', '=', session).orderBy('timestamp').orderBy('id').execute();
    const raw = await this.db.selectFrom('raw_events').select(['original']).where('session', '=', session).orderBy('timestamp').orderBy(this.text('id')).execute();
    const patterns = await this.db.selectFrom('attack_patterns').selectAll()
      .where((eb) => eb.or([eb.and([eb('scope', '=', 'session'), eb('scope_key', '=', session)]), ...(s.src_ip ? [eb.and([eb('scope', '=', 'ip'), eb('scope_key', '=', s.src_ip)])] : [])]))
      .orderBy(this.text('rule_id')).orderBy(this.text('scope')).execute();
    const ip = s.src_ip ? await this.db.selectFrom('ip_intelligence').selectAll().where('ip', '=', s.src_ip).executeTakeFirst() : undefined;
    let ipOut: Record<string, unknown> | null = null;
    if (ip) {
      const { id: _i, created_at: _ic, updated_at: _iu, ...r } = ip;
      ipOut = { ...r, first_seen: timestampOut(r.first_seen), last_seen: timestampOut(r.last_seen), asn: r.asn === null ? null : Number(r.asn), metadata: jsonIn(r.metadata) };
      for (const k of ['sessions', 'auth_attempts', 'login_successes', 'commands', 'downloads']) ipOut[k] = Number(ipOut[k]);
    }
    return {
      session: out,
      authAttempts: auth.map((r) => ({ timestamp: timestampOut(r.timestamp)!, username: r.username, password: r.password, success: Number(r.success) === 1 })),
      commands: cmds.map((r) => ({ timestamp: timestampOut(r.timestamp)!, input: r.input, knownToShell: Number(r.known) === 1 })),
      downloads: dls.map((r) => ({ timestamp: timestampOut(r.timestamp)!, eventid: r.eventid, url: r.url, outfile: r.outfile, shasum: r.shasum, size: r.size === null ? null : Number(r.size) })),
      attackPatterns: patterns.map(patternOut),
      ip: ipOut,
      rawEvents: raw.map((r) => {
        try {
          return JSON.parse(r.original) as unknown;
        } catch {
          return r.original;
        }
      }),
    };
  }
}

function patternOut(r: HoneypotDatabase['attack_patterns']): AttackPatternHit {
  return {
    ruleId: r.rule_id, name: r.name, techniqueIds: jsonIn(r.technique_ids) as string[], tactic: r.tactic, severity: r.severity, scope: r.scope, scopeKey: r.scope_key,
    srcIp: r.src_ip, session: r.session, evidenceCount: Number(r.evidence_count), evidence: jsonIn(r.evidence) as string[],
    firstSeen: timestampOut(r.first_seen)!, lastSeen: timestampOut(r.last_seen)!,
  };
}

function canonicalRange(range: HoneypotTimeRange): { since?: string; until?: string } {
  const conv = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    const c = canonicalTimestamp(v);
    if (c === undefined) throw new RangeError(`${name} is not an ISO-8601 time: ${v}`);
    return c;
  };
  return { since: conv(range.since, 'since'), until: conv(range.until, 'until') };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function inRange<Q extends SelectQueryBuilder<any, any, any>>(q: Q, col: string, since: string | undefined, until: string | undefined): Q {
  let out = q;
  if (since !== undefined) out = out.where(sql.ref(col) as Expression<unknown>, '>=', since) as Q;
  if (until !== undefined) out = out.where(sql.ref(col) as Expression<unknown>, '<', until) as Q;
  return out;
}

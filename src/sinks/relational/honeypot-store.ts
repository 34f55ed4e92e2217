/**
 * The honeypot writer: batches of parsed Cowrie events (with their deterministic ids) into the
 * relational store, idempotently.
 *
 * How replays change nothing: every event row's primary key comes from the event id
 * (`<fileId>-<offset>`), inserted with ON CONFLICT DO NOTHING; only events that were new in
 * `raw_events` are processed further. Sessions are merged in code with rules that are idempotent
 * (min/max of times, first value wins, flags only go up) and written only when the merge changed
 * something, so `updated_at` moves only on real changes. `credentials`, `ip_intelligence` and
 * `attack_patterns` are never incremented: their rows are recomputed from the event rows of the
 * keys the batch touched, so a count cannot double. One batch is one transaction; on PostgreSQL a
 * transaction-scoped advisory lock serialises writers (two collectors on one database), SQLite has
 * one writer by construction.
 */
import { sql, type ExpressionBuilder, type Kysely, type Transaction } from 'kysely';
import type { CowrieEvent } from '../../decoders/honeypot/index.js';
import type { GeoIpEnricher } from '../../enrichers/geoip/geoip-enricher.js';
import { ATTACK_PATTERN_RULES, commandMatches, type AttackPatternRule } from './attack-pattern-rules.js';
import { canonicalTimestamp, timestampOut } from './canonical-timestamp.js';
import { deterministicUuid } from './deterministic-uuid.js';
import type { AttackPatternsTable, CredentialsTable, HoneypotDatabase, IpIntelligenceTable, SessionsTable } from './honeypot-database.js';
import { ipUsernameId } from './honeypot-migrations.js';
import { migrateHoneypotDb } from './migrate-honeypot-db.js';
import { checkHoneypotDb, honeypotDbError, openHoneypotDb, type HoneypotDb, type HoneypotDbOptions } from './open-honeypot-db.js';

/** One event to write and its id (`<fileId>-<offset>`, or the content id for inputs without positions). */
export interface HoneypotStoreItem {
  readonly event: CowrieEvent;
  readonly id: string;
}

/** What one {@link HoneypotStore.writeBatch} did. */
export interface HoneypotWriteResult {
  /** Events in the batch. */
  readonly events: number;
  /** Events stored for the first time. */
  readonly inserted: number;
  /** Events already stored (a replay) or repeated within the batch. */
  readonly duplicates: number;
  /** Session rows created or changed. */
  readonly sessionsChanged: number;
  /** Attack-pattern rows created, changed or removed. */
  readonly patternsChanged: number;
}

/** Options of {@link HoneypotStore.open}. */
export interface HoneypotStoreOptions {
  readonly db: HoneypotDbOptions;
  /** Apply pending migrations on open (default true); false checks the connection only. */
  readonly migrate?: boolean;
  /** Fills `ip_intelligence` geo/ASN columns for new addresses; absent: they stay null. */
  readonly geoip?: GeoIpEnricher;
  /** Attack-pattern rules (default {@link ATTACK_PATTERN_RULES}). */
  readonly rules?: readonly AttackPatternRule[];
  /** Clock for `created_at`/`updated_at` (tests). */
  readonly now?: () => Date;
}

/** What {@link HoneypotStore.retention} found or deleted. */
export interface HoneypotRetentionReport {
  readonly dryRun: boolean;
  /** Canonical time: sessions whose last event is older, and session-less events older, go. */
  readonly cutoff: string;
  /** Rows per table that go (dry run) or went. Derived tables count rows removed outright; their other rows are recomputed. */
  readonly tables: readonly { readonly table: string; readonly rows: number }[];
}

const CHUNK = 400;
/** pg_advisory_xact_lock key of the writer ("sluiceHP" as an int8). */
const WRITER_LOCK = 0x736c7569636548n;

type Db = Kysely<HoneypotDatabase> | Transaction<HoneypotDatabase>;
type SessionFacts = Omit<SessionsTable, 'id' | 'created_at' | 'updated_at'>;
type Meta = Record<string, string | number>;
/** An `auth_attempts` row as this batch inserted it. */
interface NewAuth {
  readonly id: string;
  readonly src_ip: string | null;
  readonly timestamp: string;
  readonly username: string;
  readonly password: string;
  readonly success: number;
  readonly credential_id: string;
}

const AUTH = new Set(['cowrie.login.success', 'cowrie.login.failed']);
const COMMAND = new Set(['cowrie.command.input', 'cowrie.command.failed', 'cowrie.command.success']);
const DOWNLOAD = new Set(['cowrie.session.file_download', 'cowrie.session.file_download.failed', 'cowrie.session.file_upload']);

/** The relational honeypot store (PostgreSQL or SQLite). */
export class HoneypotStore {
  private readonly rules: readonly AttackPatternRule[];
  private readonly now: () => Date;

  private constructor(
    /** The open database (also what the analytics read). */
    readonly handle: HoneypotDb,
    private readonly geoip: GeoIpEnricher | undefined,
    rules: readonly AttackPatternRule[] | undefined,
    now: (() => Date) | undefined,
  ) {
    this.rules = rules ?? ATTACK_PATTERN_RULES;
    this.now = now ?? (() => new Date());
  }

  /** Opens the database, checks the connection and (by default) migrates it. Throws SLUICE_HONEYPOT_DB. */
  static async open(options: HoneypotStoreOptions): Promise<HoneypotStore> {
    const handle = await openHoneypotDb(options.db);
    try {
      await checkHoneypotDb(handle);
      if (options.migrate !== false) await migrateHoneypotDb(handle);
    } catch (err) {
      await handle.close();
      throw err;
    }
    return new HoneypotStore(handle, options.geoip, options.rules, options.now);
  }

  /** A store over an already open (and migrated) database. */
  static over(handle: HoneypotDb, options: Omit<HoneypotStoreOptions, 'db' | 'migrate'> = {}): HoneypotStore {
    return new HoneypotStore(handle, options.geoip, options.rules, options.now);
  }

  get db(): Kysely<HoneypotDatabase> {
    return this.handle.db;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  /**
   * Writes one batch in one transaction. Idempotent: writing the same items again (a replay after
   * a crash, the same log read twice) changes no row. Resolves once committed — only then may the
   * caller advance its checkpoint. Throws SLUICE_HONEYPOT_DB (nothing of the batch is kept).
   */
  async writeBatch(items: readonly HoneypotStoreItem[]): Promise<HoneypotWriteResult> {
    if (items.length === 0) return { events: 0, inserted: 0, duplicates: 0, sessionsChanged: 0, patternsChanged: 0 };
    try {
      return await this.db.transaction().execute((trx) => this.writeIn(trx, items));
    } catch (err) {
      throw honeypotDbError(this.handle, 'refused a batch', err);
    }
  }

  private async writeIn(trx: Transaction<HoneypotDatabase>, items: readonly HoneypotStoreItem[]): Promise<HoneypotWriteResult> {
    if (this.handle.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${WRITER_LOCK})`.execute(trx);
    const now = canonicalTimestamp(this.now())!;
    const unique = new Map<string, CowrieEvent>();
    for (const it of items) if (!unique.has(it.id)) unique.set(it.id, it.event);

    const fresh: { id: string; event: CowrieEvent; ts: string }[] = [];
    const rows = [...unique].map(([id, e]) => ({
      id,
      session: e.session ?? null,
      src_ip: e.src_ip ?? null,
      eventid: e.eventid,
      timestamp: canonicalTimestamp(e.timestamp) ?? e.timestamp,
      original: e.original,
      created_at: now,
    }));
    for (const chunk of chunks(rows, CHUNK)) {
      const got = await trx.insertInto('raw_events').values(chunk).onConflict((oc) => oc.column('id').doNothing()).returning('id').execute();
      const ids = new Set(got.map((r) => r.id));
      for (const r of chunk) if (ids.has(r.id)) fresh.push({ id: r.id, event: unique.get(r.id)!, ts: r.timestamp });
    }
    const result = { events: items.length, inserted: fresh.length, duplicates: items.length - fresh.length, sessionsChanged: 0, patternsChanged: 0 };
    if (fresh.length === 0) return result;

    // Event tables.
    const auth = [];
    const commands = [];
    const downloads = [];
    for (const { id, event: e, ts } of fresh) {
      const base = { event_id: id, session: e.session ?? null, src_ip: e.src_ip ?? null, timestamp: ts, created_at: now };
      if (AUTH.has(e.eventid)) {
        const username = e.username ?? '';
        const password = e.password ?? '';
        auth.push({ id: deterministicUuid('auth_attempt', id), ...base, username, password, success: e.eventid === 'cowrie.login.success' ? 1 : 0, credential_id: credentialId(username, password) });
      } else if (COMMAND.has(e.eventid) && e.input !== undefined) {
        commands.push({ id: deterministicUuid('command', id), ...base, input: e.input, known: e.eventid === 'cowrie.command.failed' ? 0 : 1 });
      } else if (DOWNLOAD.has(e.eventid)) {
        downloads.push({
          id: deterministicUuid('download', id), ...base, eventid: e.eventid, url: e.url ?? null, outfile: e.outfile ?? null, filename: e.filename ?? null,
          shasum: e.shasum ?? null, size: e.size ?? null, success: e.eventid.endsWith('.failed') ? 0 : 1,
        });
      }
    }
    // Only rows really inserted feed the incremental rollups (their ids derive from fresh event ids,
    // so this is all of them unless a crash left event rows without their raw event).
    const authIn = await insertNew(trx, 'auth_attempts', auth);
    const commandsIn = await insertNew(trx, 'commands', commands);
    const downloadsIn = await insertNew(trx, 'downloads', downloads);

    // Sessions.
    const sessions = await this.upsertSessions(trx, fresh, now);
    result.sessionsChanged = sessions.changed;

    // Derived tables: the stored rollups plus what this batch added (never recomputed from history,
    // so a batch costs the same whatever the size of the store; exact because only new events count).
    await this.addCredentials(trx, authIn, now);
    const ipRows = await this.addIps(trx, fresh, authIn, commandsIn, downloadsIn, sessions.ipDelta, now);
    const sessionKeys = [...new Set([...commands, ...downloads].map((r) => r.session).filter((s): s is string => s !== null))];
    result.patternsChanged += await this.refreshSessionPatterns(trx, sessionKeys, now);
    result.patternsChanged += await this.addIpPatterns(trx, authIn, ipRows, now);
    return result;
  }

  /** Adds the batch's new attempts to their `credentials` rows. */
  private async addCredentials(trx: Db, auth: readonly NewAuth[], now: string): Promise<void> {
    const add = new Map<string, Omit<CredentialsTable, 'created_at' | 'updated_at'>>();
    for (const a of auth) {
      const c = add.get(a.credential_id);
      if (!c) add.set(a.credential_id, { id: a.credential_id, username: a.username, password: a.password, attempts: 1, successes: a.success, first_seen: a.timestamp, last_seen: a.timestamp });
      else {
        c.attempts++;
        c.successes += a.success;
        if (a.timestamp < c.first_seen) c.first_seen = a.timestamp;
        if (a.timestamp > c.last_seen) c.last_seen = a.timestamp;
      }
    }
    for (const c of chunks([...add.keys()], CHUNK)) {
      const existing = (await trx.selectFrom('credentials').selectAll().where('id', 'in', c).execute()).map((r) => ({ ...r, attempts: Number(r.attempts), successes: Number(r.successes), first_seen: timestampOut(r.first_seen)!, last_seen: timestampOut(r.last_seen)! }));
      const old = new Map(existing.map((r) => [r.id, r]));
      const desired = new Map<string, Omit<CredentialsTable, 'created_at' | 'updated_at'>>();
      for (const id of c) {
        const n = add.get(id)!;
        const o = old.get(id);
        desired.set(id, o ? {
          id, username: o.username, password: o.password, attempts: o.attempts + n.attempts, successes: o.successes + n.successes,
          first_seen: n.first_seen < o.first_seen ? n.first_seen : o.first_seen, last_seen: n.last_seen > o.last_seen ? n.last_seen : o.last_seen,
        } : n);
      }
      await syncRows(trx, 'credentials', desired, existing, now);
    }
  }

  /**
   * Adds the batch to the `ip_intelligence` rows of its addresses (times from every new event,
   * counts from the new event rows, sessions from the session rows that gained the address).
   * Returns the rows as written, for the address rules.
   */
  private async addIps(
    trx: Db, fresh: readonly { event: CowrieEvent; ts: string }[], auth: readonly NewAuth[], commands: readonly { src_ip: string | null }[],
    downloads: readonly { src_ip: string | null }[], sessionDelta: ReadonlyMap<string, number>, now: string,
  ): Promise<Map<string, Omit<IpIntelligenceTable, 'created_at' | 'updated_at'>>> {
    interface Add { first: string; last: string; sessions: number; auth: number; ok: number; commands: number; downloads: number }
    const add = new Map<string, Add>();
    for (const { event, ts } of fresh) {
      if (event.src_ip === undefined) continue;
      const a = add.get(event.src_ip);
      if (!a) add.set(event.src_ip, { first: ts, last: ts, sessions: 0, auth: 0, ok: 0, commands: 0, downloads: 0 });
      else {
        if (ts < a.first) a.first = ts;
        if (ts > a.last) a.last = ts;
      }
    }
    for (const r of auth) {
      const a = r.src_ip === null ? undefined : add.get(r.src_ip);
      if (a) {
        a.auth++;
        a.ok += r.success;
      }
    }
    for (const r of commands) if (r.src_ip !== null && add.has(r.src_ip)) add.get(r.src_ip)!.commands++;
    for (const r of downloads) if (r.src_ip !== null && add.has(r.src_ip)) add.get(r.src_ip)!.downloads++;
    for (const [ip, n] of sessionDelta) if (add.has(ip)) add.get(ip)!.sessions += n;
    const out = new Map<string, Omit<IpIntelligenceTable, 'created_at' | 'updated_at'>>();
    for (const c of chunks([...add.keys()], CHUNK)) {
      const existingRows = (await trx.selectFrom('ip_intelligence').selectAll().where('ip', 'in', c).execute()).map(normalizeIp);
      const existing = new Map(existingRows.map((r) => [r.ip, r]));
      const desired = new Map<string, Omit<IpIntelligenceTable, 'created_at' | 'updated_at'>>();
      for (const ip of c) {
        const n = add.get(ip)!;
        const old = existing.get(ip);
        let geo = old ? { country_iso_code: old.country_iso_code, country_name: old.country_name, city_name: old.city_name, asn: old.asn, as_org: old.as_org, metadata: old.metadata } : undefined;
        if (!geo || (geo.country_iso_code === null && geo.asn === null && this.geoip)) geo = this.lookupGeo(ip);
        const id = deterministicUuid('ip', ip);
        const row = {
          id, ip, ...geo,
          first_seen: old && old.first_seen < n.first ? old.first_seen : n.first, last_seen: old && old.last_seen > n.last ? old.last_seen : n.last,
          sessions: (old?.sessions ?? 0) + n.sessions, auth_attempts: (old?.auth_attempts ?? 0) + n.auth, login_successes: (old?.login_successes ?? 0) + n.ok,
          commands: (old?.commands ?? 0) + n.commands, downloads: (old?.downloads ?? 0) + n.downloads,
        };
        desired.set(id, row);
        out.set(ip, row);
      }
      await syncRows(trx, 'ip_intelligence', desired, existingRows, now);
    }
    return out;
  }

  /**
   * The address rules after a batch, from the stored detections plus the batch's new attempts:
   * - `failed_logins`: a detection only grows (count, first/last, evidence merged); an address not
   *   yet detected can only start to hold through a new failure, and then only failures within the
   *   window around that failure matter, so only those are read;
   * - `distinct_usernames`: `ip_usernames` says which names are new for the address.
   * History is read once, when a rule first fires for an address (and when evidence holds text
   * cut at 512 characters, whose order the merge cannot reproduce).
   */
  private async addIpPatterns(trx: Db, auth: readonly NewAuth[], ipRows: ReadonlyMap<string, Omit<IpIntelligenceTable, 'created_at' | 'updated_at'>>, now: string): Promise<number> {
    const rules = this.rules.filter((r) => r.scope === 'ip');
    const byIp = new Map<string, NewAuth[]>();
    for (const a of auth) {
      if (a.src_ip === null) continue;
      let list = byIp.get(a.src_ip);
      if (!list) byIp.set(a.src_ip, (list = []));
      list.push(a);
    }
    // New (address, username) pairs: what the insert really added is what is new.
    const newNames = new Map<string, string[]>();
    const pairs = new Map<string, { id: string; ip: string; username: string }>();
    for (const a of auth) if (a.src_ip !== null) pairs.set(ipUsernameId(a.src_ip, a.username), { id: ipUsernameId(a.src_ip, a.username), ip: a.src_ip, username: a.username });
    for (const c of chunks([...pairs.values()], CHUNK)) {
      for (const r of await trx.insertInto('ip_usernames').values(c).onConflict((oc) => oc.column('id').doNothing()).returning(['ip', 'username']).execute()) {
        let list = newNames.get(r.ip);
        if (!list) newNames.set(r.ip, (list = []));
        list.push(r.username);
      }
    }
    if (rules.length === 0 || byIp.size === 0) return 0;
    let changed = 0;
    for (const c of chunks([...byIp.keys()], CHUNK)) {
      const existing = (await trx.selectFrom('attack_patterns').selectAll().where('scope', '=', 'ip').where('scope_key', 'in', c).execute()).map(normalizePattern);
      const known = new Map(existing.map((p) => [p.id, p]));
      const needCount = rules.some((r) => r.match.kind === 'distinct_usernames') ? c.filter((ip) => newNames.has(ip)) : [];
      const nameCount = new Map<string, number>();
      for (const cc of chunks(needCount, CHUNK)) {
        for (const r of await trx.selectFrom('ip_usernames').select((eb) => ['ip', eb.fn.countAll().as('n')]).where('ip', 'in', cc).groupBy('ip').execute()) nameCount.set(r.ip, Number(r.n));
      }
      const desired = new Map<string, Omit<AttackPatternsTable, 'created_at' | 'updated_at'>>();
      for (const ip of c) {
        const stats = ipRows.get(ip)!;
        const batch = byIp.get(ip)!;
        const fails = batch.filter((a) => a.success === 0);
        const failed = stats.auth_attempts - stats.login_successes;
        for (const rule of rules) {
          const m = rule.match;
          const id = deterministicUuid('attack_pattern', `${rule.id}\0ip\0${ip}`);
          const old = known.get(id);
          if (m.kind === 'failed_logins') {
            if (failed < m.count) continue;
            if (old) {
              const texts = mergeEvidence(old.evidence, fails.map((f) => f.username)) ?? distinctSorted((await this.failures(trx, ip)).map((f) => f.username));
              const [first, last] = spanOf(old.first_seen, old.last_seen, fails);
              desired.set(id, patternRow(rule, id, ip, ip, null, failed, texts, first, last));
              continue;
            }
            if (fails.length === 0 || !(await this.windowHoldsNear(trx, ip, fails, m.count, m.windowSecs))) continue;
            const all = await this.failures(trx, ip);
            const times = all.map((f) => timestampOut(f.timestamp)!);
            desired.set(id, patternRow(rule, id, ip, ip, null, failed, distinctSorted(all.map((f) => f.username)), times[0], times[times.length - 1]));
          } else if (m.kind === 'distinct_usernames') {
            const added = newNames.get(ip) ?? [];
            if (old) {
              const texts = mergeEvidence(old.evidence, added) ?? distinctSorted(await this.usernamesOf(trx, ip));
              const [first, last] = spanOf(old.first_seen, old.last_seen, batch);
              desired.set(id, patternRow(rule, id, ip, ip, null, old.evidence_count + added.length, texts, first, last));
              continue;
            }
            // Not detected yet: the count was below the threshold and only new names can raise it.
            const users = nameCount.get(ip) ?? 0;
            if (added.length === 0 || users < m.count) continue;
            const span = await trx.selectFrom('auth_attempts').select((eb) => [eb.fn.min('timestamp').as('first'), eb.fn.max('timestamp').as('last')]).where('src_ip', '=', ip).executeTakeFirstOrThrow();
            desired.set(id, patternRow(rule, id, ip, ip, null, users, distinctSorted(await this.usernamesOf(trx, ip)), timestampOut(span.first)!, timestampOut(span.last)!));
          }
        }
      }
      changed += await syncRows(trx, 'attack_patterns', desired, existing, now);
    }
    return changed;
  }

  /** Every failed login of an address, in time order. */
  private async failures(trx: Db, ip: string): Promise<{ timestamp: string; username: string }[]> {
    return trx.selectFrom('auth_attempts').select(['timestamp', 'username']).where('src_ip', '=', ip).where('success', '=', 0).orderBy('timestamp').orderBy('id').execute();
  }

  private async usernamesOf(trx: Db, ip: string): Promise<string[]> {
    return (await trx.selectFrom('auth_attempts').select('username').distinct().where('src_ip', '=', ip).execute()).map((n) => n.username);
  }

  /**
   * Whether `count` failures of the address fit in `windowSecs`, looking only around the new
   * failures: a window that holds now and did not before contains a new failure, so all its
   * members lie within `windowSecs` of it. The ranges are widened by a second because
   * {@link windowHolds} compares milliseconds and the stored times have microseconds.
   */
  private async windowHoldsNear(trx: Db, ip: string, fails: readonly NewAuth[], count: number, windowSecs: number): Promise<boolean> {
    const pad = windowSecs * 1000 + 1000;
    const ranges: [number, number][] = [];
    for (const t of fails.map((f) => Date.parse(f.timestamp)).sort((a, b) => a - b)) {
      const last = ranges[ranges.length - 1];
      if (last && t - pad <= last[1]) last[1] = t + pad;
      else ranges.push([t - pad, t + pad]);
    }
    const times: string[] = [];
    for (const c of chunks(ranges, 50)) {
      const rows = await trx.selectFrom('auth_attempts').select('timestamp').where('src_ip', '=', ip).where('success', '=', 0)
        .where((eb) => eb.or(c.map(([a, b]) => eb.and([eb('timestamp', '>=', canonicalTimestamp(new Date(a))!), eb('timestamp', '<=', canonicalTimestamp(new Date(b))!)]))))
        .execute();
      for (const r of rows) times.push(timestampOut(r.timestamp)!);
    }
    times.sort();
    return windowHolds(times, count, windowSecs);
  }

  /**
   * Merges the batch into its sessions: one read of the sessions it names, one upsert of those that
   * changed. Also returns how many sessions each address gained (a session gets its address once,
   * never another), for the `ip_intelligence` counts.
   */
  private async upsertSessions(trx: Db, fresh: readonly { event: CowrieEvent; ts: string }[], now: string): Promise<{ changed: number; ipDelta: Map<string, number> }> {
    const byKey = new Map<string, { event: CowrieEvent; ts: string }[]>();
    const ipDelta = new Map<string, number>();
    for (const f of fresh) {
      if (f.event.session === undefined || f.event.session === '') continue;
      let list = byKey.get(f.event.session);
      if (!list) byKey.set(f.event.session, (list = []));
      list.push(f);
    }
    if (byKey.size === 0) return { changed: 0, ipDelta };
    const existing = new Map<string, SessionsTable>();
    for (const c of chunks([...byKey.keys()].map(sessionId), CHUNK)) {
      for (const r of await trx.selectFrom('sessions').selectAll().where('id', 'in', c).execute()) existing.set(r.session, normalizeSession(r));
    }
    const writes: SessionsTable[] = [];
    for (const [key, events] of byKey) {
      const old = existing.get(key);
      let facts: SessionFacts = old ? factsOf(old) : blankSession(key, events[0].ts);
      const before = old ? sessionSignature(facts) : '';
      // Time order makes "first value wins" mean "earliest value wins" within a batch.
      events.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
      for (const { event, ts } of events) facts = mergeSessionEvent(facts, event, ts);
      if (old && sessionSignature(facts) === before) continue;
      if (facts.src_ip !== null && facts.src_ip !== (old?.src_ip ?? null)) ipDelta.set(facts.src_ip, (ipDelta.get(facts.src_ip) ?? 0) + 1);
      writes.push({ id: sessionId(key), ...facts, created_at: old ? old.created_at : now, updated_at: now });
    }
    for (const c of chunks(writes, 200)) {
      await trx.insertInto('sessions').values(c).onConflict((oc) => oc.column('id').doUpdateSet((eb) => excludedSet(eb, SESSION_UPDATE_COLUMNS))).execute();
    }
    return { changed: writes.length, ipDelta };
  }

  /** `credentials` rows of `ids` recomputed from all their attempts (retention). */
  private async refreshCredentials(trx: Db, ids: readonly string[], now: string): Promise<void> {
    for (const c of chunks(ids, CHUNK)) {
      const agg = await trx
        .selectFrom('auth_attempts')
        .select((eb) => [
          'credential_id',
          eb.fn.min('username').as('username'),
          eb.fn.min('password').as('password'),
          eb.fn.countAll().as('attempts'),
          eb.fn.sum('success').as('successes'),
          eb.fn.min('timestamp').as('first_seen'),
          eb.fn.max('timestamp').as('last_seen'),
        ])
        .where('credential_id', 'in', c)
        .groupBy('credential_id')
        .execute();
      const desired = new Map<string, Omit<CredentialsTable, 'created_at' | 'updated_at'>>();
      for (const a of agg) {
        desired.set(a.credential_id, {
          id: a.credential_id, username: String(a.username), password: String(a.password), attempts: Number(a.attempts), successes: Number(a.successes),
          first_seen: timestampOut(a.first_seen)!, last_seen: timestampOut(a.last_seen)!,
        });
      }
      const existing = await trx.selectFrom('credentials').selectAll().where('id', 'in', c).execute();
      await syncRows(trx, 'credentials', desired, existing.map((r) => ({ ...r, first_seen: timestampOut(r.first_seen)!, last_seen: timestampOut(r.last_seen)! })), now);
    }
  }

  /** `ip_intelligence` rows of `ips` recomputed from all their events (retention). */
  private async refreshIps(trx: Db, ips: readonly string[], now: string): Promise<void> {
    for (const c of chunks(ips, CHUNK)) {
      const seen = await trx.selectFrom('raw_events').select((eb) => ['src_ip', eb.fn.min('timestamp').as('first'), eb.fn.max('timestamp').as('last')]).where('src_ip', 'in', c).groupBy('src_ip').execute();
      const count = async (table: 'sessions' | 'commands' | 'downloads') =>
        new Map((await trx.selectFrom(table).select((eb) => ['src_ip', eb.fn.countAll().as('n')]).where('src_ip', 'in', c).groupBy('src_ip').execute()).map((r) => [r.src_ip as string, Number(r.n)]));
      const sessions = await count('sessions');
      const commands = await count('commands');
      const downloads = await count('downloads');
      const auth = new Map(
        (await trx.selectFrom('auth_attempts').select((eb) => ['src_ip', eb.fn.countAll().as('n'), eb.fn.sum('success').as('ok')]).where('src_ip', 'in', c).groupBy('src_ip').execute()).map((r) => [
          r.src_ip as string,
          { n: Number(r.n), ok: Number(r.ok) },
        ]),
      );
      const existingRows = (await trx.selectFrom('ip_intelligence').selectAll().where('ip', 'in', c).execute()).map(normalizeIp);
      const existing = new Map(existingRows.map((r) => [r.ip, r]));
      const desired = new Map<string, Omit<IpIntelligenceTable, 'created_at' | 'updated_at'>>();
      for (const s of seen) {
        const ip = s.src_ip as string;
        const old = existing.get(ip);
        let geo = old ? { country_iso_code: old.country_iso_code, country_name: old.country_name, city_name: old.city_name, asn: old.asn, as_org: old.as_org, metadata: old.metadata } : undefined;
        if (!geo || (geo.country_iso_code === null && geo.asn === null && this.geoip)) geo = this.lookupGeo(ip);
        desired.set(deterministicUuid('ip', ip), {
          id: deterministicUuid('ip', ip), ip, ...geo,
          first_seen: timestampOut(s.first)!, last_seen: timestampOut(s.last)!,
          sessions: sessions.get(ip) ?? 0, auth_attempts: auth.get(ip)?.n ?? 0, login_successes: auth.get(ip)?.ok ?? 0,
          commands: commands.get(ip) ?? 0, downloads: downloads.get(ip) ?? 0,
        });
      }
      await syncRows(trx, 'ip_intelligence', desired, existingRows, now);
    }
  }

  private lookupGeo(ip: string): Pick<IpIntelligenceTable, 'country_iso_code' | 'country_name' | 'city_name' | 'asn' | 'as_org' | 'metadata'> {
    const r = this.geoip?.lookup(ip);
    const meta: Meta = {};
    if (r?.geo?.continent_code) meta.continent_code = r.geo.continent_code;
    if (r?.geo?.location) {
      meta.lat = r.geo.location.lat;
      meta.lon = r.geo.location.lon;
    }
    return {
      country_iso_code: r?.geo?.country_iso_code ?? null, country_name: r?.geo?.country_name ?? null, city_name: r?.geo?.city_name ?? null,
      asn: r?.as?.number ?? null, as_org: r?.as?.organization?.name ?? null, metadata: canonicalJson(meta),
    };
  }

  private async refreshSessionPatterns(trx: Db, sessionKeys: readonly string[], now: string): Promise<number> {
    const rules = this.rules.filter((r) => r.scope === 'session');
    if (rules.length === 0) return 0;
    let changed = 0;
    for (const c of chunks(sessionKeys, CHUNK)) {
      const cmds = await trx.selectFrom('commands').select(['session', 'src_ip', 'timestamp', 'input', 'id']).where('session', 'in', c).orderBy('timestamp').orderBy('id').execute();
      const dls = await trx.selectFrom('downloads').select(['session', 'src_ip', 'timestamp', 'url', 'outfile', 'filename', 'shasum', 'id']).where('session', 'in', c).orderBy('timestamp').orderBy('id').execute();
      const ipOf = new Map((await trx.selectFrom('sessions').select(['session', 'src_ip']).where('id', 'in', c.map(sessionId)).execute()).map((r) => [r.session, r.src_ip]));
      const evidence = new Map<string, { ts: string; text: string; ip: string | null }[]>();
      const add = (rule: AttackPatternRule, session: string, ts: string, text: string, ip: string | null) => {
        const k = `${rule.id}\0${session}`;
        let list = evidence.get(k);
        if (!list) evidence.set(k, (list = []));
        list.push({ ts: timestampOut(ts)!, text, ip });
      };
      for (const rule of rules) {
        for (const cmd of cmds) if (commandMatches(rule.match, cmd.input)) add(rule, cmd.session!, cmd.timestamp, cmd.input, cmd.src_ip);
        if (rule.match.kind === 'download') for (const d of dls) add(rule, d.session!, d.timestamp, d.url ?? d.outfile ?? d.filename ?? d.shasum ?? '(file)', d.src_ip);
      }
      const desired = new Map<string, Omit<AttackPatternsTable, 'created_at' | 'updated_at'>>();
      for (const rule of rules) {
        for (const session of c) {
          const list = evidence.get(`${rule.id}\0${session}`);
          if (!list || list.length === 0) continue;
          list.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
          const id = deterministicUuid('attack_pattern', `${rule.id}\0session\0${session}`);
          desired.set(id, patternRow(rule, id, session, ipOf.get(session) ?? list[0].ip, session, list.length, list.map((l) => l.text), list[0].ts, list[list.length - 1].ts));
        }
      }
      const existing = await trx.selectFrom('attack_patterns').selectAll().where('scope', '=', 'session').where('scope_key', 'in', c).execute();
      changed += await syncRows(trx, 'attack_patterns', desired, existing.map(normalizePattern), now);
    }
    return changed;
  }

  /** Address rules of `ips` recomputed from all their attempts (retention). */
  private async refreshIpPatterns(trx: Db, ips: readonly string[], now: string, rescan: boolean): Promise<number> {
    const rules = this.rules.filter((r) => r.scope === 'ip');
    if (rules.length === 0 || ips.length === 0) return 0;
    let changed = 0;
    for (const c of chunks(ips, CHUNK)) {
      const agg = await trx
        .selectFrom('auth_attempts')
        .select((eb) => [
          'src_ip',
          eb.fn.countAll().as('n'),
          eb.fn.sum('success').as('ok'),
          eb.fn.count(eb.fn('distinct', [eb.ref('username')] as never) as never).as('users'),
          eb.fn.min('timestamp').as('first'),
          eb.fn.max('timestamp').as('last'),
        ])
        .where('src_ip', 'in', c)
        .groupBy('src_ip')
        .execute();
      const existing = (await trx.selectFrom('attack_patterns').selectAll().where('scope', '=', 'ip').where('scope_key', 'in', c).execute()).map(normalizePattern);
      const known = new Set(existing.map((p) => `${p.rule_id}\0${p.scope_key}`));
      const desired = new Map<string, Omit<AttackPatternsTable, 'created_at' | 'updated_at'>>();
      for (const a of agg) {
        const ip = a.src_ip as string;
        const failed = Number(a.n) - Number(a.ok);
        const users = Number(a.users);
        for (const rule of rules) {
          const m = rule.match;
          const id = deterministicUuid('attack_pattern', `${rule.id}\0ip\0${ip}`);
          if (m.kind === 'failed_logins') {
            if (failed < m.count) continue;
            const fails = await trx.selectFrom('auth_attempts').select(['timestamp', 'username']).where('src_ip', '=', ip).where('success', '=', 0).orderBy('timestamp').orderBy('id').execute();
            const times = fails.map((f) => timestampOut(f.timestamp)!);
            // Already detected and not a rescan: more failures cannot undo the window, skip the scan.
            if ((!known.has(`${rule.id}\0${ip}`) || rescan) && !windowHolds(times, m.count, m.windowSecs)) continue;
            desired.set(id, patternRow(rule, id, ip, ip, null, failed, distinctSorted(fails.map((f) => f.username)), times[0], times[times.length - 1]));
          } else if (m.kind === 'distinct_usernames') {
            if (users < m.count) continue;
            const names = await trx.selectFrom('auth_attempts').select('username').distinct().where('src_ip', '=', ip).execute();
            desired.set(id, patternRow(rule, id, ip, ip, null, users, distinctSorted(names.map((n) => n.username)), timestampOut(a.first)!, timestampOut(a.last)!));
          }
        }
      }
      changed += await syncRows(trx, 'attack_patterns', desired, existing, now);
    }
    return changed;
  }

  /**
   * Deletes what is older than `olderThanMs` before `now`: whole sessions whose last event is older
   * (with their attempts, commands, downloads, raw events and attack patterns), and events without
   * a session that are older. Credentials, addresses and address patterns touched are recomputed
   * from what stays (and removed when nothing stays). A dry run (`apply: false`) only counts.
   */
  async retention(options: { readonly olderThanMs: number; readonly apply: boolean; readonly now?: number }): Promise<HoneypotRetentionReport> {
    const cutoff = canonicalTimestamp(new Date((options.now ?? Date.now()) - options.olderThanMs))!;
    const run = async (trx: Db): Promise<HoneypotRetentionReport> => {
      const old = trx.selectFrom('sessions').select('session').where('last_seen_at', '<', cutoff);
      const tables: { table: string; rows: number }[] = [];
      const countOf = async (q: { executeTakeFirst(): Promise<{ n: unknown } | undefined> }) => Number((await q.executeTakeFirst())?.n ?? 0);
      tables.push({ table: 'sessions', rows: await countOf(trx.selectFrom('sessions').select((eb) => eb.fn.countAll().as('n')).where('last_seen_at', '<', cutoff)) });
      for (const table of ['auth_attempts', 'commands', 'downloads', 'raw_events'] as const) {
        tables.push({
          table,
          rows: await countOf(trx.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where((eb) => eb.or([eb('session', 'in', old), eb.and([eb('session', 'is', null), eb('timestamp', '<', cutoff)])]))),
        });
      }
      tables.push({ table: 'attack_patterns', rows: await countOf(trx.selectFrom('attack_patterns').select((eb) => eb.fn.countAll().as('n')).where('last_seen', '<', cutoff)) });
      tables.push({ table: 'credentials', rows: await countOf(trx.selectFrom('credentials').select((eb) => eb.fn.countAll().as('n')).where('last_seen', '<', cutoff)) });
      tables.push({ table: 'ip_intelligence', rows: await countOf(trx.selectFrom('ip_intelligence').select((eb) => eb.fn.countAll().as('n')).where('last_seen', '<', cutoff)) });
      if (!options.apply) return { dryRun: true, cutoff, tables };

      if (this.handle.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${WRITER_LOCK})`.execute(trx);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const gone = (eb: ExpressionBuilder<any, any>) =>
        eb.or([eb('session', 'in', old), eb.and([eb('session', 'is', null), eb('timestamp', '<', cutoff)])]);
      const creds = (await trx.selectFrom('auth_attempts').select('credential_id').distinct().where(gone as never).execute()).map((r) => r.credential_id);
      const ips = (await trx.selectFrom('raw_events').select('src_ip').distinct().where(gone).where('src_ip', 'is not', null).execute()).map((r) => r.src_ip as string);
      await trx.deleteFrom('attack_patterns').where('scope', '=', 'session').where('scope_key', 'in', old).execute();
      for (const table of ['auth_attempts', 'commands', 'downloads', 'raw_events'] as const) await trx.deleteFrom(table).where(gone as never).execute();
      await trx.deleteFrom('sessions').where('last_seen_at', '<', cutoff).execute();
      const now = canonicalTimestamp(this.now())!;
      await this.refreshCredentials(trx, creds, now);
      await this.refreshIps(trx, ips, now);
      await this.refreshIpPatterns(trx, ips, now, true);
      await rebuildIpUsernames(trx, ips);
      return { dryRun: false, cutoff, tables };
    };
    try {
      return options.apply ? await this.db.transaction().execute(run) : await run(this.db);
    } catch (err) {
      throw honeypotDbError(this.handle, 'failed during retention', err);
    }
  }
}

/** Id of the `sessions` row of a Cowrie session id. */
export function sessionId(session: string): string {
  return deterministicUuid('session', session);
}

/** Id of the `credentials` row of a username/password pair. */
export function credentialId(username: string, password: string): string {
  return deterministicUuid('credential', `${username}\0${password}`);
}

function blankSession(session: string, ts: string): SessionFacts {
  return {
    session, sensor: null, src_ip: null, src_port: null, dst_ip: null, dst_port: null, protocol: null, client_version: null, hassh: null,
    login_success: 0, username: null, password: null, login_at: null, connect_seen: 0, closed: 0, started_at: ts, ended_at: null, last_seen_at: ts,
    duration_secs: null, metadata: '{}',
  };
}

/** Folds one event into a session (idempotent: folding the same event twice changes nothing). */
export function mergeSessionEvent(s: SessionFacts, e: CowrieEvent, ts: string): SessionFacts {
  const n = { ...s };
  if (ts < n.started_at) n.started_at = ts;
  if (ts > n.last_seen_at) n.last_seen_at = ts;
  n.sensor ??= e.sensor ?? null;
  n.src_ip ??= e.src_ip ?? null;
  n.protocol ??= e.protocol ?? null;
  n.src_port ??= e.src_port ?? null;
  n.dst_ip ??= e.dst_ip ?? null;
  n.dst_port ??= e.dst_port ?? null;
  let meta: Meta | undefined;
  const setMeta = (k: string, v: string | number | undefined) => {
    if (v === undefined) return;
    meta ??= JSON.parse(n.metadata) as Meta;
    if (!(k in meta)) meta[k] = v;
  };
  switch (e.eventid) {
    case 'cowrie.session.connect':
      n.connect_seen = 1;
      break;
    case 'cowrie.client.version':
      n.client_version ??= e.version ?? null;
      break;
    case 'cowrie.client.kex':
      n.hassh ??= e.hassh ?? null;
      break;
    case 'cowrie.login.success':
      n.login_success = 1;
      if (n.login_at === null || ts < n.login_at) {
        n.login_at = ts;
        n.username = e.username ?? '';
        n.password = e.password ?? '';
      }
      break;
    case 'cowrie.session.closed':
      n.closed = 1;
      if (n.ended_at === null || ts > n.ended_at) {
        n.ended_at = ts;
        if (e.duration !== undefined) n.duration_secs = e.duration;
      }
      break;
    case 'cowrie.client.var':
      if (e.name !== undefined) setMeta(`env.${e.name}`, e.value ?? '');
      break;
    case 'cowrie.client.size':
      setMeta('term_width', e.width);
      setMeta('term_height', e.height);
      break;
    case 'cowrie.session.params':
      setMeta('arch', e.arch);
      break;
    default:
      break;
  }
  if (meta) n.metadata = canonicalJson(meta);
  return n;
}

function factsOf(r: SessionsTable): SessionFacts {
  const { id: _id, created_at: _c, updated_at: _u, ...facts } = r;
  return facts;
}

function sessionSignature(f: SessionFacts): string {
  return JSON.stringify(Object.keys(f).sort().map((k) => [k, (f as unknown as Record<string, unknown>)[k]]));
}

/** A sessions row as both databases return it, in the canonical shapes. */
export function normalizeSession(r: SessionsTable): SessionsTable {
  return {
    ...r,
    src_port: r.src_port === null ? null : Number(r.src_port),
    dst_port: r.dst_port === null ? null : Number(r.dst_port),
    login_success: Number(r.login_success),
    connect_seen: Number(r.connect_seen),
    closed: Number(r.closed),
    duration_secs: r.duration_secs === null ? null : Number(r.duration_secs),
    started_at: timestampOut(r.started_at)!,
    ended_at: timestampOut(r.ended_at),
    last_seen_at: timestampOut(r.last_seen_at)!,
    login_at: timestampOut(r.login_at),
    created_at: timestampOut(r.created_at)!,
    updated_at: timestampOut(r.updated_at)!,
    metadata: canonicalJson(jsonIn(r.metadata)),
  };
}

function normalizeIp(r: IpIntelligenceTable): IpIntelligenceTable {
  return {
    ...r, asn: r.asn === null ? null : Number(r.asn), first_seen: timestampOut(r.first_seen)!, last_seen: timestampOut(r.last_seen)!,
    created_at: timestampOut(r.created_at)!, updated_at: timestampOut(r.updated_at)!, metadata: canonicalJson(jsonIn(r.metadata)),
    sessions: Number(r.sessions), auth_attempts: Number(r.auth_attempts), login_successes: Number(r.login_successes), commands: Number(r.commands), downloads: Number(r.downloads),
  };
}

function normalizePattern(r: AttackPatternsTable): AttackPatternsTable {
  return {
    ...r, first_seen: timestampOut(r.first_seen)!, last_seen: timestampOut(r.last_seen)!, created_at: timestampOut(r.created_at)!, updated_at: timestampOut(r.updated_at)!,
    technique_ids: canonicalJson(jsonIn(r.technique_ids)), evidence: canonicalJson(jsonIn(r.evidence)), evidence_count: Number(r.evidence_count),
  };
}

function patternRow(rule: AttackPatternRule, id: string, scopeKey: string, ip: string | null, session: string | null, count: number, texts: readonly string[], first: string, last: string) {
  const ev: string[] = [];
  for (const t of texts) {
    if (ev.length >= 20) break;
    const cut = t.length > 512 ? t.slice(0, 512) + '…' : t;
    if (!ev.includes(cut)) ev.push(cut);
  }
  return {
    id, rule_id: rule.id, name: rule.name, technique_ids: canonicalJson([...rule.techniques]), tactic: rule.tactic, severity: rule.severity,
    scope: rule.scope, scope_key: scopeKey, src_ip: ip, session, evidence_count: count, evidence: canonicalJson(ev), first_seen: first, last_seen: last,
  };
}

/** True when some `count` consecutive times (sorted) fit within `windowSecs`. */
export function windowHolds(sortedTimes: readonly string[], count: number, windowSecs: number): boolean {
  const ms = sortedTimes.map((t) => Date.parse(t));
  for (let i = 0; i + count - 1 < ms.length; i++) if (ms[i + count - 1] - ms[i] <= windowSecs * 1000) return true;
  return false;
}

function distinctSorted(values: readonly string[]): string[] {
  return [...new Set(values)].sort(byCodePoint);
}

/** Byte-order comparison of UTF-8 text (what SQLite BINARY and PostgreSQL COLLATE "C" do). */
export function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Parses a JSON column (PostgreSQL returns jsonb parsed, SQLite returns text). */
export function jsonIn(v: unknown): unknown {
  return typeof v === 'string' ? JSON.parse(v) : v;
}

/** JSON text with object keys sorted (stable comparisons, equal text on both databases). */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/**
 * Makes the rows of `table` with the ids in `existing` ∪ `desired` equal to `desired`: inserts
 * the new ones, updates those that differ (bumping `updated_at`), deletes those no longer desired.
 * Returns how many rows it touched.
 */
async function syncRows<T extends { id: string }>(trx: Db, table: 'credentials' | 'ip_intelligence' | 'attack_patterns', desired: Map<string, T>, existing: readonly (T & { created_at: string; updated_at: string })[], now: string): Promise<number> {
  const old = new Map(existing.map((r) => [r.id, r]));
  const writes: Record<string, unknown>[] = [];
  for (const [id, row] of desired) {
    const prev = old.get(id);
    if (!prev) writes.push({ ...row, created_at: now, updated_at: now });
    else if (Object.keys(row).some((k) => (row as Record<string, unknown>)[k] !== (prev as Record<string, unknown>)[k])) writes.push({ ...row, created_at: prev.created_at, updated_at: now });
  }
  const gone = existing.filter((r) => !desired.has(r.id)).map((r) => r.id);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const c of chunks(gone, CHUNK)) await (trx as Kysely<any>).deleteFrom(table).where('id', 'in', c).execute();
  // New and changed rows in one upsert per chunk instead of an UPDATE per row.
  const columns = writes.length === 0 ? [] : Object.keys(writes[0]).filter((k) => k !== 'id' && k !== 'created_at');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const c of chunks(writes, 200)) await (trx as Kysely<any>).insertInto(table).values(c).onConflict((oc) => oc.column('id').doUpdateSet((eb) => excludedSet(eb, columns))).execute();
  return writes.length + gone.length;
}

const SESSION_UPDATE_COLUMNS = [
  'session', 'sensor', 'src_ip', 'src_port', 'dst_ip', 'dst_port', 'protocol', 'client_version', 'hassh', 'login_success', 'username', 'password', 'login_at',
  'connect_seen', 'closed', 'started_at', 'ended_at', 'last_seen_at', 'duration_secs', 'metadata', 'updated_at',
] as const;

/** `SET col = excluded.col` for an upsert. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function excludedSet(eb: ExpressionBuilder<any, any>, columns: readonly string[]): Record<string, never> {
  return Object.fromEntries(columns.map((k) => [k, eb.ref(`excluded.${k}`)])) as Record<string, never>;
}

/** `ip_usernames` of `ips` rebuilt from the attempts that stay (retention). */
async function rebuildIpUsernames(trx: Db, ips: readonly string[]): Promise<void> {
  for (const c of chunks(ips, CHUNK)) {
    await trx.deleteFrom('ip_usernames').where('ip', 'in', c).execute();
    const pairs = await trx.selectFrom('auth_attempts').select(['src_ip', 'username']).distinct().where('src_ip', 'in', c).execute();
    const rows = pairs.map((p) => ({ id: ipUsernameId(p.src_ip!, p.username), ip: p.src_ip!, username: p.username }));
    for (const r of chunks(rows, 300)) await trx.insertInto('ip_usernames').values(r).execute();
  }
}

/** Inserts event rows (ON CONFLICT DO NOTHING) and returns those really inserted. */
async function insertNew<T extends { id: string }>(trx: Db, table: 'auth_attempts' | 'commands' | 'downloads', rows: readonly T[]): Promise<T[]> {
  const out: T[] = [];
  for (const c of chunks(rows, CHUNK)) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const got = new Set((await (trx as Kysely<any>).insertInto(table).values(c).onConflict((oc) => oc.column('id').doNothing()).returning('id').execute()).map((r) => r.id as string));
    for (const r of c) if (got.has(r.id)) out.push(r);
  }
  return out;
}

/**
 * The evidence texts of a grown username detection: the stored evidence (the smallest distinct
 * usernames in byte order) merged with new names, or undefined when some text is longer than the
 * 512-character cut — the order of cut texts is not that of the names, so the caller reads them all.
 */
function mergeEvidence(stored: string, add: readonly string[]): string[] | undefined {
  const all = new Set(JSON.parse(stored) as string[]);
  for (const t of all) if (t.length > 512) return undefined;
  for (const t of add) {
    if (t.length > 512) return undefined;
    all.add(t);
  }
  return [...all].sort(byCodePoint).slice(0, 20);
}

/** First and last time of a detection widened by new rows. */
function spanOf(first: string, last: string, rows: readonly { timestamp: string }[]): [string, string] {
  for (const r of rows) {
    if (r.timestamp < first) first = r.timestamp;
    if (r.timestamp > last) last = r.timestamp;
  }
  return [first, last];
}

function* chunks<T>(list: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < list.length; i += size) yield list.slice(i, i + size);
}

/**
 * The honeypot relational store on a real PostgreSQL 15 and on SQLite, fed the real Cowrie logs of
 * ../shared/corpus/honeypot: migrations, every analytics answer equal between the two databases,
 * counts equal to independent `jq` counts of the raw files, replays that change no row, sessions
 * whose connect event is missing, retention (dry run, then apply) and the attack patterns found.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GeoIpEnricher } from '../../../src/enrichers/geoip/geoip-enricher.js';
import { HoneypotAnalytics } from '../../../src/query/honeypot/index.js';
import { HoneypotStore, honeypotMigrationStatus, ingestCowrieFiles, migrateHoneypotDb, type HoneypotDbOptions } from '../../../src/sinks/relational/index.js';
import { createTestDatabase, skipWithoutPostgres } from '../../support/postgres.js';
import { tempDir } from '../../support/temp.js';

const CORPUS = new URL('../../../../../shared/corpus/honeypot/', import.meta.url).pathname;
const FILES = [join(CORPUS, 'bilal05tariq__cowrie.json.2026-04'), join(CORPUS, 'kareiva__cowrie.json.2018-05-06')];
const TABLES = ['sessions', 'auth_attempts', 'commands', 'downloads', 'raw_events', 'credentials', 'ip_intelligence', 'attack_patterns'] as const;

/** `jq -r <filter>` over the raw files, one output line per result (empty strings are results too). */
function jq(filter: string, files: readonly string[] = FILES): string[] {
  const out = execFileSync('/usr/bin/jq', ['-r', filter, ...files], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out === '' ? [] : out.replace(/\n$/, '').split('\n');
}
const distinct = (xs: string[]) => new Set(xs).size;

/** Every row of every table, ordered by id (rows compared as JSON, whatever the driver's types). */
async function snapshot(store: HoneypotStore): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) out[t] = JSON.parse(JSON.stringify(await store.db.selectFrom(t).selectAll().orderBy('id').execute()));
  return out;
}

/** Every analytics answer, plus the detail of every session. */
async function answers(store: HoneypotStore, sessions: readonly string[]): Promise<unknown> {
  const a = new HoneypotAnalytics(store.handle);
  const range = { since: '2026-04-18T12:50:00Z', until: '2026-04-18T13:00:00Z' };
  const detail = [];
  for (const s of sessions) detail.push(await a.session(s));
  return JSON.parse(JSON.stringify({
    summary: await a.summary(), summaryRange: await a.summary(range, 3),
    credentials: await a.topCredentials({}, 1000), credentialsRange: await a.topCredentials(range, 5),
    usernames: await a.topUsernames({}, 1000), passwords: await a.topPasswords({}, 1000), passwordsTop3: await a.topPasswords({}, 3),
    commands: await a.topCommands({}, 1000), commandsTop5: await a.topCommands({}, 5), downloads: await a.downloads(), patterns: await a.attackPatterns(),
    detail,
  }));
}

describe('honeypot store on PostgreSQL and SQLite', { skip: skipWithoutPostgres() }, () => {
  let geoip: GeoIpEnricher;
  const tmp = tempDir('sluice-honeypot-');
  const drops: (() => Promise<void>)[] = [];
  const stores: HoneypotStore[] = [];
  let pgStore: HoneypotStore;
  let liteStore: HoneypotStore;
  const sessionIds = [...new Set(jq('select(.session != null).session'))].sort();

  async function openPair(tag: string): Promise<[HoneypotStore, HoneypotStore]> {
    const db = await createTestDatabase(`sluice_hp_${tag}`);
    drops.push(db.drop);
    const pgOpts: HoneypotDbOptions = { dialect: 'postgres', url: db.url, poolMaxCount: 4, poolTimeoutMs: 10_000 };
    const p = await HoneypotStore.open({ db: pgOpts, geoip });
    const l = await HoneypotStore.open({ db: { dialect: 'sqlite', path: join(tmp.dir, `${tag}.db`) }, geoip });
    stores.push(p, l);
    return [p, l];
  }

  before(async () => {
    geoip = await GeoIpEnricher.open({});
    [pgStore, liteStore] = await openPair('main');
    for (const s of [pgStore, liteStore]) {
      const r = await ingestCowrieFiles(FILES, s, { batchEvents: 100 });
      assert.equal(r.inserted, r.events);
      assert.deepEqual(r.rejected, {});
    }
  });

  after(async () => {
    for (const s of stores) await s.close();
    for (const d of drops) await d();
    tmp.cleanup();
  });

  it('migrates both databases once; a second migrate has nothing to do', async () => {
    for (const s of [pgStore, liteStore]) {
      const status = await honeypotMigrationStatus(s.handle);
      assert.deepEqual(status.map((m) => m.name), ['0001_initial', '0002_incremental_rollups']);
      assert.ok(status.every((m) => m.executedAt !== null));
      assert.deepEqual(await migrateHoneypotDb(s.handle), []);
    }
  });

  it('gives the same answer to every analytics question on PostgreSQL and SQLite', async () => {
    const p = await answers(pgStore, sessionIds);
    const l = await answers(liteStore, sessionIds);
    assert.deepStrictEqual(p, l);
  });

  it('counts what jq counts in the raw files', async () => {
    const expectSessions = distinct(jq('select(.eventid=="cowrie.session.connect").session'));
    const expectIps = distinct(jq('select(.eventid=="cowrie.session.connect").src_ip'));
    const ok = jq('select(.eventid=="cowrie.login.success").session').length;
    const failed = jq('select(.eventid=="cowrie.login.failed").session').length;
    const users = distinct(jq('select(.eventid|startswith("cowrie.login.")).username'));
    const passwords = distinct(jq('select(.eventid|startswith("cowrie.login.")).password'));
    const commandLines = jq('select(.eventid|startswith("cowrie.command.")).input');
    const byCommand = new Map<string, number>();
    for (const c of commandLines) byCommand.set(c, (byCommand.get(c) ?? 0) + 1);
    for (const s of [pgStore, liteStore]) {
      const a = new HoneypotAnalytics(s.handle);
      const sum = await a.summary();
      assert.equal(sum.sessions, expectSessions);
      assert.equal(sum.uniqueIps, expectIps);
      assert.equal(sum.loginSuccesses, ok);
      assert.equal(sum.loginFailures, failed);
      assert.equal(sum.sessionsWithLogin, distinct(jq('select(.eventid=="cowrie.login.success").session')));
      assert.equal(sum.uniqueUsernames, users);
      assert.equal(sum.uniquePasswords, passwords);
      assert.equal(sum.commands, commandLines.length);
      const top = await a.topCommands({}, 10_000);
      assert.deepEqual(new Map(top.map((t) => [t.input, t.count])), byCommand);
      const creds = await a.topCredentials({}, 10_000);
      assert.equal(creds.reduce((n, c) => n + c.attempts, 0), ok + failed);
      assert.equal(creds.length, distinct(jq('select(.eventid|startswith("cowrie.login.")) | "\\(.username)\\u0000\\(.password)"')));
    }
  });

  it('changes no row and no count when the same logs are written again', async () => {
    for (const s of [pgStore, liteStore]) {
      const before = await snapshot(s);
      const r = await ingestCowrieFiles(FILES, s, { batchEvents: 37 });
      assert.equal(r.inserted, 0);
      assert.equal(r.duplicates, r.events);
      assert.deepStrictEqual(await snapshot(s), before);
    }
  });

  it('builds sessions whose connect event is missing (rotation cut it off) by upsert', async () => {
    const cut = join(tmp.dir, 'no-connect.json');
    writeFileSync(cut, readFileSync(FILES[0], 'utf8').split('\n').filter((l) => !l.includes('"cowrie.session.connect"')).join('\n'));
    const pair = await openPair('noconnect');
    const expected = distinct(jq('select(.session != null).session', [cut]));
    const results = [];
    for (const s of pair) {
      await ingestCowrieFiles([cut], s);
      const rows = await s.db.selectFrom('sessions').select(['session', 'connect_seen', 'src_ip', 'started_at']).execute();
      assert.equal(rows.length, expected);
      assert.ok(rows.every((r) => Number(r.connect_seen) === 0 && r.src_ip !== null));
      results.push(await answers(s, sessionIds.slice(0, 10)));
    }
    assert.deepStrictEqual(results[0], results[1]);
  });

  it('retention lists first, deletes with apply, and recomputes the rollups from what stays', async () => {
    const pair = await openPair('retention');
    const now = Date.parse('2026-04-30T00:00:00Z');
    const olderThanMs = 30 * 86_400_000;
    const old2018 = distinct(jq('select(.eventid=="cowrie.session.connect").session', [FILES[1]]));
    const finals = [];
    for (const s of pair) {
      await ingestCowrieFiles(FILES, s);
      const a = new HoneypotAnalytics(s.handle);
      const dry = await s.retention({ olderThanMs, apply: false, now });
      assert.equal(dry.dryRun, true);
      assert.equal(dry.tables.find((t) => t.table === 'sessions')?.rows, old2018);
      assert.equal((await a.summary()).sessions, old2018 + 70, 'a dry run deletes nothing');
      const applied = await s.retention({ olderThanMs, apply: true, now });
      assert.equal(applied.dryRun, false);
      const sum = await a.summary();
      assert.equal(sum.sessions, 70);
      assert.equal(sum.loginFailures, jq('select(.eventid=="cowrie.login.failed").session', [FILES[0]]).length);
      // The credentials rollup now counts only the 2026 attempts.
      const creds = await a.topCredentials({}, 10_000);
      assert.equal(creds.reduce((n, c) => n + c.attempts, 0), jq('select(.eventid|startswith("cowrie.login.")).session', [FILES[0]]).length);
      const ips = await s.db.selectFrom('ip_intelligence').select('ip').execute();
      assert.equal(ips.length, distinct(jq('select(.src_ip != null).src_ip', [FILES[0]])));
      assert.equal(await s.db.selectFrom('raw_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst().then((r) => Number(r?.n)), jq('.eventid', [FILES[0]]).length);
      finals.push(await answers(s, sessionIds));
    }
    assert.deepStrictEqual(finals[0], finals[1]);
  });

  it('finds the attack patterns of the corpus, with MITRE ATT&CK ids', async () => {
    const hits = await new HoneypotAnalytics(pgStore.handle).attackPatterns();
    const rules = new Set(hits.map((h) => h.ruleId));
    console.error(`attack patterns on the corpus: ${[...rules].map((r) => `${r}×${hits.filter((h) => h.ruleId === r).length}`).join(', ')}`);
    for (const r of ['brute_force', 'recon_commands', 'credential_dumping', 'malware_download']) assert.ok(rules.has(r), `rule ${r} should fire on the corpus`);
    const brute = hits.find((h) => h.ruleId === 'brute_force')!;
    assert.deepEqual(brute.techniqueIds, ['T1110', 'T1110.001']);
    // jq: the address with the most failed logins is the brute-forcer, with exactly that many.
    const fails = jq('select(.eventid=="cowrie.login.failed").src_ip');
    const perIp = new Map<string, number>();
    for (const ip of fails) perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    assert.equal(brute.evidenceCount, perIp.get(brute.scopeKey));
    const dumping = hits.filter((h) => h.ruleId === 'credential_dumping');
    assert.equal(dumping.length, distinct(jq('select((.eventid|startswith("cowrie.command.")) and (.input|test("/etc/(shadow|passwd)"))).session')));
  });
});

/**
 * Pins every row and every analytics answer of the honeypot store on a larger synthetic input
 * (~21k events built from the real Cowrie corpus) so that rewrites of the writer for speed
 * (incremental rollups, bounded brute-force scans, set-based statements) must give exactly the
 * same results as the straightforward recompute-from-history writer they replace.
 *
 * The input is made to stress what an incremental writer can get wrong: addresses that come back
 * in later copies (rollups grow across batches), timestamps shifted per copy (brute-force windows
 * that span batches), batches written out of time order and of uneven sizes, usernames longer than
 * the 512-character evidence cut, a replay of a slice (must change nothing), retention in the
 * middle (rollups recomputed from what stays) and more events after it. A counting clock makes
 * `updated_at` record which batch last changed a row, so "written only on real changes" is pinned
 * too. The expected hashes were taken with the writer as it was before the speed work (commit
 * ff554ab); PostgreSQL and SQLite must also agree row for row.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCowrieLine, type CowrieEvent } from '../../../src/decoders/honeypot/index.js';
import type { GeoIpEnricher, GeoIpResult } from '../../../src/enrichers/geoip/geoip-enricher.js';
import { HoneypotAnalytics } from '../../../src/query/honeypot/index.js';
import { canonicalTimestamp } from '../../../src/sinks/relational/canonical-timestamp.js';
import { HoneypotStore, type HoneypotStoreItem } from '../../../src/sinks/relational/index.js';
import { createTestDatabase, skipWithoutPostgres } from '../../support/postgres.js';
import { tempDir } from '../../support/temp.js';

const CORPUS = new URL('../../../../../shared/corpus/honeypot/', import.meta.url).pathname;
const FILES = [join(CORPUS, 'bilal05tariq__cowrie.json.2026-04'), join(CORPUS, 'kareiva__cowrie.json.2018-05-06')];
const TABLES = ['sessions', 'auth_attempts', 'commands', 'downloads', 'raw_events', 'credentials', 'ip_intelligence', 'attack_patterns'] as const;
const TS_COLUMNS = new Set(['created_at', 'updated_at', 'timestamp', 'first_seen', 'last_seen', 'started_at', 'ended_at', 'last_seen_at', 'login_at']);
const JSON_COLUMNS = new Set(['metadata', 'technique_ids', 'evidence']);
const NUMERIC_COLUMNS = new Set(['asn', 'size', 'duration_secs', 'src_port', 'dst_port']);

/** Expected SHA-256 (hex) of the canonical JSON of each part; taken before the writer was optimised. */
const EXPECTED: Record<string, string> = {
  // Printed with SLUICE_PIN_PRINT=1 (SLUICE_PIN_DUMP_DIR keeps the full rows for a diff). Never update them to make a change pass.
  answers: '51b9ff52ce1e5777e1c86a562db44fd88790d85539fb4ebfb8e81db2d2a31c6e',
  results: '62cff10b2bf2fec12d0c0a03744c175404f310da77dfc63f29b25860d440ed5f',
  sessions: '153bca8c94f9a199d4e48cffd5af1f47b3b85757b701c05ddae9cf3b675e7fbc',
  auth_attempts: '653b3d573d4bd238a05d1a49b7fb00aa326829ec11558d88ba8b615996e90e4f',
  commands: '8e04ef5dd5d93460ba7f6b545be48053989f0a3f11a5cafff439b12efc0da242',
  downloads: 'ff14dcc95e6e76a5205ceeb0511f6ec8192c609971cad32105e9453fcb0a237c',
  raw_events: '7999601346d26a1ccef37874e006e3ca2f231a96448a48cafeed10121bba8dde',
  credentials: 'eccfe30427b5fbd2eaf362b73e6cd2c596404621ae1de94425dc4920c3d9a514',
  ip_intelligence: '4c6ba7a3f8a31b429c190c83efb944499c2ff06640dac0c8056b42292e27da2f',
  attack_patterns: '4f4157b62415854fcdd65747c890a40eeebaeb57704d7147269ce3b72c535d1c',
};

/** Deterministic pseudo-random numbers (LCG), so the input is the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PER_FILE = FILES.map((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim() !== ''));
const LINES = PER_FILE.flat();
/** Odd copies move the 2018 log eight years on, so part of it (with its downloads) outlives retention. */
const EIGHT_YEARS_MS = 2922 * 86_400_000;

/** Copy `k` of the corpus: own session ids, addresses shared with every 5th copy, times shifted. */
function copyOf(k: number): HoneypotStoreItem[] {
  const out: HoneypotStoreItem[] = [];
  LINES.forEach((line, i) => {
    const o = JSON.parse(line) as Record<string, unknown>;
    if (typeof o.session === 'string') o.session = `${o.session}-${k}`;
    if (typeof o.src_ip === 'string' && o.src_ip.includes('.')) {
      const p = o.src_ip.split('.');
      o.src_ip = `${p[0]}.${p[1]}.${p[2]}.${(Number(p[3]) + (k % 5)) % 256}`;
    }
    const later = i >= PER_FILE[0].length && k % 2 === 1 ? EIGHT_YEARS_MS : 0;
    if (typeof o.timestamp === 'string') o.timestamp = new Date(Date.parse(o.timestamp) + later + k * 137_000 + (i % 3) * 1000).toISOString();
    if (k % 7 === 3 && typeof o.username === 'string' && i % 4 === 0) o.username = `${o.username}${'x'.repeat(520)}${i % 3}`;
    if (k % 6 === 5 && typeof o.username === 'string' && i % 5 === 0) o.username = `${o.username}.${i % 7}`;
    const r = parseCowrieLine(Buffer.from(JSON.stringify(o)), { offset: i, line: i + 1, terminated: true }, {});
    if (r.ok) out.push({ event: r.event, id: `syn-${k}-${i}` });
    // The corpus has no file transfers: a download after every command line that fetches something.
    if (typeof o.input === 'string' && /wget|curl|tftp/.test(o.input)) {
      const dl = { eventid: i % 2 ? 'cowrie.session.file_download' : 'cowrie.session.file_download.failed', session: o.session, src_ip: o.src_ip, timestamp: new Date(Date.parse(o.timestamp as string) + 500).toISOString(), url: `http://198.51.100.${k % 3}/x${i % 4}.sh`, outfile: `var/lib/cowrie/downloads/${i}`, shasum: createHash('sha256').update(`${i % 4}`).digest('hex'), size: 100 + (i % 4) };
      const d = parseCowrieLine(Buffer.from(JSON.stringify(dl)), { offset: i, line: i + 1, terminated: true }, {});
      if (d.ok) out.push({ event: d.event, id: `syn-${k}-${i}-dl` });
    }
  });
  return out;
}

/** Blocks of 500 events in a shuffled order, written in batches of uneven sizes. */
function batchesOf(items: readonly HoneypotStoreItem[], seed: number): HoneypotStoreItem[][] {
  const rand = rng(seed);
  const blocks: HoneypotStoreItem[][] = [];
  for (let i = 0; i < items.length; i += 500) blocks.push(items.slice(i, i + 500));
  for (let i = blocks.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [blocks[i], blocks[j]] = [blocks[j], blocks[i]];
  }
  const flat = blocks.flat();
  const sizes = [1000, 250, 777, 1];
  const out: HoneypotStoreItem[][] = [];
  for (let i = 0, n = 0; i < flat.length; n++) {
    out.push(flat.slice(i, i + sizes[n % sizes.length]));
    i += sizes[n % sizes.length];
  }
  return out;
}

/** A GeoIP stand-in: deterministic answers from the address, none for some (so "look up again" runs). */
function fakeGeoIp(): GeoIpEnricher {
  return {
    lookup(ip: string): GeoIpResult | undefined {
      const h = createHash('sha256').update(ip).digest();
      if (h[0] % 4 === 0) return undefined;
      return { geo: { country_iso_code: ['DE', 'US', 'CN', 'BR'][h[1] % 4], country_name: 'Somewhere', city_name: h[2] % 2 ? 'Town' : undefined, continent_code: 'EU', location: { lat: h[3], lon: h[4] } }, as: { number: 64_500 + (h[5] % 20), organization: { name: `AS ${h[5] % 20}` } } };
    },
  } as unknown as GeoIpEnricher;
}

/** A row in the shapes both databases must agree on. */
function canonicalRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(row).sort()) {
    let v = row[k];
    if (v !== null && TS_COLUMNS.has(k)) v = canonicalTimestamp(v as string | Date);
    else if (v !== null && JSON_COLUMNS.has(k)) v = JSON.stringify(sortKeys(typeof v === 'string' ? JSON.parse(v) : v));
    else if (v !== null && NUMERIC_COLUMNS.has(k)) v = Number(v);
    out[k] = v;
  }
  return out;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

async function snapshot(store: HoneypotStore): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) out[t] = (await store.db.selectFrom(t).selectAll().orderBy('id').execute()).map((r) => canonicalRow(r as Record<string, unknown>));
  return out;
}

async function answers(store: HoneypotStore, sessions: readonly string[]): Promise<unknown> {
  const a = new HoneypotAnalytics(store.handle);
  const range = { since: '2026-04-18T13:00:00Z', until: '2026-04-18T14:00:00Z' };
  const detail = [];
  for (const s of sessions) detail.push(await a.session(s));
  return JSON.parse(JSON.stringify({
    summary: await a.summary(), summaryRange: await a.summary(range, 5),
    credentials: await a.topCredentials({}, 100_000), credentialsRange: await a.topCredentials(range, 7),
    usernames: await a.topUsernames({}, 100_000), passwords: await a.topPasswords({}, 100_000),
    commands: await a.topCommands({}, 100_000), downloads: await a.downloads(), patterns: await a.attackPatterns(), patternsRange: await a.attackPatterns(range),
    detail,
  }));
}

const sha = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex');

interface Run {
  readonly snapshot: Record<string, unknown[]>;
  readonly answers: unknown;
  readonly results: { sessionsChanged: number; patternsChanged: number; inserted: number; duplicates: number }[];
}

describe('honeypot store: pinned results on a larger synthetic input', { skip: skipWithoutPostgres() }, () => {
  const tmp = tempDir('sluice-hp-pin-');
  const stores: HoneypotStore[] = [];
  const drops: (() => Promise<void>)[] = [];
  const runs: Run[] = [];

  async function feed(store: HoneypotStore): Promise<Run> {
    const results: Run['results'] = [];
    const write = async (batches: HoneypotStoreItem[][]) => {
      for (const b of batches) {
        const r = await store.writeBatch(b);
        results.push({ sessionsChanged: r.sessionsChanged, patternsChanged: r.patternsChanged, inserted: r.inserted, duplicates: r.duplicates });
      }
    };
    const first: HoneypotStoreItem[] = [];
    for (let k = 0; k < 27; k++) first.push(...copyOf(k));
    await write(batchesOf(first, 7));
    // A replay of a slice, mixed with nothing new: must change no row (updated_at included).
    const before = await snapshot(store);
    await write(batchesOf(first.slice(4000, 7500), 11));
    assert.deepStrictEqual(await snapshot(store), before, 'a replay changed rows');
    // Retention in the middle: the 2018 half of the corpus and the oldest 2026 copies go.
    const retention = await store.retention({ olderThanMs: 12 * 3_600_000, apply: true, now: Date.parse('2026-04-19T01:15:00Z') });
    results.push({ sessionsChanged: retention.tables.reduce((n, t) => n + t.rows, 0), patternsChanged: -1, inserted: -1, duplicates: -1 });
    // More events after it: new copies, and events of deleted sessions coming back.
    const later: HoneypotStoreItem[] = [];
    for (let k = 27; k < 30; k++) later.push(...copyOf(k));
    later.push(...copyOf(0).slice(0, 300));
    await write(batchesOf(later, 13));
    const sessions = [...new Set(later.map((i) => i.event.session).filter((s): s is string => s !== undefined))].sort().filter((_, i) => i % 9 === 0);
    return { snapshot: await snapshot(store), answers: await answers(store, sessions), results };
  }

  before(async () => {
    for (const dialect of ['postgres', 'sqlite'] as const) {
      let tick = 0;
      const now = () => new Date(Date.UTC(2030, 0, 1) + tick++ * 1000);
      let store: HoneypotStore;
      if (dialect === 'postgres') {
        const db = await createTestDatabase('sluice_hp_pin');
        drops.push(db.drop);
        store = await HoneypotStore.open({ db: { dialect, url: db.url, poolMaxCount: 2, poolTimeoutMs: 10_000 }, geoip: fakeGeoIp(), now });
      } else {
        store = await HoneypotStore.open({ db: { dialect, path: join(tmp.dir, 'pin.db') }, geoip: fakeGeoIp(), now });
      }
      stores.push(store);
      runs.push(await feed(store));
    }
  });

  after(async () => {
    for (const s of stores) await s.close();
    for (const d of drops) await d();
    tmp.cleanup();
  });

  it('holds the same rows and answers on PostgreSQL and SQLite', () => {
    const [p, l] = runs;
    for (const t of TABLES) assert.deepStrictEqual(p.snapshot[t], l.snapshot[t], `table ${t} differs`);
    assert.deepStrictEqual(p.answers, l.answers);
    assert.deepStrictEqual(p.results, l.results);
    assert.ok((p.snapshot.raw_events as unknown[]).length > 14_000, 'the input is the larger one');
    assert.ok((p.snapshot.attack_patterns as { rule_id: string }[]).some((r) => r.rule_id === 'brute_force'));
    assert.ok((p.snapshot.attack_patterns as { rule_id: string }[]).some((r) => r.rule_id === 'credential_stuffing'));
    assert.ok((p.snapshot.downloads as unknown[]).length > 0);
  });

  it('gives exactly the pinned rows, answers and batch results', () => {
    const run = runs[0];
    const got: Record<string, string> = { answers: sha(run.answers), results: sha(run.results) };
    for (const t of TABLES) got[t] = sha(run.snapshot[t]);
    if (process.env.SLUICE_PIN_PRINT === '1') {
      console.error(Object.entries(got).map(([k, v]) => `  ${k}: '${v}',`).join('\n'));
      writeFileSync(join(process.env.SLUICE_PIN_DUMP_DIR ?? tmp.dir, 'honeypot-pin-dump.json'), JSON.stringify(run, null, 1));
    }
    for (const [k, v] of Object.entries(got)) assert.equal(v, EXPECTED[k], `${k} differs from the pinned result`);
  });
});

/**
 * Events/s from a Cowrie log into the relational honeypot store (PostgreSQL, and SQLite for
 * comparison), through the same path as `sluice honeypot ingest`: parse → writeBatch (raw events,
 * event tables, session upserts, credential/IP rollups, attack-pattern rules) → commit.
 *
 *   npm run build && node dist/bench/honeypot/cowrie-store-bench.js [--events N] [--batch N] [--only postgres|sqlite]
 *
 * Input: the two corpus logs of ../shared/corpus/honeypot repeated until N events (default 100,000),
 * each copy with its own session ids and source addresses (so sessions and rollups grow as on a real
 * sensor instead of piling onto 20 addresses). PostgreSQL: $SLUICE_BENCH_POSTGRES_URL, else the server
 * of scripts/stack/postgres.mjs (started when needed, stopped afterwards if this run started it); a
 * fresh database is created and dropped. GeoIP is on (the default databases), as in the daemon.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { GeoIpEnricher } from '../../src/enrichers/geoip/geoip-enricher.js';
import { HoneypotStore, ingestCowrieFiles, type HoneypotDbOptions } from '../../src/sinks/relational/index.js';

const args = process.argv.slice(2);
const opt = (n: string) => {
  const i = args.indexOf(n);
  return i >= 0 ? args[i + 1] : undefined;
};
const target = Number(opt('--events') ?? 100_000);
const batch = Number(opt('--batch') ?? 1000);
const only = opt('--only');
const root = new URL('../../../', import.meta.url).pathname;
const corpus = join(root, '..', 'shared', 'corpus', 'honeypot');
const lines = ['bilal05tariq__cowrie.json.2026-04', 'kareiva__cowrie.json.2018-05-06'].flatMap((f) => readFileSync(join(corpus, f), 'utf8').split('\n').filter((l) => l.trim() !== ''));

const dir = mkdtempSync(join(tmpdir(), 'sluice-hp-bench-'));
const file = join(dir, 'cowrie.json');
const out: string[] = [];
for (let copy = 0; out.length < target; copy++) {
  for (const l of lines) {
    if (out.length >= target) break;
    const o = JSON.parse(l) as Record<string, unknown>;
    if (typeof o.session === 'string') o.session = `${o.session}${copy.toString(16)}`;
    if (typeof o.src_ip === 'string' && o.src_ip.includes('.')) {
      const p = o.src_ip.split('.');
      o.src_ip = `${p[0]}.${p[1]}.${(Number(p[2]) + copy) % 256}.${(Number(p[3]) + (copy >> 8)) % 256}`;
    }
    out.push(JSON.stringify(o));
  }
}
writeFileSync(file, out.join('\n') + '\n');
const bytes = Buffer.byteLength(out.join('\n')) + 1;

async function run(name: string, db: HoneypotDbOptions, geoip: GeoIpEnricher): Promise<void> {
  const store = await HoneypotStore.open({ db, geoip });
  const t0 = process.hrtime.bigint();
  const r = await ingestCowrieFiles([file], store, { batchEvents: batch });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const t1 = process.hrtime.bigint();
  const replay = await ingestCowrieFiles([file], store, { batchEvents: batch });
  const replaySecs = Number(process.hrtime.bigint() - t1) / 1e9;
  await store.close();
  console.log(JSON.stringify({
    store: name, events: r.events, batch, seconds: +secs.toFixed(2), eventsPerSec: Math.round(r.events / secs), mbPerSec: +(bytes / secs / 1e6).toFixed(2),
    replayEventsPerSec: Math.round(replay.events / replaySecs), replayInserted: replay.inserted, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }));
}

const geoip = await GeoIpEnricher.open({});
let startedPg = false;
try {
  if (only !== 'postgres') await run('sqlite', { dialect: 'sqlite', path: join(dir, 'honeypot.db') }, geoip);
  if (only !== 'sqlite') {
    let base = process.env.SLUICE_BENCH_POSTGRES_URL;
    if (!base) {
      const r = spawnSync(process.execPath, [join(root, 'scripts/stack/postgres.mjs'), 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('POSTGRES_URL='));
      if (!line) throw new Error('could not start PostgreSQL (scripts/stack/postgres.mjs start)');
      base = line.split(/\s+/)[0].slice('POSTGRES_URL='.length);
      startedPg = line.includes('started=true');
    }
    const name = `sluice_hp_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const u = new URL(base);
    u.pathname = `/${name}`;
    try {
      await run('postgres', { dialect: 'postgres', url: u.toString() }, geoip);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (startedPg) spawnSync(process.execPath, [join(root, 'scripts/stack/postgres.mjs'), 'stop'], { stdio: 'inherit' });
}

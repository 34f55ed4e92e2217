/**
 * The access-log enrichers, measured one at a time on the real 10,000-line Apache log (issue 6):
 *
 * - `WebAttackDetector.enrich` lines/s (warm: the best of `--rounds` passes after a warm-up pass);
 * - `GeoIpEnricher`: RSS added by `open()` with the default databases (right after it, as a daemon
 *   starts, and again after a forced GC), the time `open()` takes, uncached lookups/s over the log's
 *   distinct client addresses (and the RSS after them: lazily loaded parts count), and cached
 *   `enrich` lines/s;
 * - `UserAgentEnricher.enrich` (cached) and `JSON.stringify` of the documents, for scale.
 *
 * One process per part (RSS is per process, and the GeoIP figure must not include the detector's
 * heap). Usage: node dist/bench/enrichers/enrichers-bench.js [--rounds 5] [--part detector|geoip|ua].
 * Prints one line per figure and a JSON line last.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createAccessLogParser, type AccessLogDocument } from '../../src/decoders/access-log/index.js';
import { GeoIpEnricher } from '../../src/enrichers/geoip/geoip-enricher.js';
import { WebAttackDetector } from '../../src/enrichers/threat/web-attack-detector.js';
import { UserAgentEnricher } from '../../src/enrichers/user-agent/user-agent-enricher.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const rounds = Number(opt('--rounds') ?? 5);
const part = opt('--part');
const LOG = fileURLToPath(new URL('../../../../shared/corpus/access-logs/elastic-examples-apache_logs.log', import.meta.url));

function parseLog(): AccessLogDocument[] {
  const parser = createAccessLogParser({ format: 'apache_combined' });
  const lines = readFileSync(LOG, 'utf8').split('\n').filter((l) => l.length > 0);
  return lines.map((line, i) => parser.parseLine(line, i));
}

/** Best lines/s of `rounds` timed passes of `fn` over `n` items, after one untimed warm-up pass. */
function best(n: number, fn: () => void): number {
  fn();
  let top = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    fn();
    top = Math.max(top, n / ((performance.now() - t0) / 1000));
  }
  return Math.round(top);
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) for (let i = 0; i < 3; i++) g();
}

const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;

async function runPart(name: string): Promise<Record<string, number>> {
  const docs = parseLog();
  if (name === 'detector') {
    const detector = WebAttackDetector.load();
    let flagged = 0;
    const perSecond = best(docs.length, () => {
      flagged = 0;
      for (const d of docs) if (detector.enrich(d).length > 0) flagged++;
    });
    return { detectorLinesPerSecond: perSecond, detectorFlagged: flagged };
  }
  if (name === 'geoip') {
    const ips = [...new Set(docs.map((d) => d.source?.ip).filter((ip): ip is string => ip !== undefined))];
    gc();
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    const uncached = await GeoIpEnricher.open({ cacheEntries: 0 });
    const openMs = performance.now() - t0;
    // Without a forced GC first: what a daemon holds right after start-up, garbage of the open included.
    const rssAfterOpen = process.memoryUsage().rss;
    gc();
    const rssAfterOpenGc = process.memoryUsage().rss;
    const heapAfterOpen = process.memoryUsage().heapUsed;
    let found = 0;
    const lookupsPerSecond = best(ips.length, () => {
      found = 0;
      for (const ip of ips) if (uncached.lookup(ip) !== undefined) found++;
    });
    const rssAfterLookups = process.memoryUsage().rss;
    const geo = await GeoIpEnricher.open();
    const enrichPerSecond = best(docs.length, () => {
      for (const d of docs) geo.enrich(d);
    });
    return {
      geoipOpenMs: Math.round(openMs),
      geoipRssAddedMb: mb(rssAfterOpen - rssBefore),
      geoipRssAddedAfterGcMb: mb(rssAfterOpenGc - rssBefore),
      geoipHeapUsedAfterOpenMb: mb(heapAfterOpen),
      geoipRssAddedAfterLookupsMb: mb(rssAfterLookups - rssBefore),
      geoipDistinctIps: ips.length,
      geoipFound: found,
      geoipUncachedLookupsPerSecond: lookupsPerSecond,
      geoipCachedEnrichLinesPerSecond: enrichPerSecond,
    };
  }
  if (name === 'ua') {
    const ua = new UserAgentEnricher();
    const uaPerSecond = best(docs.length, () => {
      for (const d of docs) ua.enrich(d);
    });
    let bytes = 0;
    const jsonPerSecond = best(docs.length, () => {
      bytes = 0;
      for (const d of docs) bytes += JSON.stringify(d).length;
    });
    return { userAgentCachedLinesPerSecond: uaPerSecond, jsonStringifyLinesPerSecond: jsonPerSecond };
  }
  throw new Error(`unknown --part ${name} (detector, geoip or ua)`);
}

if (part !== undefined) {
  console.log(JSON.stringify(await runPart(part)));
} else {
  const self = fileURLToPath(import.meta.url);
  const result: Record<string, number> = {};
  for (const name of ['detector', 'geoip', 'ua']) {
    const r = spawnSync(process.execPath, ['--expose-gc', self, '--part', name, '--rounds', String(rounds)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bench part ${name} failed: ${r.stderr}`);
    const figures = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
    for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(36)} ${v.toLocaleString('en')}`);
    Object.assign(result, figures);
  }
  console.log(JSON.stringify(result));
}

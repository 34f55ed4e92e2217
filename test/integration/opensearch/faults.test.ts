/**
 * Fault tests against a real OpenSearch node, on the standard 200,004-packet capture:
 * - the node is killed in the middle of an ingest and started again on its data: the ingest waits
 *   (circuit breaker, retries), resumes, and ends with exactly 200,004 documents, memory bounded;
 * - sluice itself is killed (SIGKILL) in the middle of an ingest and the same command is run
 *   again: exactly 200,004 documents, the replayed ones answered 409 (already there).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSearchState, openSearchUrl, skipWithoutOpenSearch } from '../../support/opensearch.js';
import { SHARED_BENCH_DIR } from '../../support/tshark.js';
import { tempDir } from '../../support/temp.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const CAPTURE = join(SHARED_BENCH_DIR, 'mixed-200k.pcap');
const PACKETS = 200_004;
const skip = skipWithoutOpenSearch(2);

async function count(url: string, index: string): Promise<number> {
  await fetch(`${url}/${index}/_refresh`, { method: 'POST' }).catch(() => undefined);
  const r = await fetch(`${url}/${index}/_count`).catch(() => undefined);
  if (!r || r.status !== 200) return -1;
  return ((await r.json()) as { count: number }).count;
}

function ingest(dataDir: string, url: string, indexPattern: string): ChildProcess & { out: () => string; peakRssKb: () => number } {
  const child = spawn(process.execPath, [join(ROOT, 'bin/sluice.js'), '--data-dir', dataDir, 'ingest', '--es-url', url, '--es-index', indexPattern, '--output', 'json', '--progress', 'never', CAPTURE], {
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { out: () => string; peakRssKb: () => number };
  let out = '';
  let peak = 0;
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', () => undefined);
  const timer = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]));
    } catch {
      // exited
    }
  }, 200);
  child.on('exit', () => clearInterval(timer));
  child.out = () => out;
  child.peakRssKb = () => peak;
  return child;
}

const exited = (c: ChildProcess) => new Promise<number | null>((resolve) => (c.exitCode !== null ? resolve(c.exitCode) : c.once('exit', (code) => resolve(code))));

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('fault tolerance against OpenSearch 2.x', { skip }, () => {
  const { dir, cleanup } = tempDir('sluice-faults-');
  const url = skip ? '' : openSearchUrl(2)!;
  const prefix = `sluice-faults-${process.pid}`;
  after(async () => {
    if (!skip) await fetch(`${url}/${prefix}-*`, { method: 'DELETE' }).catch(() => undefined);
    cleanup();
  });

  test('the engine is killed mid-ingest and restarted: the ingest waits, resumes, and delivers every packet exactly once', { timeout: 600_000 }, async () => {
    const index = `${prefix}-engine-%Y.%m.%d`;
    const child = ingest(join(dir, 'engine'), url, index);
    await waitFor('the first 30,000 documents', async () => (await count(url, `${prefix}-engine-*`)) >= 30_000, 120_000);
    const state = openSearchState(2);
    assert.ok(state, 'the test node was started by scripts/stack/opensearch.mjs');
    process.kill(state.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 3_000)); // the ingest meets refused connections meanwhile
    assert.equal(child.exitCode, null, 'the ingest waits while the engine is down');
    const restart = spawnSync(process.execPath, [join(ROOT, 'scripts/stack/opensearch.mjs'), 'start', '--version', '2', '--keep-data'], { encoding: 'utf8' });
    assert.equal(restart.status, 0, restart.stderr);
    assert.equal(await exited(child), 0);
    const summary = JSON.parse(child.out().trim().split('\n').pop()!);
    assert.equal(summary.packets, PACKETS);
    assert.equal(summary.delivery.dead, 0);
    assert.equal(await count(url, `${prefix}-engine-*`), PACKETS);
    assert.ok(child.peakRssKb() < 512 * 1024, `peak RSS ${Math.round(child.peakRssKb() / 1024)} MB`);
  });

  test('sluice is killed (SIGKILL) mid-ingest: the same command again gives exactly every packet', { timeout: 600_000 }, async () => {
    const index = `${prefix}-kill-%Y.%m.%d`;
    const dataDir = join(dir, 'kill');
    const first = ingest(dataDir, url, index);
    await waitFor('the first 40,000 documents', async () => (await count(url, `${prefix}-kill-*`)) >= 40_000, 120_000);
    first.kill('SIGKILL');
    await exited(first);
    const before = await count(url, `${prefix}-kill-*`);
    assert.ok(before > 0 && before < PACKETS, `${before} documents before the second run`);
    const second = ingest(dataDir, url, index);
    assert.equal(await exited(second), 0);
    const summary = JSON.parse(second.out().trim().split('\n').pop()!);
    // The second run resumes after the checkpoint: it creates what was missing; what was in flight
    // when sluice died is sent again and answered 409. (Bulk requests sluice had sent before it died
    // may still land after `before` was counted, so created can be a little below PACKETS - before.)
    assert.ok(summary.delivery.created > 0 && summary.delivery.created <= PACKETS - before, `created ${summary.delivery.created}, missing before ${PACKETS - before}`);
    assert.ok(summary.delivery.exists + summary.delivery.created < PACKETS, 'the second run resumed after the checkpoint instead of resending everything');
    assert.equal(await count(url, `${prefix}-kill-*`), PACKETS);
  });
});

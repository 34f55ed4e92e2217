/**
 * `sluice watch --es-url`: captures dropped in a folder land in OpenSearch exactly once — a copy
 * under another name is a duplicate, and a second run over the same folder adds nothing.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { startDaemon } from '../../support/daemon.js';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import { openSearchUrl, skipWithoutOpenSearch } from '../../support/opensearch.js';
import { SHARED_BENCH_DIR } from '../../support/tshark.js';
import { captureIO, tempDir } from '../../support/temp.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const skip = skipWithoutOpenSearch(2);

describe('watch into OpenSearch 2.x', { skip }, () => {
  const { dir, cleanup } = tempDir('sluice-watch-os-');
  const url = skip ? '' : openSearchUrl(2)!;
  const prefix = `sluice-watch-${process.pid}`;
  after(async () => {
    if (!skip) {
      await fetch(`${url}/${prefix}-*`, { method: 'DELETE' }).catch(() => undefined);
      await fetch(`${url}/_index_template/${prefix}`, { method: 'DELETE' }).catch(() => undefined);
    }
    cleanup();
  });

  test('every packet once, copies are duplicates, a second run adds nothing', async () => {
    const inbox = join(dir, 'inbox');
    mkdirSync(join(inbox, 'sub'), { recursive: true });
    copyFileSync(join(ROOT, 'examples/sample.pcap'), join(inbox, 'a.pcap'));
    copyFileSync(join(ROOT, 'examples/sample.pcap'), join(inbox, 'sub', 'copy-of-a.pcap'));
    copyFileSync(join(SHARED_BENCH_DIR, 'mixed-20k.pcap'), join(inbox, 'sub', 'mixed.pcap'));
    const args = ['node', 'sluice', '--data-dir', join(dir, 'data'), 'watch', inbox, '--once', '--stable-ms', '0', '--min-free-mb', '0', '--parallel-files', '1', '--es-url', url, '--es-index', `${prefix}-%Y.%m.%d`];
    const first = captureIO();
    assert.equal(await main(args, first.io), 0, first.err());
    assert.match(first.out(), /2 ingested, 1 duplicate/);
    await fetch(`${url}/${prefix}-*/_refresh`, { method: 'POST' });
    const count = async () => ((await (await fetch(`${url}/${prefix}-*/_count`)).json()) as { count: number }).count;
    assert.equal(await count(), 16 + 20001);

    const second = captureIO();
    assert.equal(await main(args, second.io), 0, second.err());
    assert.match(second.out(), /0 ingested, 3 duplicate/);
    assert.equal(await count(), 16 + 20001);
  });

  test('SIGKILL of the daemon mid-file, restart: the engine holds every packet exactly once', async () => {
    const inbox = join(dir, 'inbox-kill');
    const dataDir = join(dir, 'data-kill');
    mkdirSync(inbox);
    copyFileSync(join(SHARED_BENCH_DIR, 'mixed-200k.pcap'), join(inbox, 'big.pcap'));
    const killPrefix = `sluice-watchkill-${process.pid}`;
    const index = `${killPrefix}-%Y.%m.%d`;
    const count = async () => {
      const r = await fetch(`${url}/${killPrefix}-*/_count`);
      return r.ok ? ((await r.json()) as { count: number }).count : 0;
    };
    const daemon = startDaemon(['--data-dir', dataDir, 'watch', inbox, '--stable-ms', '100', '--min-free-mb', '0', '--es-url', url, '--es-index', index]);
    const end = Date.now() + 120_000;
    while ((await count()) === 0) {
      assert.ok(Date.now() < end && daemon.child.exitCode === null, `nothing reached the engine; output:\n${daemon.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    await fetch(`${url}/${killPrefix}-*/_refresh`, { method: 'POST' });
    const atKill = await count();
    assert.ok(atKill > 0 && atKill < 200_004, `killed mid-file (engine had ${atKill})`);

    const io = captureIO();
    const args = ['node', 'sluice', '--data-dir', dataDir, 'watch', inbox, '--once', '--stable-ms', '0', '--min-free-mb', '0', '--es-url', url, '--es-index', index];
    assert.equal(await main(args, io.io), 0, io.err());
    assert.match(io.out(), /1 ingested/);
    await fetch(`${url}/${killPrefix}-*/_refresh`, { method: 'POST' });
    assert.equal(await count(), 200_004);
    await fetch(`${url}/${killPrefix}-*`, { method: 'DELETE' });
    await fetch(`${url}/_index_template/${killPrefix}`, { method: 'DELETE' });
  });

  test('a template clash (same priority, overlapping pattern) is refused with SLUICE_ENGINE_TEMPLATE and a hint', async () => {
    const clash = `sluice-clash-${process.pid}`;
    await fetch(`${url}/_index_template/${clash}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ index_patterns: [`${clash}-*`], priority: 200 }) });
    try {
      const inbox = join(dir, 'inbox-clash');
      mkdirSync(inbox);
      copyFileSync(join(ROOT, 'examples/sample.pcap'), join(inbox, 'a.pcap'));
      const io = captureIO();
      const code = await main(['node', 'sluice', '--data-dir', join(dir, 'data-clash'), 'watch', inbox, '--once', '--stable-ms', '0', '--min-free-mb', '0', '--es-url', url, '--es-index', `${clash}-x-%Y`], io.io);
      assert.equal(code, 1);
      assert.match(io.err(), /SLUICE_ENGINE_TEMPLATE/);
      assert.match(io.err(), new RegExp(`Another index template \\(${clash}\\) matches the same indices`));
    } finally {
      await fetch(`${url}/_index_template/${clash}`, { method: 'DELETE' });
    }
  });
  test('a capture written slowly into the watched folder of a running daemon lands in OpenSearch once, only after it stopped growing', async () => {
    const inbox = join(dir, 'inbox-slow');
    mkdirSync(inbox);
    const slowPrefix = `sluice-watchslow-${process.pid}`;
    const count = async () => {
      await fetch(`${url}/${slowPrefix}-*/_refresh`, { method: 'POST' });
      const r = await fetch(`${url}/${slowPrefix}-*/_count`);
      return r.ok ? ((await r.json()) as { count: number }).count : 0;
    };
    const bytes = readFileSync(join(SHARED_BENCH_DIR, 'mixed-20k.pcap'));
    const daemon = startDaemon(['--data-dir', join(dir, 'data-slow'), 'watch', inbox, '--stable-ms', '800', '--poll-interval-ms', '50', '--min-free-mb', '0', '--es-url', url, '--es-index', `${slowPrefix}-%Y.%m.%d`]);
    try {
      const file = join(inbox, 'slow.pcap');
      const parts = 4;
      for (let i = 0; i < parts; i++) {
        appendFileSync(file, bytes.subarray(Math.floor((i * bytes.length) / parts), Math.floor(((i + 1) * bytes.length) / parts)));
        await new Promise((r) => setTimeout(r, 400));
        if (i < parts - 1) assert.equal(await count(), 0, 'nothing delivered while the file grows');
      }
      const end = Date.now() + 60_000;
      while ((await count()) < 20_001) {
        assert.ok(Date.now() < end && daemon.child.exitCode === null, `not all delivered; output:\n${daemon.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await count(), 20_001, 'every packet exactly once');
      assert.doesNotMatch(daemon.output(), /quarantined|CAPTURE_TRUNCATED/);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
      await fetch(`${url}/${slowPrefix}-*`, { method: 'DELETE' });
      await fetch(`${url}/_index_template/${slowPrefix}`, { method: 'DELETE' });
    }
  });
});

/**
 * `sluice watch --es-url`: captures dropped in a folder land in OpenSearch exactly once — a copy
 * under another name is a duplicate, and a second run over the same folder adds nothing.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
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
});

/**
 * The library: `import { Pipeline } from 'sluice'` (the package's own name, as a user writes it),
 * `processFile` for a capture and for a log (exactly once on a second call), `start()`/`stop()`
 * following `tail.paths`, and the configuration validated as on the command line.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pipeline, isSluiceError } from 'sluice';
import { tempDir } from '../../support/temp.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const CORPUS = new URL('../../../../../shared/corpus/', import.meta.url).pathname;
const temps: (() => void)[] = [];
after(() => temps.forEach((c) => c()));
function temp(): string {
  const t = tempDir('sluice-lib-');
  temps.push(t.cleanup);
  return t.dir;
}

describe('import { Pipeline } from "sluice"', () => {
  test('processFile: a capture and an access log into the embedded store, exactly once', async () => {
    const dir = temp();
    const pipeline = new Pipeline({ data_dir: join(dir, 'data'), geoip: { enabled: false } });
    const capture = await pipeline.processFile(join(ROOT, 'examples/sample.pcap'));
    assert.deepEqual([capture.kind, capture.read, capture.created], ['capture', 16, 16]);
    const again = await pipeline.processFile(join(ROOT, 'examples/sample.pcap'));
    assert.equal(again.created, 0);

    const log = await pipeline.processFile(join(CORPUS, 'access-logs/elastic-examples-apache_logs.log'));
    assert.deepEqual([log.kind, log.read, log.created, log.dead], ['access', 10_000, 10_000, 0]);
    const logAgain = await pipeline.processFile(join(CORPUS, 'access-logs/elastic-examples-apache_logs.log'));
    assert.equal(logAgain.created, 0, 'the checkpoint says it was all read');
  });

  test('start() follows tail.paths until stop(); the configuration is validated like the command line', async () => {
    const dir = temp();
    const file = join(dir, 'access.log');
    writeFileSync(file, '');
    const pipeline = new Pipeline({ 'data_dir': join(dir, 'data'), tail: { paths: [file], poll_interval_ms: 50, flush_interval_ms: 50 }, geoip: { enabled: false } });
    await pipeline.start();
    for (let i = 0; i < 5; i++) appendFileSync(file, `10.0.0.${i} - - [10/Oct/2000:13:55:36 -0700] "GET /${i} HTTP/1.1" 200 1 "-" "curl/8"\n`);
    await new Promise((r) => setTimeout(r, 1500));
    const summary = await pipeline.stop();
    assert.equal(summary?.created, 5);

    assert.throws(
      () => new Pipeline({ tail: { batch_lines_count: 0 }, access_log: { format: 'nope' } }),
      (err: unknown) => isSluiceError(err, 'SLUICE_CONFIG_INVALID') && /tail\.batch_lines_count/.test((err as Error).message) && /access_log\.format/.test((err as Error).message),
    );
  });
});

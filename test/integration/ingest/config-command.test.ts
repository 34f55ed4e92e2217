import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import { loadConfig } from '../../../src/config/index.js';
import { captureIO, tempDir } from '../../support/temp.js';

test('config init writes a commented file that loads to exactly the defaults; check reports every problem', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'sluice.yaml');
    const init = captureIO();
    assert.equal(await main(['node', 'sluice', 'config', 'init', file], init.io), 0);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /# env: SLUICE_INGEST__BATCH_PACKETS/);
    assert.match(text, /# password:/, 'secrets are left commented out');
    assert.deepEqual(
      JSON.parse(JSON.stringify(loadConfig({ cwd: dir, env: {}, configFile: file }))),
      JSON.parse(JSON.stringify(loadConfig({ cwd: dir, env: {} }))),
    );

    const again = captureIO();
    assert.equal(await main(['node', 'sluice', 'config', 'init', file], again.io), 2, 'no overwrite without --force');

    const ok = captureIO();
    assert.equal(await main(['node', 'sluice', '--config', file, 'config', 'check'], ok.io), 0);
    assert.match(ok.out(), /Configuration OK/);

    writeFileSync(file, text.replace('  batch_packets: 1024', '  batch_packets: 0').replace('\noutput: table', '\noutput: yaml'));
    const bad = captureIO();
    assert.equal(await main(['node', 'sluice', '--config', file, 'config', 'check'], bad.io), 2);
    assert.match(bad.err(), /ingest\.batch_packets: must be at least 1/);
    assert.match(bad.err(), /output: must be one of/);
  } finally {
    cleanup();
  }
});

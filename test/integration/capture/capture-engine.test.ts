/**
 * `sluice capture --es-url`: live packets from lo into OpenSearch 2.x, exactly once (ingesting the
 * packet folder again adds nothing); and the permission error when the tool may not capture
 * (the capture run as user nobody, the tools installed without capabilities).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import dgram from 'node:dgram';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import { runCapture } from '../../../src/cli/commands/capture-command.js';
import { loadConfig } from '../../../src/config/index.js';
import { captureIO, tempDir } from '../../support/temp.js';
import { openSearchUrl, skipWithoutOpenSearch } from '../../support/opensearch.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const haveTools = ['dumpcap', 'tcpdump'].every((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).status === 0);
const isRoot = process.getuid?.() === 0;

const temps: (() => void)[] = [];
after(() => temps.forEach((c) => c()));
function temp(): string {
  const t = tempDir('sluice-capture-');
  temps.push(t.cleanup);
  return t.dir;
}

const engineSkip = !haveTools || !isRoot ? 'live capture needs root and dumpcap/tcpdump' : skipWithoutOpenSearch(2);

describe('sluice capture into OpenSearch 2.x', { skip: engineSkip }, () => {
  const url = engineSkip ? '' : openSearchUrl(2)!;
  const prefix = `sluice-capture-${process.pid}`;
  after(async () => {
    if (engineSkip) return;
    await fetch(`${url}/${prefix}-*`, { method: 'DELETE' }).catch(() => undefined);
    await fetch(`${url}/_index_template/${prefix}`, { method: 'DELETE' }).catch(() => undefined);
  });

  test('--count 7 over lo: 7 documents, and ingesting the packet folder again adds none', async () => {
    const dataDir = temp();
    const rx = dgram.createSocket('udp4');
    await new Promise<void>((res) => rx.bind(0, '127.0.0.1', res));
    const port = rx.address().port;
    const config = loadConfig({ flags: { data_dir: dataDir, 'elasticsearch.urls': [url], 'elasticsearch.index_pattern': `${prefix}-%Y.%m.%d` } });
    const tx = dgram.createSocket('udp4');
    let timer: NodeJS.Timeout | undefined;
    try {
      const { io, out, err } = captureIO();
      const code = await runCapture(
        {
          interface: 'lo', bpf: `udp port ${port}`, count: 7, dataDir, output: 'json', progress: 'never', minFreeMb: 0,
          elasticsearch: config.elasticsearch,
          onEvent: (e) => {
            if (e.type === 'ready') timer = setInterval(() => tx.send('x', port, '127.0.0.1'), 50);
          },
        },
        io,
      );
      assert.equal(code, 0, err());
      const summary = JSON.parse(out());
      assert.equal(summary.stats.captured, 7);
      assert.equal(summary.delivery.created, 7);
      const count = async () => {
        await fetch(`${url}/${prefix}-*/_refresh`, { method: 'POST' });
        return ((await (await fetch(`${url}/${prefix}-*/_count`)).json()) as { count: number }).count;
      };
      assert.equal(await count(), 7);
      const again = captureIO();
      assert.equal(await main(['node', 'sluice', '--data-dir', dataDir, 'ingest', summary.dir, '--es-url', url, '--es-index', `${prefix}-%Y.%m.%d`], again.io), 0, again.err());
      assert.equal(await count(), 7, 'exactly once');
    } finally {
      if (timer) clearInterval(timer);
      tx.close();
      rx.close();
    }
  });
});

const setpriv = spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
describe('sluice capture without the right to capture', { skip: !haveTools || !isRoot || !setpriv ? 'needs root, setpriv, dumpcap and tcpdump' : false }, () => {
  test('SLUICE_CAPTURE_PERMISSION saying root or setcap, for both tools', () => {
    const dir = temp();
    chmodSync(dir, 0o777);
    mkdirSync(join(dir, 'data'), { mode: 0o777 });
    chmodSync(join(dir, 'data'), 0o777);
    const script = join(dir, 'run.mjs');
    const entry = join(ROOT, 'dist/src/cli/commands/capture-command.js');
    writeFileSync(
      script,
      `import { runCapture } from ${JSON.stringify(entry)};\n` +
        `for (const tool of ['dumpcap', 'tcpdump']) {\n` +
        `  try { await runCapture({ interface: 'lo', tool, dataDir: ${JSON.stringify(join(dir, 'data'))}, minFreeMb: 0, output: 'json', progress: 'never' }); console.log(JSON.stringify({ tool })); }\n` +
        `  catch (e) { console.log(JSON.stringify({ tool, code: e.code, message: e.message })); }\n` +
        `}\n`,
      { mode: 0o644 },
    );
    const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, script], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    const lines = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    assert.equal(lines.length, 2, `${r.stdout}\n${r.stderr}`);
    for (const l of lines) {
      assert.equal(l.code, 'SLUICE_CAPTURE_PERMISSION', `${l.tool}: ${l.message}`);
      assert.match(l.message, /root/);
      assert.match(l.message, /setcap cap_net_raw,cap_net_admin/);
    }
  });
});

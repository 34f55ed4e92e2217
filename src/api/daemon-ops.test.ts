import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { isSluiceError } from '../errors.js';
import { startDaemonOps } from './daemon-ops.js';
import { parseListenAddress } from './daemon-server.js';

test('startDaemonOps: endpoint on request, readiness added later, JSON logs with the command, close stops it all', async () => {
  let text = '';
  const destination = new Writable({
    write(chunk, _e, cb) {
      text += String(chunk);
      cb();
    },
  });
  const ops = await startDaemonOps({ command: 'watch', version: '1.2.3', api: { enabled: true, address: '127.0.0.1:0' }, log: { format: 'json', healthIntervalSecs: 0 }, logDestination: destination });
  const url = ops.server!.url;
  assert.equal((await fetch(`${url}/readyz`)).status, 200, 'no checks yet: ready');
  ops.addReadiness({ name: 'engine', check: async () => Promise.reject(new Error('not yet')) });
  const r = await fetch(`${url}/readyz`);
  assert.equal(r.status, 503);
  assert.deepEqual(((await r.json()) as { checks: unknown[] }).checks.map((c) => (c as { name: string }).name), ['engine']);
  assert.match(await (await fetch(`${url}/metrics`)).text(), /sluice_build_info\{version="1.2.3"\} 1/);
  await ops.close();
  await ops.close(); // twice is fine
  await assert.rejects(fetch(`${url}/healthz`));
  const lines = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { command: string; msg: string });
  assert.ok(lines.some((l) => l.command === 'watch' && l.msg === `Serving /metrics, /healthz and /readyz at ${url}.`), text);

  assert.throws(() => parseListenAddress('9599'), (err) => isSluiceError(err, 'SLUICE_CONFIG_INVALID'));
  assert.throws(() => parseListenAddress('127.0.0.1:70000'), (err) => isSluiceError(err, 'SLUICE_CONFIG_INVALID'));
  assert.deepEqual(parseListenAddress('[::1]:9599'), { address: '::1', port: 9599 });
  assert.deepEqual(parseListenAddress('0.0.0.0:9599'), { address: '0.0.0.0', port: 9599 });
  await assert.rejects(startDaemonOps({ command: 'watch', api: { enabled: true, address: 'x y' }, logDestination: destination }), (err) => isSluiceError(err, 'SLUICE_CONFIG_INVALID'));

  const off = await startDaemonOps({ command: 'watch', log: { format: 'json', healthIntervalSecs: 0 }, logDestination: destination });
  assert.equal(off.server, undefined, 'no endpoint unless enabled');
  await off.close();
});

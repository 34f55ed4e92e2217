#!/usr/bin/env node
// Elasticsearch 7.10.2 (the last Apache-2.0 Elasticsearch) as a real single-node test server,
// from Maven Central through org.codelibs:elasticsearch-cluster-runner on the machine's Java 17.
// The runner loads the OSS modules only: no X-Pack, so no ILM and no point-in-time API — sluice
// must (and does) work without them.
//
//   node scripts/stack/elasticsearch7.mjs start [--port 9230]   prints ELASTICSEARCH7_URL=… started=true|false
//   node scripts/stack/elasticsearch7.mjs stop
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const STACK = join(ROOT, '.stack');
const HOME = join(STACK, 'elasticsearch-7.10.2');
const STATE = join(STACK, 'elasticsearch-7.json');
const args = process.argv.slice(2);
const cmd = args[0];
const portAt = args.indexOf('--port');
const port = portAt >= 0 ? Number(args[portAt + 1]) : 9230;
const url = `http://127.0.0.1:${port}`;
const info = (m) => console.error(`elasticsearch7.mjs: ${m}`);
const die = (m) => {
  console.error(`elasticsearch7.mjs: ${m}`);
  process.exit(1);
};

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function answers() {
  try {
    const r = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=5s`);
    return r.status === 200;
  } catch {
    return false;
  }
}

function java17() {
  for (const d of readdirSync('/usr/lib/jvm')) {
    const bin = join('/usr/lib/jvm', d, 'bin/java');
    if (/(^|[^0-9])17([^0-9]|$)/.test(d) && existsSync(bin)) return bin;
  }
  return 'java';
}

async function start() {
  if (existsSync(STATE)) {
    const s = JSON.parse(readFileSync(STATE, 'utf8'));
    if (alive(s.pid) && (await answers())) {
      info(`Elasticsearch 7.10.2 already running at ${s.url} (pid ${s.pid})`);
      console.log(`ELASTICSEARCH7_URL=${s.url} version=7.10.2 pid=${s.pid} started=false`);
      return;
    }
    rmSync(STATE, { force: true });
  }
  if (await answers()) die(`port ${port} already answers: something else runs there; stop it or pass --port N`);
  mkdirSync(HOME, { recursive: true });
  const lib = join(HOME, 'lib');
  if (!existsSync(lib) || readdirSync(lib).length === 0) {
    info('downloading Elasticsearch 7.10.2 (elasticsearch-cluster-runner 7.10.2.0) from Maven Central …');
    writeFileSync(join(HOME, 'pom.xml'), readFileSync(join(ROOT, 'scripts/stack/elasticsearch7/pom.xml')));
    const mvn = spawnSync('mvn', ['-B', '-q', 'package'], { cwd: HOME, encoding: 'utf8' });
    if (mvn.status !== 0) die(`mvn failed (is Maven installed?):\n${(mvn.stdout + mvn.stderr).slice(-2000)}`);
  }
  const base = join(HOME, `node-${port}`);
  rmSync(base, { recursive: true, force: true });
  const conf = join(base, 'config');
  mkdirSync(conf, { recursive: true });
  writeFileSync(join(conf, 'elasticsearch.yml'), ['network.host: 127.0.0.1', 'discovery.type: single-node', 'cluster.routing.allocation.disk.threshold_enabled: false', `http.port: ${port}`, ''].join('\n'));
  const log = join(base, 'runner.log');
  const out = openSync(log, 'a');
  const heap = process.env.SLUICE_ELASTICSEARCH_HEAP || '1g';
  const child = spawn(java17(), [`-Xms${heap}`, `-Xmx${heap}`, '-Des.distribution.flavor=default', `-Djava.io.tmpdir=${base}`, '-cp', `${lib}/*`,
    'org.codelibs.elasticsearch.runner.ElasticsearchClusterRunner', '-basePath', base, '-confPath', conf, '-numOfNode', '1',
    '-baseHttpPort', String(port - 1), '-clusterName', `sluice-test-es7-${port}`, '-printOnFailure'], { cwd: base, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  writeFileSync(STATE, JSON.stringify({ url, pid: child.pid, basePath: base, log }, null, 2));
  const t0 = Date.now();
  while (!(await answers())) {
    if (!alive(child.pid) || Date.now() - t0 > 180_000) {
      try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
      rmSync(STATE, { force: true });
      die(`Elasticsearch 7.10.2 did not start; last lines of ${log}:\n${readFileSync(log, 'utf8').split('\n').slice(-20).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  info(`Elasticsearch 7.10.2 ready at ${url} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`ELASTICSEARCH7_URL=${url} version=7.10.2 pid=${child.pid} started=true`);
}

async function stop() {
  if (!existsSync(STATE)) return info('not running');
  const s = JSON.parse(readFileSync(STATE, 'utf8'));
  if (alive(s.pid)) {
    process.kill(s.pid, 'SIGTERM');
    for (let i = 0; i < 60 && alive(s.pid); i++) await new Promise((r) => setTimeout(r, 500));
    if (alive(s.pid)) process.kill(s.pid, 'SIGKILL');
  }
  if (s.basePath?.startsWith(STACK)) rmSync(s.basePath, { recursive: true, force: true });
  rmSync(STATE, { force: true });
  info(`stopped Elasticsearch 7.10.2 (pid ${s.pid})`);
}

if (cmd === 'start') await start();
else if (cmd === 'stop') await stop();
else die('usage: node scripts/stack/elasticsearch7.mjs start [--port N] | stop');

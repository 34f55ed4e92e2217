#!/usr/bin/env node
// Starts, stops and restarts a real single-node Kafka broker (KRaft, no ZooKeeper) for the test
// suite, without Docker.
//
//   node scripts/stack/kafka.mjs start   [--timeout SECONDS]
//   node scripts/stack/kafka.mjs stop
//   node scripts/stack/kafka.mjs restart [--kill] [--timeout SECONDS]
//   node scripts/stack/kafka.mjs status  [--json]
//   node scripts/stack/kafka.mjs fetch   (download the jars only)
//
// The jars come from Maven Central: a tiny pom written into .stack/kafka-<version>/ depends on
// org.apache.kafka:kafka_2.13 plus the logging backend the Kafka pom does not carry
// (slf4j-reload4j + reload4j), and `mvn -B -q package` copies them into .stack/kafka-<version>/lib/
// (reused when present; Maven's own cache is ~/.m2).
//
// `start` writes server.properties and log4j.properties, formats the log folder with
// `kafka.tools.StorageTool format --ignore-formatted`, starts `kafka.Kafka`, and waits until a real
// Metadata request (through @platformatic/kafka's Admin client) lists the broker: the port opens
// before the broker serves requests, so a TCP connect is not enough. It prints one line on stdout:
// `KAFKA_URL=127.0.0.1:9092 version=<x.y.z> pid=<pid> started=true|false`. A broker that already
// answers on 127.0.0.1:9092 (ours or anyone's) is reused (started=false) and never stopped by us.
// `stop` stops only the broker this script started (state in .stack/kafka.json) and removes its
// log folder. `restart` stops the broker process (SIGTERM, or SIGKILL with --kill) and starts it again
// on the same log folder, so the topics and committed offsets survive: the broker-restart tests use it.
//
// Environment: SLUICE_KAFKA_HEAP (default 512m), SLUICE_KAFKA_JAVA_HOME (a JDK 11+), MAVEN_OPTS.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const STACK = join(ROOT, '.stack');
const HOST = '127.0.0.1';
const PORT = 9092;
const CONTROLLER_PORT = 9093;
const URL = `${HOST}:${PORT}`;
/** Kafka on Maven Central (Scala 2.13 build); the 3.9 line is the last with ZooKeeper-less KRaft and Java 11+. */
const VERSION = '3.9.1';
const DIR = join(STACK, `kafka-${VERSION}`);
const LIB = join(DIR, 'lib');
const DATA = join(DIR, 'data');
const STATE = join(STACK, 'kafka.json');

function die(msg, code = 1) {
  process.stderr.write(`kafka.mjs: ${msg}\n`);
  process.exit(code);
}
function info(msg) {
  process.stderr.write(`kafka.mjs: ${msg}\n`);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pidAlive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

// ---------------------------------------------------------------------------------------------
// Java and jars

/** A JDK 11+ for the broker: SLUICE_KAFKA_JAVA_HOME, else a JDK 17 under /usr/lib/jvm, else `java`. */
function pickJava() {
  const override = process.env.SLUICE_KAFKA_JAVA_HOME;
  if (override) {
    if (!existsSync(join(override, 'bin', 'java'))) die(`SLUICE_KAFKA_JAVA_HOME=${override} holds no bin/java`);
    return join(override, 'bin', 'java');
  }
  try {
    for (const name of readdirSync('/usr/lib/jvm').sort()) {
      if (/(^|[^0-9])17([^0-9]|$)/.test(name) && existsSync(join('/usr/lib/jvm', name, 'bin', 'java'))) return join('/usr/lib/jvm', name, 'bin', 'java');
    }
  } catch { /* no /usr/lib/jvm */ }
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) die('no Java found: Kafka needs a JDK 11+ (Debian: apt-get install -y openjdk-17-jdk-headless)');
  return 'java';
}

const POM = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by scripts/stack/kafka.mjs: the jars of Kafka ${VERSION} (KRaft) for the test suite. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>sluice.stack</groupId>
  <artifactId>kafka-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <properties><project.build.sourceEncoding>UTF-8</project.build.sourceEncoding></properties>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${VERSION}</version></dependency>
    <!-- The broker logs through slf4j; the Kafka pom carries no backend. -->
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId><version>1.2.25</version></dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.8.1</version>
        <executions>
          <execution>
            <id>copy-jars</id>
            <phase>package</phase>
            <goals><goal>copy-dependencies</goal></goals>
            <configuration>
              <outputDirectory>\${project.basedir}/lib.partial</outputDirectory>
              <includeScope>runtime</includeScope>
            </configuration>
          </execution>
        </executions>
      </plugin>
    </plugins>
  </build>
</project>
`;

/** A lock folder, so two runs sharing a checkout do not download or start twice. */
async function withLock(lock, fn) {
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 20 * 60_000;
  let waited = false;
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
      await sleep(1000);
    }
  }
  try { return await fn(); } finally { rmSync(lock, { recursive: true, force: true }); }
}

async function ensureJars() {
  const marker = join(LIB, '.complete');
  const done = () => existsSync(marker) && readFileSync(marker, 'utf8').trim() === VERSION;
  if (done()) return;
  mkdirSync(DIR, { recursive: true });
  await withLock(join(DIR, '.lock'), async () => {
    if (done()) return;
    const mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
    if (mvn.error || mvn.status !== 0) die('Maven (`mvn`) is needed to download Kafka from Maven Central and was not found: install it (Debian: apt-get install -y maven)');
    writeFileSync(join(DIR, 'pom.xml'), POM);
    const partial = join(DIR, 'lib.partial');
    rmSync(partial, { recursive: true, force: true });
    const logPath = join(DIR, 'mvn.log');
    const out = openSync(logPath, 'w');
    const t0 = Date.now();
    info(`downloading Kafka ${VERSION} from Maven Central with mvn into ${LIB} …`);
    const code = await new Promise((res) => {
      const p = spawn('mvn', ['-B', '-q', '-ntp', '-Dstyle.color=never', 'package'], { cwd: DIR, stdio: ['ignore', out, out] });
      p.on('error', () => res(127));
      p.on('exit', (c) => res(c ?? 1));
    });
    closeSync(out);
    if (code !== 0) {
      const tail = readFileSync(logPath, 'utf8').split('\n').filter((l) => l.trim() !== '').slice(-25).join('\n');
      die(`mvn failed (exit ${code}) downloading Kafka ${VERSION}; is Maven Central reachable? Full log: ${logPath}\n${tail}`);
    }
    const jars = existsSync(partial) ? readdirSync(partial).filter((f) => f.endsWith('.jar')) : [];
    if (!jars.some((f) => f.startsWith('kafka_2.13-'))) die(`mvn succeeded but ${partial} holds no kafka_2.13 jar (see ${logPath})`);
    writeFileSync(join(partial, '.complete'), `${VERSION}\n`);
    rmSync(LIB, { recursive: true, force: true });
    renameSync(partial, LIB);
    rmSync(join(DIR, 'target'), { recursive: true, force: true });
    info(`downloaded ${jars.length} jars in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });
}

// ---------------------------------------------------------------------------------------------
// Broker

function writeConfig() {
  mkdirSync(DATA, { recursive: true });
  const props = [
    '# Written by scripts/stack/kafka.mjs: a throwaway single-node KRaft broker for tests.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${HOST}:${CONTROLLER_PORT}`,
    `listeners=PLAINTEXT://${HOST}:${PORT},CONTROLLER://${HOST}:${CONTROLLER_PORT}`,
    // Never the CONTROLLER listener here: clients would be sent to it.
    `advertised.listeners=PLAINTEXT://${HOST}:${PORT}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${DATA}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'delete.topic.enable=true',
    '',
  ].join('\n');
  writeFileSync(join(DIR, 'server.properties'), props);
  writeFileSync(join(DIR, 'log4j.properties'), [
    'log4j.rootLogger=INFO, stdout',
    'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
    'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka=INFO',
    'log4j.logger.org.apache.kafka=INFO',
    'log4j.logger.state.change.logger=WARN',
    'log4j.logger.kafka.request.logger=WARN',
    '',
  ].join('\n'));
}

function jvmArgs(heap) {
  return [
    `-Xms${heap}`, `-Xmx${heap}`,
    '-XX:+UseG1GC',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${join(DIR, 'log4j.properties')}`,
    `-Dkafka.logs.dir=${join(DIR, 'logs')}`,
    '-cp', `${LIB}/*`,
  ];
}

/** Formats the log folder once (a restart keeps it: --ignore-formatted). */
function formatStorage(java) {
  const metaFile = join(DATA, 'meta.properties');
  if (existsSync(metaFile)) return;
  const cp = ['-cp', `${LIB}/*`, `-Dlog4j.configuration=file:${join(DIR, 'log4j.properties')}`];
  const id = spawnSync(java, [...cp, 'kafka.tools.StorageTool', 'random-uuid'], { encoding: 'utf8' });
  const uuid = (id.stdout ?? '').trim().split('\n').pop();
  if (id.status !== 0 || !uuid) die(`StorageTool random-uuid failed (exit ${id.status}): ${id.stderr}`);
  const f = spawnSync(java, [...cp, 'kafka.tools.StorageTool', 'format', '-t', uuid, '-c', join(DIR, 'server.properties'), '--ignore-formatted'], { encoding: 'utf8' });
  if (f.status !== 0) die(`StorageTool format failed (exit ${f.status}): ${f.stdout}\n${f.stderr}`);
}

/** True when a Metadata request to the broker answers with at least one broker. */
async function brokerReady(timeoutMs = 5000) {
  let Admin;
  try {
    ({ Admin } = await import('@platformatic/kafka'));
  } catch (e) {
    die(`cannot load @platformatic/kafka to probe the broker (run npm ci first): ${e.message}`);
  }
  const admin = new Admin({ clientId: 'sluice-stack-probe', bootstrapBrokers: [URL], timeout: timeoutMs, retries: 0 });
  try {
    const md = await Promise.race([admin.metadata({ topics: [] }), sleep(timeoutMs).then(() => undefined)]);
    return md !== undefined && md.brokers.size > 0;
  } catch {
    return false;
  } finally {
    await admin.close().catch(() => {});
  }
}

async function portOpen(port) {
  return new Promise((res) => {
    const s = connect({ host: HOST, port });
    s.setTimeout(1000);
    s.once('connect', () => { s.destroy(); res(true); });
    s.once('timeout', () => { s.destroy(); res(false); });
    s.once('error', () => res(false));
  });
}

function readState() {
  try { return JSON.parse(readFileSync(STATE, 'utf8')); } catch { return undefined; }
}

/** True when the state's pid is still our broker (guards against a recycled pid). */
function isOurBroker(state) {
  if (!state || !Number.isInteger(state.pid) || !pidAlive(state.pid)) return false;
  try {
    const cmd = readFileSync(`/proc/${state.pid}/cmdline`, 'utf8');
    return cmd.includes('kafka.Kafka') && cmd.includes(DIR);
  } catch {
    return true;
  }
}

function logTail(n = 40) {
  try {
    return readFileSync(join(DIR, 'broker.log'), 'utf8').split('\n').filter((l) => l.trim() !== '').slice(-n).join('\n');
  } catch {
    return '(no broker.log)';
  }
}

async function killPid(pid, signal, graceMs) {
  try { process.kill(pid, signal); } catch { return; }
  const end = Date.now() + graceMs;
  while (Date.now() < end) {
    if (!pidAlive(pid)) return;
    await sleep(200);
  }
  info(`pid ${pid} still alive after ${graceMs / 1000} s: SIGKILL`);
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  for (let i = 0; i < 50 && pidAlive(pid); i++) await sleep(100);
}

/** Spawns the broker on the (formatted) log folder and waits until it serves metadata. */
async function launch(timeoutSec, startedBy) {
  const java = pickJava();
  writeConfig();
  formatStorage(java);
  const heap = process.env.SLUICE_KAFKA_HEAP || '512m';
  const logPath = join(DIR, 'broker.log');
  const out = openSync(logPath, 'a');
  const t0 = Date.now();
  const child = spawn(java, [...jvmArgs(heap), 'kafka.Kafka', join(DIR, 'server.properties')], { cwd: DIR, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  let exited;
  child.on('exit', (code, sig) => { exited = sig ?? code; });
  child.on('error', (e) => { exited = e.message; });
  child.unref();
  if (child.pid === undefined) die(`could not spawn ${java}`);
  const state = { url: URL, version: VERSION, pid: child.pid, dir: DIR, log: logPath, java, heap, startedAt: new Date().toISOString(), startedBy };
  writeFileSync(STATE, `${JSON.stringify(state, null, 2)}\n`);
  info(`starting Kafka ${VERSION} (pid ${child.pid}), log ${logPath}`);
  const deadline = t0 + timeoutSec * 1000;
  for (;;) {
    if (exited !== undefined) {
      rmSync(STATE, { force: true });
      die(`Kafka exited (${exited}) before it was ready\n${logTail()}`);
    }
    if (Date.now() > deadline) {
      await killPid(child.pid, 'SIGTERM', 10_000);
      rmSync(STATE, { force: true });
      die(`Kafka was not ready after ${timeoutSec} s\n${logTail()}`);
    }
    if (await brokerReady()) break;
    await sleep(500);
  }
  state.readyAfterMs = Date.now() - t0;
  writeFileSync(STATE, `${JSON.stringify(state, null, 2)}\n`);
  info(`Kafka ${VERSION} ready at ${URL} after ${(state.readyAfterMs / 1000).toFixed(1)} s`);
  return state;
}

async function start(timeoutSec) {
  return withLock(join(STACK, 'kafka.start'), async () => {
    const existing = readState();
    if (existing && isOurBroker(existing)) {
      if (await brokerReady()) {
        info(`Kafka ${existing.version} already running at ${existing.url} (pid ${existing.pid})`);
        return { ...existing, started: false };
      }
      die(`the broker this script started (pid ${existing.pid}) runs but does not answer metadata requests; see ${existing.log} or stop it: node scripts/stack/kafka.mjs stop`);
    }
    if (existing) {
      info(`removing the state of a broker that is gone (pid ${existing.pid})`);
      rmSync(STATE, { force: true });
      rmSync(DATA, { recursive: true, force: true });
    }
    if (await portOpen(PORT)) {
      if (await brokerReady()) {
        info(`a Kafka broker not started by this script answers at ${URL}: reusing it (it will not be stopped)`);
        return { url: URL, version: 'unknown', pid: 0, started: false };
      }
      die(`port ${PORT} on ${HOST} is taken by something that is not a Kafka broker; stop it first`);
    }
    if (await portOpen(CONTROLLER_PORT)) die(`port ${CONTROLLER_PORT} (the KRaft controller listener) on ${HOST} is already taken; stop that process first`);
    await ensureJars();
    rmSync(DATA, { recursive: true, force: true }); // a fresh broker starts empty
    return { ...(await launch(timeoutSec, process.pid)), started: true };
  });
}

async function stop() {
  const state = readState();
  if (!state) {
    info('no broker started by this script: nothing to stop');
    return;
  }
  if (isOurBroker(state)) {
    await killPid(state.pid, 'SIGTERM', 30_000);
    info(`stopped Kafka ${state.version} (pid ${state.pid})`);
  } else {
    info(`Kafka (pid ${state.pid}) was not running any more`);
  }
  rmSync(STATE, { force: true });
  rmSync(DATA, { recursive: true, force: true });
}

/** Stops our broker's process and starts it again on the same log folder (topics, offsets kept). */
async function restart(timeoutSec, hard) {
  return withLock(join(STACK, 'kafka.start'), async () => {
    const state = readState();
    if (!state) die('no broker started by this script to restart (start one with: node scripts/stack/kafka.mjs start)');
    if (isOurBroker(state)) {
      await killPid(state.pid, hard ? 'SIGKILL' : 'SIGTERM', 30_000);
      info(`stopped Kafka (pid ${state.pid}, ${hard ? 'SIGKILL' : 'SIGTERM'}); starting it again on ${DATA}`);
    }
    for (let i = 0; i < 100 && ((await portOpen(PORT)) || (await portOpen(CONTROLLER_PORT))); i++) await sleep(100);
    return { ...(await launch(timeoutSec, state.startedBy)), started: true };
  });
}

// ---------------------------------------------------------------------------------------------
// CLI

const argv = process.argv.slice(2);
const cmd = argv[0];
const tIdx = argv.indexOf('--timeout');
const timeoutSec = tIdx >= 0 ? Number(argv[tIdx + 1]) : 120;
if (!Number.isFinite(timeoutSec) || timeoutSec <= 0) die('--timeout needs a number of seconds');

async function main() {
  mkdirSync(STACK, { recursive: true });
  switch (cmd) {
    case 'start': {
      const s = await start(timeoutSec);
      console.log(`KAFKA_URL=${s.url} version=${s.version} pid=${s.pid} started=${s.started}`);
      break;
    }
    case 'restart': {
      const s = await restart(timeoutSec, argv.includes('--kill'));
      console.log(`KAFKA_URL=${s.url} version=${s.version} pid=${s.pid} restarted=true`);
      break;
    }
    case 'stop':
      await stop();
      break;
    case 'fetch':
      await ensureJars();
      console.log(LIB);
      break;
    case 'status': {
      const s = readState();
      const running = s !== undefined && isOurBroker(s);
      const ready = running ? await brokerReady() : false;
      if (argv.includes('--json')) console.log(JSON.stringify({ ...(s ?? {}), running, ready }));
      else console.log(running ? `kafka: running ${s.url} version ${s.version} pid ${s.pid} ready=${ready} log ${s.log}` : 'kafka: not running (started by this script)');
      break;
    }
    default:
      die('usage: node scripts/stack/kafka.mjs start|stop|restart [--kill]|status [--json]|fetch [--timeout SECONDS]', cmd === undefined || cmd === 'help' ? 0 : 2);
  }
}

main().catch((e) => die(e?.stack ?? String(e)));

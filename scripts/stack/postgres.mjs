#!/usr/bin/env node
// Starts, stops and reports a throwaway PostgreSQL server for the test suite and the benchmarks,
// from Debian's packages, without Docker and without touching the system cluster.
//
//   node scripts/stack/postgres.mjs start  [--port N] [--timeout SECONDS]
//   node scripts/stack/postgres.mjs stop
//   node scripts/stack/postgres.mjs status [--json]
//
// `start` installs Debian's `postgresql` with apt-get when no server binaries exist under
// /usr/lib/postgresql/<major>/bin, creates a new cluster with `initdb` (UTF-8, locale C, trust
// authentication on 127.0.0.1 only: a throwaway for tests) in $TMPDIR/sluice-postgres-<port>/,
// starts it with `pg_ctl` on 127.0.0.1:<port> (default 55432), waits until `pg_isready` answers, and
// prints `POSTGRES_URL=postgres://postgres@127.0.0.1:<port>/postgres version=<x> pid=<pid>
// started=true|false`. A server this script already runs on the port is reused (started=false).
//
// initdb and the server refuse to run as root: as root the cluster belongs to the `postgres` user
// the Debian package creates (commands run through `runuser -u postgres`); as any other user it
// belongs to that user. The data folder is in the temp dir rather than .stack/ because the
// `postgres` user may not be allowed to enter the checkout. State: .stack/postgres.json.
// `stop` runs `pg_ctl stop -m fast` and removes the data folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const STACK = join(ROOT, '.stack');
const STATE = join(STACK, 'postgres.json');
const HOST = '127.0.0.1';

function die(msg, code = 1) {
  process.stderr.write(`postgres.mjs: ${msg}\n`);
  process.exit(code);
}
function info(msg) {
  process.stderr.write(`postgres.mjs: ${msg}\n`);
}

const args = process.argv.slice(2);
const cmd = args[0];
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/** The newest /usr/lib/postgresql/<major>/bin holding initdb, or undefined. */
function findBin() {
  let majors = [];
  try {
    majors = readdirSync('/usr/lib/postgresql').filter((d) => /^\d+$/.test(d)).map(Number).sort((a, b) => b - a);
  } catch { /* none */ }
  for (const m of majors) {
    const bin = `/usr/lib/postgresql/${m}/bin`;
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return { bin, major: m };
  }
  return undefined;
}

function ensureInstalled() {
  let found = findBin();
  if (found) return found;
  info('no PostgreSQL server binaries under /usr/lib/postgresql: installing Debian\'s postgresql with apt-get …');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const run = (argv) => spawnSync(sudo.length ? sudo[0] : argv[0], sudo.length ? [...sudo.slice(1), ...argv] : argv.slice(1), { env, stdio: ['ignore', 'inherit', 'inherit'] });
  let r = run(['apt-get', 'update', '-qq']);
  if (r.status !== 0) info('apt-get update failed; trying the install anyway');
  r = run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'postgresql']);
  found = findBin();
  if (r.status !== 0 || !found) die('could not install PostgreSQL (apt-get install -y postgresql failed): install it by hand, or set SLUICE_TEST_POSTGRES_URL to a server you own');
  return found;
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL tool as the cluster owner. */
function pgRun(bin, tool, toolArgs, options = {}) {
  const exe = join(bin, tool);
  const argv = asRoot ? ['runuser', '-u', 'postgres', '--', exe, ...toolArgs] : [exe, ...toolArgs];
  return spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', cwd: tmpdir(), ...options });
}

function readState() {
  try { return JSON.parse(readFileSync(STATE, 'utf8')); } catch { return undefined; }
}

function pidAlive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

/** The postmaster pid from the data folder, when it runs. */
function postmasterPid(dataDir) {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pidAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function ready(bin, port) {
  return spawnSync(join(bin, 'pg_isready'), ['-h', HOST, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-t', '2'], { encoding: 'utf8' }).status === 0;
}

function urlOf(port) {
  return `postgres://postgres@${HOST}:${port}/postgres`;
}

function start() {
  const port = Number(opt('--port') ?? process.env.SLUICE_POSTGRES_PORT ?? 55432);
  const timeoutSecs = Number(opt('--timeout') ?? 60);
  const { bin, major } = ensureInstalled();
  const state = readState();
  if (state && state.port === port && postmasterPid(state.dataDir) !== undefined && ready(bin, port)) {
    process.stdout.write(`POSTGRES_URL=${state.url} version=${state.major} pid=${postmasterPid(state.dataDir)} started=false\n`);
    return;
  }
  if (ready(bin, port)) die(`something else already answers as PostgreSQL on ${HOST}:${port} (not started by this script): stop it, or choose another port with --port`);
  const dataDir = join(tmpdir(), `sluice-postgres-${port}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (asRoot) {
    const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (pw.status !== 0) die('running as root, and there is no `postgres` user to own the cluster (initdb refuses root): install Debian\'s postgresql package, which creates it');
    chownSync(dataDir, Number(pw.stdout.trim()), Number(gid.stdout.trim()));
  }
  const init = pgRun(bin, 'initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
  if (init.status !== 0) die(`initdb failed (exit ${init.status}):\n${init.stderr || init.stdout}`);
  // A throwaway for tests: no fsync, small shared memory, loopback only, sockets in the data folder.
  const conf = [
    `listen_addresses = '${HOST}'`, `port = ${port}`, `unix_socket_directories = '${dataDir}'`, 'fsync = off', 'synchronous_commit = off',
    'full_page_writes = off', 'max_connections = 100', 'shared_buffers = 64MB', "timezone = 'UTC'", 'log_min_messages = warning',
  ].join('\n');
  writeFileSync(join(dataDir, 'postgresql.auto.conf'), conf + '\n');
  if (asRoot) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(join(dataDir, 'postgresql.auto.conf'), uid, gid);
  }
  const log = join(dataDir, 'server.log');
  const r = pgRun(bin, 'pg_ctl', ['-D', dataDir, '-l', log, '-w', '-t', String(timeoutSecs), 'start'], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0 || !ready(bin, port)) {
    let tail = '';
    try { tail = readFileSync(log, 'utf8').split('\n').slice(-20).join('\n'); } catch { /* none */ }
    die(`pg_ctl start failed (exit ${r.status}): ${r.stderr}\n--- ${log} ---\n${tail}`);
  }
  const pid = postmasterPid(dataDir);
  mkdirSync(STACK, { recursive: true });
  writeFileSync(STATE, JSON.stringify({ url: urlOf(port), port, major, pid, dataDir, bin, log }, null, 2) + '\n');
  process.stdout.write(`POSTGRES_URL=${urlOf(port)} version=${major} pid=${pid} started=true\n`);
}

function stop() {
  const state = readState();
  if (!state) {
    info('no .stack/postgres.json: nothing started by this script');
    return;
  }
  if (postmasterPid(state.dataDir) !== undefined) {
    const r = pgRun(state.bin, 'pg_ctl', ['-D', state.dataDir, '-m', 'fast', '-w', 'stop']);
    if (r.status !== 0) info(`pg_ctl stop failed (exit ${r.status}): ${r.stderr}`);
  }
  rmSync(state.dataDir, { recursive: true, force: true });
  rmSync(STATE, { force: true });
  info(`stopped PostgreSQL on port ${state.port}`);
}

function status() {
  const state = readState();
  const running = state !== undefined && postmasterPid(state.dataDir) !== undefined;
  if (args.includes('--json')) process.stdout.write(JSON.stringify({ running, ...(state ?? {}) }) + '\n');
  else process.stdout.write(running ? `POSTGRES_URL=${state.url} version=${state.major} pid=${postmasterPid(state.dataDir)} running\n` : 'not running\n');
  if (!running) process.exitCode = 3;
}

if (cmd === 'start') start();
else if (cmd === 'stop') stop();
else if (cmd === 'status') status();
else die('usage: node scripts/stack/postgres.mjs start [--port N] [--timeout SECONDS] | stop | status [--json]', 2);

#!/usr/bin/env node
// Starts, stops and reports a throwaway Redis server for the test suite (the shared rate limiter),
// from Debian's packages, without Docker and without touching a system Redis.
//
//   node scripts/stack/redis.mjs start  [--port N]
//   node scripts/stack/redis.mjs stop
//   node scripts/stack/redis.mjs status [--json]
//
// `start` installs Debian's `redis-server` with apt-get when `redis-server` is missing, starts it on
// 127.0.0.1:<port> (default 56379, or SLUICE_REDIS_PORT) with no persistence
// (`--save '' --appendonly no`), daemonized, its pid and log in .stack/redis-<port>/, waits until it
// answers PING, and prints `REDIS_URL=redis://127.0.0.1:<port> version=<x> pid=<pid> started=true|false`.
// A server this script already runs on the port is reused (started=false). State: .stack/redis.json.
// `stop` stops only the server this script started (SIGTERM to its pid) and removes its folder.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const STACK = join(ROOT, '.stack');
const STATE = join(STACK, 'redis.json');
const HOST = '127.0.0.1';

function die(msg, code = 1) {
  process.stderr.write(`redis.mjs: ${msg}\n`);
  process.exit(code);
}
function info(msg) {
  process.stderr.write(`redis.mjs: ${msg}\n`);
}

const args = process.argv.slice(2);
const cmd = args[0];
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

function hasServer() {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

function ensureInstalled() {
  if (hasServer()) return;
  info("no redis-server on PATH: installing Debian's redis-server with apt-get …");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const run = (argv) => spawnSync(sudo.length ? sudo[0] : argv[0], sudo.length ? [...sudo.slice(1), ...argv] : argv.slice(1), { env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (run(['apt-get', 'update', '-qq']).status !== 0) info('apt-get update failed; trying the install anyway');
  const r = run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'redis-server']);
  if (r.status !== 0 || !hasServer()) die('could not install Redis (apt-get install -y redis-server failed): install it by hand, or set SLUICE_TEST_REDIS_URL to a server you own');
}

function readState() {
  try { return JSON.parse(readFileSync(STATE, 'utf8')); } catch { return undefined; }
}

function pidAlive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

/** Sends PING (inline command) and resolves with the reply line, or undefined when nothing answers. */
function ping(port, timeoutMs = 1000) {
  return new Promise((done) => {
    const s = createConnection({ host: HOST, port });
    let buf = '';
    const end = (v) => { s.destroy(); done(v); };
    s.setTimeout(timeoutMs, () => end(undefined));
    s.on('error', () => end(undefined));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => { buf += d.toString(); if (buf.includes('\r\n')) end(buf.split('\r\n')[0]); });
  });
}

function version() {
  const out = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout ?? '';
  return /v=(\S+)/.exec(out)?.[1] ?? 'unknown';
}

async function start() {
  const port = Number(opt('--port') ?? process.env.SLUICE_REDIS_PORT ?? 56379);
  ensureInstalled();
  const state = readState();
  if (state && state.port === port && pidAlive(state.pid) && (await ping(port)) === '+PONG') {
    process.stdout.write(`REDIS_URL=${state.url} version=${state.version} pid=${state.pid} started=false\n`);
    return;
  }
  if ((await ping(port)) !== undefined) die(`something already answers on ${HOST}:${port} (not started by this script): stop it, or choose another port with --port`);
  const dir = join(STACK, `redis-${port}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pidfile = join(dir, 'redis.pid');
  const log = join(dir, 'redis.log');
  const r = spawnSync('redis-server', [
    '--bind', HOST, '--port', String(port), '--save', '', '--appendonly', 'no', '--daemonize', 'yes',
    '--pidfile', pidfile, '--logfile', log, '--dir', dir, '--protected-mode', 'yes',
  ], { encoding: 'utf8' });
  if (r.status !== 0) die(`redis-server failed to start (exit ${r.status}): ${r.stderr || r.stdout}`);
  const deadline = Date.now() + 20_000;
  while ((await ping(port)) !== '+PONG') {
    if (Date.now() > deadline) {
      let tail = '';
      try { tail = readFileSync(log, 'utf8').split('\n').slice(-20).join('\n'); } catch { /* none */ }
      die(`redis-server did not answer PING on ${HOST}:${port} within 20 s\n--- ${log} ---\n${tail}`);
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  let pid;
  for (let i = 0; i < 50 && pid === undefined; i++) {
    try { pid = Number(readFileSync(pidfile, 'utf8').trim()); } catch { await new Promise((res) => setTimeout(res, 50)); }
  }
  const s = { url: `redis://${HOST}:${port}`, port, pid, version: version(), dir };
  mkdirSync(STACK, { recursive: true });
  writeFileSync(STATE, JSON.stringify(s, null, 2) + '\n');
  process.stdout.write(`REDIS_URL=${s.url} version=${s.version} pid=${pid} started=true\n`);
}

async function stop() {
  const state = readState();
  if (!state) { info('no Redis started by this script'); return; }
  if (pidAlive(state.pid)) {
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (pidAlive(state.pid) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    if (pidAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
  }
  rmSync(state.dir, { recursive: true, force: true });
  rmSync(STATE, { force: true });
  info(`stopped Redis on ${HOST}:${state.port}`);
}

async function status() {
  const state = readState();
  const up = state !== undefined && pidAlive(state.pid) && (await ping(state.port)) === '+PONG';
  if (args.includes('--json')) process.stdout.write(JSON.stringify({ running: up, ...(state ?? {}) }) + '\n');
  else process.stdout.write(up ? `REDIS_URL=${state.url} version=${state.version} pid=${state.pid} running\n` : 'not running\n');
}

switch (cmd) {
  case 'start': await start(); break;
  case 'stop': await stop(); break;
  case 'status': await status(); break;
  default: die('usage: node scripts/stack/redis.mjs start [--port N] | stop | status [--json]', cmd === undefined || cmd === 'help' ? 0 : 2);
}

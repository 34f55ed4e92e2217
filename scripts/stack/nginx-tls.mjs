#!/usr/bin/env node
// A throwaway TLS reverse proxy with credential checks in front of an OpenSearch node, for the
// security tests (test/integration/opensearch/security.test.ts). Plain Node ESM, no build step.
//
//   node scripts/stack/nginx-tls.mjs start <upstream-url> [--port N]   (default port 9443, or the next free one)
//   node scripts/stack/nginx-tls.mjs stop
//
// `start`:
//   1. installs nginx and openssl from Debian when missing (apt-get, non-interactive, root only);
//   2. generates a fresh CA and a server certificate for 127.0.0.1 / localhost (subjectAltName)
//      with openssl into .stack/nginx-tls/ (git-ignored), plus per-run test credentials;
//   3. writes .stack/nginx-tls/nginx.conf: its own prefix, pid, logs and temp folders, a TLS server
//      on 127.0.0.1:<port> that proxies to <upstream-url> and lets a request through only when
//      `Authorization` is exactly `Basic base64(user:password)` or `ApiKey base64(id:key)`
//      (an nginx `map`, compared case-sensitively); anything else gets a JSON 401 with
//      `WWW-Authenticate`. The Authorization header is not forwarded upstream;
//   4. runs `nginx -c <conf> -p <prefix>` (daemon on), waits until the port answers, and prints
//      one line on stdout:
//      NGINX_TLS_URL=https://127.0.0.1:<port> CA=<pem> USER=<user> PASSWORD=<pass> API_KEY=<id:key> PID=<pid> NGINX=<version> UPSTREAM=<url>
//   A proxy left running by an earlier `start` is stopped first (one instance per checkout).
// `stop` sends SIGTERM to the pid in .stack/nginx-tls/nginx.pid (SIGKILL after 10 s) and removes
// the credentials and keys. Exit status is non-zero on any failure, with the reason on stderr.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const DIR = join(ROOT, '.stack', 'nginx-tls');
const PID_FILE = join(DIR, 'nginx.pid');
const HOST = '127.0.0.1';
const DEFAULT_PORT = 9443;

function die(msg, code = 1) {
  process.stderr.write(`nginx-tls.mjs: ${msg}\n`);
  process.exit(code);
}
function info(msg) {
  process.stderr.write(`nginx-tls.mjs: ${msg}\n`);
}

/** Run a command, returning { status, stdout, stderr } (never throws). */
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  return { status: r.error ? -1 : r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error.message) : '') };
}

// ---------------------------------------------------------------------------------------------
// Installation

function findNginx() {
  for (const candidate of ['nginx', '/usr/sbin/nginx', '/usr/local/sbin/nginx']) {
    const r = run(candidate, ['-v']);
    if (r.status === 0) return { bin: candidate, version: (/nginx\/(\S+)/.exec(r.stderr) ?? [])[1] ?? 'unknown' };
  }
  return undefined;
}

function hasOpenssl() {
  return run('openssl', ['version']).status === 0;
}

/** apt-get install nginx (nginx-light when it exists) and openssl; exits with a clear message on failure. */
function install(needOpenssl) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) die('nginx and/or openssl are missing and this is not root, so they cannot be installed: run `sudo apt-get install -y nginx-light openssl` (or `nginx`)');
  if (run('apt-get', ['--version']).status !== 0) die('nginx and/or openssl are missing and there is no apt-get: install nginx and openssl by hand');
  info('installing nginx and openssl from Debian (apt-get)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // The package's postinst would start a default nginx on port 80; a policy-rc.d that says "no"
  // (101) stops that. Only added when the machine has none, and removed afterwards.
  const policy = '/usr/sbin/policy-rc.d';
  const addedPolicy = !existsSync(policy);
  if (addedPolicy) writeFileSync(policy, '#!/bin/sh\n# added by sluice scripts/stack/nginx-tls.mjs during apt-get install\nexit 101\n', { mode: 0o755 });
  try {
    const upd = run('apt-get', ['update', '-qq'], { env });
    if (upd.status !== 0) die(`apt-get update failed (exit ${upd.status}):\n${tail(upd.stdout + upd.stderr)}`);
    const aptOpts = ['install', '-y', '-qq', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];
    const extra = needOpenssl ? ['openssl'] : [];
    let r = run('apt-get', [...aptOpts, 'nginx-light', ...extra], { env });
    if (r.status !== 0) {
      info('nginx-light is not installable here, trying the package nginx…');
      r = run('apt-get', [...aptOpts, 'nginx', ...extra], { env });
    }
    if (r.status !== 0) die(`apt-get install nginx openssl failed (exit ${r.status}):\n${tail(r.stdout + r.stderr)}`);
  } finally {
    if (addedPolicy) rmSync(policy, { force: true });
  }
}

function tail(text, lines = 15) {
  return text.trim().split('\n').slice(-lines).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Certificates and credentials

function openssl(args, what) {
  const r = run('openssl', args, { cwd: DIR });
  if (r.status !== 0) die(`openssl failed while ${what} (exit ${r.status}):\n${tail(r.stderr)}`);
}

/** A throwaway CA and a server certificate for 127.0.0.1 and localhost, signed by it. */
function makeCertificates() {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '7', '-subj', '/CN=sluice test CA (throwaway)',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    'creating the CA',
  );
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], 'creating the server key');
  writeFileSync(
    join(DIR, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '7', '-sha256', '-extfile', 'server.ext'],
    'signing the server certificate',
  );
  rmSync(join(DIR, 'ca.key'), { force: true }); // nothing else is ever signed with it
  return { ca: join(DIR, 'ca.crt'), cert: join(DIR, 'server.crt'), key: join(DIR, 'server.key') };
}

/** Distinctive per-run secrets (hex: no characters that need quoting anywhere). */
function makeCredentials() {
  const user = `sluice-${randomBytes(3).toString('hex')}`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const apiKey = `kid${randomBytes(4).toString('hex')}:key-${randomBytes(12).toString('hex')}`;
  return { user, password, apiKey };
}

/** An htpasswd file (apr1) for the basic-auth user, for anyone who wants to switch to auth_basic. */
function writeHtpasswd(user, password) {
  const r = run('openssl', ['passwd', '-apr1', '-stdin'], { input: `${password}\n` });
  if (r.status !== 0) die(`openssl passwd -apr1 failed:\n${tail(r.stderr)}`);
  writeFileSync(join(DIR, 'htpasswd'), `${user}:${r.stdout.trim()}\n`, { mode: 0o600 });
}

// ---------------------------------------------------------------------------------------------
// nginx.conf

/** An nginx map key that matches exactly `value`, case-sensitively (plain map strings ignore case). */
function exactRegex(value) {
  if (!/^[A-Za-z0-9+/= ]+$/.test(value)) throw new Error('unexpected characters in a header value');
  return `"~^${value.replace(/\+/g, '[+]').replace(/ /g, '[ ]')}$"`;
}

function nginxConf({ port, upstream, certs, basicHeader, apiKeyHeader }) {
  const p = (name) => join(DIR, name);
  const unauthorized = JSON.stringify({
    error: {
      root_cause: [{ type: 'security_exception', reason: 'missing or wrong credentials (sluice test proxy)' }],
      type: 'security_exception',
      reason: 'missing or wrong credentials (sluice test proxy)',
    },
    status: 401,
  });
  return `# Generated by scripts/stack/nginx-tls.mjs; rewritten at every start.
daemon on;
user root;
worker_processes 1;
pid ${p('nginx.pid')};
error_log ${p('error.log')} warn;
events { worker_connections 512; }

http {
  access_log ${p('access.log')};
  client_body_temp_path ${p('tmp/client_body')};
  proxy_temp_path ${p('tmp/proxy')};
  fastcgi_temp_path ${p('tmp/fastcgi')};
  uwsgi_temp_path ${p('tmp/uwsgi')};
  scgi_temp_path ${p('tmp/scgi')};
  client_max_body_size 200m;
  server_tokens off;

  # 1 when Authorization is exactly one of the two accepted values (regexes: case-sensitive).
  map $http_authorization $sluice_auth_ok {
    default 0;
    ${exactRegex(basicHeader)} 1;
    ${exactRegex(apiKeyHeader)} 1;
  }

  upstream sluice_opensearch {
    server ${upstream.host};
    keepalive 16;
  }

  server {
    listen ${HOST}:${port} ssl;
    server_name localhost 127.0.0.1;
    ssl_certificate ${certs.cert};
    ssl_certificate_key ${certs.key};
    ssl_protocols TLSv1.2 TLSv1.3;
    default_type application/json;

    location / {
      if ($sluice_auth_ok = 0) {
        add_header WWW-Authenticate 'Basic realm="sluice-test", ApiKey' always;
        return 401 '${unauthorized}\n';
      }
      proxy_pass http://sluice_opensearch;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header Authorization "";
      proxy_request_buffering off;
      proxy_buffering off;
      proxy_read_timeout 120s;
    }
  }
}
`;
}

// ---------------------------------------------------------------------------------------------
// Ports and processes

function portFree(port) {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, HOST, () => srv.close(() => res(true)));
  });
}

function portAnswers(port) {
  return new Promise((res) => {
    const s = connect(port, HOST);
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function readPid() {
  try {
    const pid = Number(readFileSync(PID_FILE, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is an nginx master (checked in /proc, so a recycled pid is never killed). */
function isNginx(pid) {
  try {
    return /nginx/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true; // no /proc: trust the pid file
  }
}

async function stop({ quiet = false } = {}) {
  const pid = readPid();
  if (pid !== undefined && pidAlive(pid) && isNginx(pid)) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (pidAlive(pid) && Date.now() < deadline) await sleep(100);
    if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
    if (!quiet) info(`stopped nginx (pid ${pid})`);
  } else if (!quiet) {
    info('no nginx from this script is running');
  }
  for (const f of ['nginx.pid', 'server.key', 'ca.key', 'htpasswd', 'credentials.json', 'nginx.conf']) rmSync(join(DIR, f), { force: true });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// start

async function start(args) {
  const upstreamArg = args.find((a) => !a.startsWith('--'));
  if (!upstreamArg) die('usage: nginx-tls.mjs start <upstream-url, e.g. http://127.0.0.1:9200> [--port N]', 2);
  let upstream;
  try {
    upstream = new URL(upstreamArg);
  } catch {
    die(`the upstream ${JSON.stringify(upstreamArg)} is not a URL; give it as http://127.0.0.1:9200`, 2);
  }
  if (upstream.protocol !== 'http:') die(`the upstream must be a plain http:// URL (got ${upstream.protocol})`, 2);
  if (!upstream.port) upstream.port = '80';
  const portIdx = args.indexOf('--port');
  const wanted = portIdx >= 0 ? Number(args[portIdx + 1]) : DEFAULT_PORT;
  if (!Number.isInteger(wanted) || wanted <= 0 || wanted > 65535) die(`--port: not a port number: ${args[portIdx + 1]}`, 2);

  let nginx = findNginx();
  if (!nginx || !hasOpenssl()) {
    install(!hasOpenssl());
    nginx = findNginx();
    if (!nginx) die('nginx is still missing after apt-get install');
    if (!hasOpenssl()) die('openssl is still missing after apt-get install');
  }

  if (readPid() !== undefined) await stop({ quiet: true });
  mkdirSync(join(DIR, 'tmp'), { recursive: true });
  for (const f of ['error.log', 'access.log']) rmSync(join(DIR, f), { force: true });

  // The requested port, or the next free one when it is taken (an explicit --port must be free).
  let port = wanted;
  while (!(await portFree(port))) {
    if (portIdx >= 0) die(`port ${port} is taken; choose another with --port`);
    port++;
    if (port > wanted + 50) die(`no free port in ${wanted}–${wanted + 50}`);
  }

  const certs = makeCertificates();
  const creds = makeCredentials();
  writeHtpasswd(creds.user, creds.password);
  const basicHeader = `Basic ${Buffer.from(`${creds.user}:${creds.password}`).toString('base64')}`;
  const apiKeyHeader = `ApiKey ${Buffer.from(creds.apiKey).toString('base64')}`;
  const conf = join(DIR, 'nginx.conf');
  writeFileSync(conf, nginxConf({ port, upstream, certs, basicHeader, apiKeyHeader }), { mode: 0o600 });

  const test = run(nginx.bin, ['-t', '-q', '-c', conf, '-p', `${DIR}/`, '-e', join(DIR, 'error.log')]);
  if (test.status !== 0) die(`nginx -t rejected ${conf}:\n${tail(test.stderr)}`);
  const r = run(nginx.bin, ['-c', conf, '-p', `${DIR}/`, '-e', join(DIR, 'error.log')]);
  if (r.status !== 0) die(`nginx did not start (exit ${r.status}):\n${tail(r.stderr)}\n${tail(safeRead(join(DIR, 'error.log')))}`);

  const deadline = Date.now() + 15_000;
  while (!(await portAnswers(port))) {
    if (Date.now() > deadline) die(`nginx started but ${HOST}:${port} does not answer after 15 s:\n${tail(safeRead(join(DIR, 'error.log')))}`);
    await sleep(100);
  }
  let pid = readPid();
  for (let i = 0; pid === undefined && i < 50; i++) {
    await sleep(100);
    pid = readPid();
  }
  const url = `https://${HOST}:${port}`;
  writeFileSync(join(DIR, 'credentials.json'), JSON.stringify({ url, ca: certs.ca, ...creds, pid, upstream: upstream.origin }, null, 2) + '\n', { mode: 0o600 });
  info(`nginx ${nginx.version} on ${url} → ${upstream.origin} (pid ${pid}; conf ${conf})`);
  process.stdout.write(
    `NGINX_TLS_URL=${url} CA=${certs.ca} USER=${creds.user} PASSWORD=${creds.password} API_KEY=${creds.apiKey} PID=${pid} NGINX=${nginx.version} UPSTREAM=${upstream.origin}\n`,
  );
}

function safeRead(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------

const [command, ...rest] = process.argv.slice(2);
if (command === 'start') await start(rest);
else if (command === 'stop') await stop();
else die('usage: nginx-tls.mjs start <upstream-url> [--port N] | stop', 2);

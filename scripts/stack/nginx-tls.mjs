#!/usr/bin/env node
// A throwaway TLS reverse proxy with credential checks in front of an OpenSearch node, for the
// security tests (test/integration/opensearch/security.test.ts and security-mtls.test.ts). Plain
// Node ESM, no build step.
//
//   node scripts/stack/nginx-tls.mjs start <upstream-url> [--port N] [--mtls-port N] [--instance NAME]
//   node scripts/stack/nginx-tls.mjs stop [--instance NAME]
//
// Ports default to 9443 (TLS) and 9444 (mutual TLS), or the next free ones. `--instance NAME` keeps
// the files under .stack/nginx-tls/NAME/ so two test files can each run their own proxy at once.
//
// `start`:
//   1. installs nginx and openssl from Debian when missing (apt-get, non-interactive, root only);
//   2. generates with openssl into .stack/nginx-tls/ (git-ignored): a fresh server CA and a server
//      certificate for 127.0.0.1 / localhost (subjectAltName); a client CA and a client certificate
//      and key signed by it (extendedKeyUsage clientAuth); a second, unrelated "rogue" CA and a
//      client certificate and key signed by that one (for the refusal case); every CA key is
//      deleted after signing. Plus per-run test credentials (user/password, API key, bearer token);
//   3. writes .stack/nginx-tls/nginx.conf: its own prefix, pid, logs and temp folders, and two
//      TLS servers that proxy to <upstream-url> and let a request through only when
//      `Authorization` is exactly `Basic base64(user:password)`, `ApiKey base64(id:key)` or
//      `Bearer <token>` (an nginx `map`, compared case-sensitively); anything else gets a JSON 401
//      with `WWW-Authenticate`. The Authorization header is not forwarded upstream.
//      - 127.0.0.1:<port>: server certificate only;
//      - 127.0.0.1:<mtls-port>: also requires a client certificate signed by the client CA
//        (`ssl_verify_client on`). nginx completes the handshake either way and answers its own
//        HTML 400 "No required SSL certificate was sent" (none sent) or "The SSL certificate
//        error" (not signed by the client CA) before looking at the credentials;
//   4. runs `nginx -c <conf> -p <prefix>` (daemon on), waits until both ports answer, writes
//      credentials.json (mode 0600) with every value below, and prints one line on stdout:
//      NGINX_TLS_URL=https://127.0.0.1:<port> CA=<pem> USER=<user> PASSWORD=<pass> API_KEY=<id:key>
//      BEARER=<token> MTLS_URL=https://127.0.0.1:<mtls-port> CLIENT_CA=<pem> CLIENT_CERT=<pem>
//      CLIENT_KEY=<pem> ROGUE_CERT=<pem> ROGUE_KEY=<pem> PID=<pid> NGINX=<version> UPSTREAM=<url>
//   A proxy left running by an earlier `start` of the same instance is stopped first.
// `stop` sends SIGTERM to the pid in the instance's nginx.pid (SIGKILL after 10 s) and removes the
// credentials and keys. Exit status is non-zero on any failure, with the reason on stderr.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const HOST = '127.0.0.1';
const DEFAULT_PORT = 9443;
const DEFAULT_MTLS_PORT = 9444;

/** `--instance NAME`: its own folder (and so its own pid, ports and secrets); default: none. */
function instanceOf(args) {
  const i = args.indexOf('--instance');
  if (i < 0) return undefined;
  const name = args[i + 1];
  if (name === undefined || !/^[A-Za-z0-9_-]{1,40}$/.test(name)) die('--instance: give a name of letters, digits, - and _ (at most 40)', 2);
  return name;
}
const INSTANCE = instanceOf(process.argv.slice(3));
const DIR = INSTANCE === undefined ? join(ROOT, '.stack', 'nginx-tls') : join(ROOT, '.stack', 'nginx-tls', INSTANCE);
const PID_FILE = join(DIR, 'nginx.pid');

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

/**
 * A client certificate and key named `<name>.crt` / `<name>.key`, signed by a new CA `<caName>.crt`
 * whose key is deleted afterwards. Called twice: the CA nginx trusts for clients, and an unrelated
 * "rogue" CA whose client certificate must be refused.
 */
function makeClientCertificate(caName, caSubject, name, subject) {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    ['req', '-x509', ...ec, '-keyout', `${caName}.key`, '-out', `${caName}.crt`, '-days', '7', '-subj', caSubject,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    `creating the CA ${caName}`,
  );
  openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], `creating the key ${name}`);
  writeFileSync(join(DIR, 'client.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n');
  openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '7', '-sha256', '-extfile', 'client.ext'],
    `signing the client certificate ${name}`,
  );
  rmSync(join(DIR, `${caName}.key`), { force: true });
  rmSync(join(DIR, `${name}.csr`), { force: true });
  return { ca: join(DIR, `${caName}.crt`), cert: join(DIR, `${name}.crt`), key: join(DIR, `${name}.key`) };
}

/** Distinctive per-run secrets (hex: no characters that need quoting anywhere). */
function makeCredentials() {
  const user = `sluice-${randomBytes(3).toString('hex')}`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const apiKey = `kid${randomBytes(4).toString('hex')}:key-${randomBytes(12).toString('hex')}`;
  const bearer = `tok${randomBytes(16).toString('hex')}`;
  return { user, password, apiKey, bearer };
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

function nginxConf({ port, mtlsPort, upstream, certs, clientCa, basicHeader, apiKeyHeader, bearerHeader }) {
  const p = (name) => join(DIR, name);
  const unauthorized = JSON.stringify({
    error: {
      root_cause: [{ type: 'security_exception', reason: 'missing or wrong credentials (sluice test proxy)' }],
      type: 'security_exception',
      reason: 'missing or wrong credentials (sluice test proxy)',
    },
    status: 401,
  });
  // The same credential check and proxying in both servers.
  const location = `    location / {
      if ($sluice_auth_ok = 0) {
        add_header WWW-Authenticate 'Basic realm="sluice-test", ApiKey, Bearer' always;
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
`;
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

  # 1 when Authorization is exactly one of the three accepted values (regexes: case-sensitive).
  map $http_authorization $sluice_auth_ok {
    default 0;
    ${exactRegex(basicHeader)} 1;
    ${exactRegex(apiKeyHeader)} 1;
    ${exactRegex(bearerHeader)} 1;
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

${location}  }

  # Mutual TLS: the client certificate must be signed by the client CA. nginx's own verification
  # callback lets the handshake finish and then answers 400 (its internal 495/496) itself.
  server {
    listen ${HOST}:${mtlsPort} ssl;
    server_name localhost 127.0.0.1;
    ssl_certificate ${certs.cert};
    ssl_certificate_key ${certs.key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_client_certificate ${clientCa};
    ssl_verify_client on;
    ssl_verify_depth 1;
    default_type application/json;

${location}  }
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
  for (const f of ['nginx.pid', 'server.key', 'ca.key', 'client-ca.key', 'client.key', 'rogue-ca.key', 'rogue-client.key', 'htpasswd', 'credentials.json', 'nginx.conf']) {
    rmSync(join(DIR, f), { force: true });
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// start

async function start(args) {
  // The first argument that is neither an option nor an option's value.
  const upstreamArg = args.find((a, i) => !a.startsWith('--') && !['--port', '--mtls-port', '--instance'].includes(args[i - 1] ?? ''));
  if (!upstreamArg) die('usage: nginx-tls.mjs start <upstream-url, e.g. http://127.0.0.1:9200> [--port N] [--mtls-port N] [--instance NAME]', 2);
  let upstream;
  try {
    upstream = new URL(upstreamArg);
  } catch {
    die(`the upstream ${JSON.stringify(upstreamArg)} is not a URL; give it as http://127.0.0.1:9200`, 2);
  }
  if (upstream.protocol !== 'http:') die(`the upstream must be a plain http:// URL (got ${upstream.protocol})`, 2);
  if (!upstream.port) upstream.port = '80';
  const portOption = (name, fallback) => {
    const idx = args.indexOf(name);
    const value = idx >= 0 ? Number(args[idx + 1]) : fallback;
    if (!Number.isInteger(value) || value <= 0 || value > 65535) die(`${name}: not a port number: ${args[idx + 1]}`, 2);
    return { wanted: value, explicit: idx >= 0 };
  };
  const tlsPort = portOption('--port', DEFAULT_PORT);
  const mtlsPortOpt = portOption('--mtls-port', DEFAULT_MTLS_PORT);

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

  // The requested ports, or the next free ones when taken (an explicit port must be free).
  const pickPort = async ({ wanted, explicit }, name, avoid) => {
    let port = wanted;
    while (port === avoid || !(await portFree(port))) {
      if (explicit) die(`port ${port} is ${port === avoid ? 'the other port' : 'taken'}; choose another with ${name}`);
      port++;
      if (port > wanted + 50) die(`no free port in ${wanted}–${wanted + 50}`);
    }
    return port;
  };
  const port = await pickPort(tlsPort, '--port', undefined);
  const mtlsPort = await pickPort(mtlsPortOpt, '--mtls-port', port);

  const certs = makeCertificates();
  const client = makeClientCertificate('client-ca', '/CN=sluice test client CA (throwaway)', 'client', '/CN=sluice-test-client');
  const rogue = makeClientCertificate('rogue-ca', '/CN=sluice test rogue CA (throwaway, not trusted)', 'rogue-client', '/CN=sluice-test-client');
  const creds = makeCredentials();
  writeHtpasswd(creds.user, creds.password);
  const basicHeader = `Basic ${Buffer.from(`${creds.user}:${creds.password}`).toString('base64')}`;
  const apiKeyHeader = `ApiKey ${Buffer.from(creds.apiKey).toString('base64')}`;
  const bearerHeader = `Bearer ${creds.bearer}`;
  const conf = join(DIR, 'nginx.conf');
  writeFileSync(conf, nginxConf({ port, mtlsPort, upstream, certs, clientCa: client.ca, basicHeader, apiKeyHeader, bearerHeader }), { mode: 0o600 });

  const test = run(nginx.bin, ['-t', '-q', '-c', conf, '-p', `${DIR}/`, '-e', join(DIR, 'error.log')]);
  if (test.status !== 0) die(`nginx -t rejected ${conf}:\n${tail(test.stderr)}`);
  const r = run(nginx.bin, ['-c', conf, '-p', `${DIR}/`, '-e', join(DIR, 'error.log')]);
  if (r.status !== 0) die(`nginx did not start (exit ${r.status}):\n${tail(r.stderr)}\n${tail(safeRead(join(DIR, 'error.log')))}`);

  const deadline = Date.now() + 15_000;
  for (const p of [port, mtlsPort]) {
    while (!(await portAnswers(p))) {
      if (Date.now() > deadline) die(`nginx started but ${HOST}:${p} does not answer after 15 s:\n${tail(safeRead(join(DIR, 'error.log')))}`);
      await sleep(100);
    }
  }
  let pid = readPid();
  for (let i = 0; pid === undefined && i < 50; i++) {
    await sleep(100);
    pid = readPid();
  }
  const url = `https://${HOST}:${port}`;
  const mtlsUrl = `https://${HOST}:${mtlsPort}`;
  const state = {
    url,
    ca: certs.ca,
    ...creds,
    mtlsUrl,
    clientCa: client.ca,
    clientCert: client.cert,
    clientKey: client.key,
    rogueCert: rogue.cert,
    rogueKey: rogue.key,
    pid,
    upstream: upstream.origin,
  };
  writeFileSync(join(DIR, 'credentials.json'), JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  info(`nginx ${nginx.version} on ${url} and ${mtlsUrl} (client certificate required) → ${upstream.origin} (pid ${pid}; conf ${conf})`);
  process.stdout.write(
    `NGINX_TLS_URL=${url} CA=${certs.ca} USER=${creds.user} PASSWORD=${creds.password} API_KEY=${creds.apiKey} BEARER=${creds.bearer} ` +
      `MTLS_URL=${mtlsUrl} CLIENT_CA=${client.ca} CLIENT_CERT=${client.cert} CLIENT_KEY=${client.key} ROGUE_CERT=${rogue.cert} ROGUE_KEY=${rogue.key} ` +
      `PID=${pid} NGINX=${nginx.version} UPSTREAM=${upstream.origin}\n`,
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
else die('usage: nginx-tls.mjs start <upstream-url> [--port N] [--mtls-port N] [--instance NAME] | stop [--instance NAME]', 2);

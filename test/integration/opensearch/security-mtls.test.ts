/**
 * Mutual TLS and bearer tokens against a real server: nginx (from Debian) in front of OpenSearch 2.x
 * (scripts/stack/nginx-tls.mjs, own `--instance`), with a TLS port and a mutual-TLS port that
 * requires a client certificate signed by a per-run client CA; both accept `Authorization: Bearer
 * <per-run token>` (exact, case-sensitive).
 *
 * - the right client certificate works, through `EngineClient` and `sluice ingest` (main() and the
 *   real binary): the documents arrive and are counted in OpenSearch;
 * - no client certificate, or one from another CA: SLUICE_ENGINE_TLS naming the problem and the
 *   cert_file/key_file settings (nginx's own HTML 400 is not taken for an engine answer);
 * - a certificate without its key (or the reverse): a usage error, exit 2, naming both settings;
 *   a certificate with a key that is not its own: SLUICE_ENGINE_OPTIONS before anything is sent;
 * - a right bearer token works, a wrong one gives SLUICE_ENGINE_AUTH with the 401 and
 *   elasticsearch.bearer_token;
 * - neither token nor private-key material appears in anything printed or thrown, nor in the
 *   files sluice wrote to its data directory.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { EngineClient, detectEngine, type EngineAuth } from '../../../src/sinks/elasticsearch/http/index.js';
import { Secret } from '../../../src/config/secret.js';
import { SluiceError } from '../../../src/errors.js';
import { main } from '../../../src/cli/main.js';
import { openSearchUrl, skipWithoutOpenSearch } from '../../support/opensearch.js';
import { captureIO, tempDir } from '../../support/temp.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
const SCRIPT = join(ROOT, 'scripts/stack/nginx-tls.mjs');
const BIN = join(ROOT, 'bin/sluice.js');
const SAMPLE = join(ROOT, 'examples/sample.pcap');
const SAMPLE_PACKETS = 16;
/** Own proxy instance (own folder, ports and secrets), so security.test.ts can run at the same time. */
const INSTANCE = `mtls-${process.pid}`;

interface Proxy {
  readonly url: string;
  readonly mtlsUrl: string;
  readonly ca: string;
  readonly bearer: string;
  readonly password: string;
  readonly apiKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  readonly rogueCert: string;
  readonly rogueKey: string;
  readonly nginx: string;
}

const CRED_KEYS = ['SLUICE_ELASTICSEARCH__USERNAME', 'SLUICE_ELASTICSEARCH__PASSWORD', 'SLUICE_ELASTICSEARCH__API_KEY', 'SLUICE_ELASTICSEARCH__BEARER_TOKEN'];

const skip = skipWithoutOpenSearch(2);

describe('security: mutual TLS and bearer tokens through nginx in front of OpenSearch 2.x', { skip }, () => {
  const upstream = skip ? '' : openSearchUrl(2)!;
  const { dir, cleanup } = tempDir('sluice-mtls-');
  const prefix = `sluice-sectest-mtls-${process.pid}-${randomBytes(2).toString('hex')}`;
  const indexPattern = `${prefix}-%Y.%m.%d`;
  const wrongBearer = `tokwrong${randomBytes(16).toString('hex')}`;
  let proxy: Proxy | undefined;
  let proxyProblem = '';
  let secretList: string[] = [];
  /** Every text a case printed or got as an error: checked for secrets case by case and at the end. */
  const seen: { what: string; text: string }[] = [];
  const dataDirs: string[] = [];

  before(() => {
    const started = Date.now();
    const r = spawnSync(process.execPath, [SCRIPT, 'start', upstream, '--port', '9453', '--mtls-port', '9454', '--instance', INSTANCE], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 600_000,
    });
    // --port N must be free; fall back to "next free" ports when 9453/9454 are taken.
    const retry = r.status !== 0 && /is taken/.test(r.stderr ?? '') ? spawnSync(process.execPath, [SCRIPT, 'start', upstream, '--instance', INSTANCE], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 }) : r;
    const line = (retry.stdout ?? '').split('\n').find((l) => l.startsWith('NGINX_TLS_URL='));
    if (retry.status !== 0 || line === undefined) {
      proxyProblem = `could not start the nginx TLS proxy (scripts/stack/nginx-tls.mjs start exited ${retry.status ?? retry.signal}): ${(retry.stderr ?? '').trim().split('\n').slice(-8).join(' | ')}`;
      if (process.env.CI === 'true') throw new Error(`${proxyProblem}; under CI=true this is a failure`);
      console.error(`\n*** ${proxyProblem}: SKIPPING the mutual-TLS tests ***\n`);
      return;
    }
    const kv = Object.fromEntries(line.trim().split(/\s+/).map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]));
    proxy = {
      url: kv.NGINX_TLS_URL!,
      mtlsUrl: kv.MTLS_URL!,
      ca: kv.CA!,
      bearer: kv.BEARER!,
      password: kv.PASSWORD!,
      apiKey: kv.API_KEY!,
      clientCert: kv.CLIENT_CERT!,
      clientKey: kv.CLIENT_KEY!,
      rogueCert: kv.ROGUE_CERT!,
      rogueKey: kv.ROGUE_KEY!,
      nginx: kv.NGINX ?? '?',
    };
    for (const [k, v] of Object.entries(proxy)) assert.ok(v, `the state line has no value for ${k}: keys ${Object.keys(kv).join(' ')}`);
    secretList = secretsOf(proxy);
    console.error(`nginx ${proxy.nginx}: TLS ${proxy.url}, mutual TLS ${proxy.mtlsUrl} → ${upstream} ready in ${Date.now() - started} ms`);
  }, { timeout: 660_000 });

  after(async () => {
    spawnSync(process.execPath, [SCRIPT, 'stop', '--instance', INSTANCE], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    rmSync(join(ROOT, '.stack', 'nginx-tls', INSTANCE), { recursive: true, force: true });
    if (!skip) {
      const direct = new EngineClient({ urls: [upstream] });
      try {
        await direct.request({ method: 'DELETE', path: `/${prefix}-*` });
        await direct.request({ method: 'DELETE', path: `/_index_template/${prefix}` });
      } finally {
        await direct.close();
      }
    }
    cleanup();
  });

  function needProxy(t: TestContext): Proxy | undefined {
    if (!proxy) t.skip(proxyProblem || 'no proxy');
    return proxy;
  }

  /**
   * Every secret of the run: the tokens and the proxy's other credentials, and the private keys —
   * whole, as one base64 string, and line by line (a message quoting part of a PEM would show a line).
   */
  function secretsOf(p: Proxy): string[] {
    const out = [p.bearer, wrongBearer, p.password, p.apiKey, p.apiKey.slice(p.apiKey.indexOf(':') + 1)];
    for (const file of [p.clientKey, p.rogueKey]) {
      const pem = readFileSync(file, 'utf8');
      const lines = pem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
      assert.ok(lines.length > 0, `${file} has no key lines`);
      out.push(pem.trim(), lines.join(''), ...lines.filter((l) => l.length >= 16));
    }
    return out;
  }

  function assertNoSecret(what: string, text: string): void {
    const masked = secretList.reduce((acc, x) => acc.split(x).join('<SECRET>'), text);
    for (const s of secretList) assert.ok(!text.includes(s), `${what} contains a secret (${s.length} chars, shown as <SECRET>): ${masked}`);
  }

  function record(what: string, text: string): void {
    seen.push({ what, text });
    assertNoSecret(what, text);
  }

  interface ClientOpts {
    readonly url?: string;
    readonly cert?: string;
    readonly key?: string;
    readonly bearer?: string;
  }

  function client(p: Proxy, o: ClientOpts): EngineClient {
    const auth: EngineAuth | undefined = o.bearer !== undefined ? { bearer: new Secret(o.bearer) } : undefined;
    const c = new EngineClient({
      urls: [o.url ?? p.mtlsUrl],
      timeoutMs: 10_000,
      ...(auth ? { auth } : {}),
      tls: { caFile: p.ca, ...(o.cert !== undefined ? { certFile: o.cert } : {}), ...(o.key !== undefined ? { keyFile: o.key } : {}) },
    });
    record('inspect(client)', `${inspect(c)} ${String(c)} ${JSON.stringify(c)} ${c.warnings.join(' ')}`);
    return c;
  }

  /** The error `fn` throws, recorded (message and inspect) and checked to be a SluiceError with `code`. */
  async function failsWith(what: string, code: string, fn: () => Promise<unknown>): Promise<SluiceError> {
    try {
      await fn();
    } catch (err) {
      record(`${what}: message`, (err as Error).message);
      record(`${what}: inspect`, inspect(err, { depth: 10 }));
      assert.ok(err instanceof SluiceError, `not a SluiceError: ${inspect(err)}`);
      assert.equal(err.code, code, err.message);
      return err;
    }
    assert.fail(`${what}: no error`);
  }

  async function detectFails(c: EngineClient, code: string, what: string): Promise<SluiceError> {
    try {
      return await failsWith(what, code, () => detectEngine(c));
    } finally {
      await c.close();
    }
  }

  function newDataDir(): string {
    const d = join(dir, `data-${dataDirs.length}`);
    dataDirs.push(d);
    return d;
  }

  /** `sluice ingest` through main() with credentials in the environment. */
  async function cli(what: string, url: string, flags: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
    const saved = Object.fromEntries(CRED_KEYS.map((k) => [k, process.env[k]]));
    for (const k of CRED_KEYS) delete process.env[k];
    Object.assign(process.env, env);
    const io = captureIO();
    let code: number;
    try {
      code = await main(['node', 'sluice', '--data-dir', newDataDir(), 'ingest', '--progress', 'never', '--es-url', url, '--es-index', indexPattern, ...flags, SAMPLE], io.io);
    } finally {
      for (const k of CRED_KEYS) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
    record(`${what}: stdout`, io.out());
    record(`${what}: stderr`, io.err());
    return { code, out: io.out(), err: io.err() };
  }

  const certFlags = (p: Proxy, cert = p.clientCert, key = p.clientKey): string[] => [
    '--elasticsearch-tls-ca-file',
    p.ca,
    '--elasticsearch-tls-cert-file',
    cert,
    '--elasticsearch-tls-key-file',
    key,
  ];

  async function countDocs(p: Proxy): Promise<number> {
    const c = client(p, { cert: p.clientCert, key: p.clientKey, bearer: p.bearer });
    try {
      await c.request({ method: 'POST', path: `/${prefix}-*/_refresh` });
      const r = await c.request({ method: 'GET', path: `/${prefix}-*/_count` });
      assert.equal(r.status, 200, r.text());
      return (r.json() as { count: number }).count;
    } finally {
      await c.close();
    }
  }

  test('the right client certificate and bearer token: EngineClient reaches OpenSearch 2.x, `sluice ingest` delivers every packet', async (t) => {
    const p = needProxy(t);
    if (!p) return;
    const c = client(p, { cert: p.clientCert, key: p.clientKey, bearer: p.bearer });
    try {
      const info = await detectEngine(c);
      assert.equal(info.distribution, 'opensearch');
      assert.equal(info.version.major, 2);
    } finally {
      await c.close();
    }

    const r = await cli('cli mtls', p.mtlsUrl, certFlags(p), { SLUICE_ELASTICSEARCH__BEARER_TOKEN: p.bearer });
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /Connected to opensearch 2\.\d+\.\d+ at https:\/\/127\.0\.0\.1:\d+/);
    assert.match(r.out, new RegExp(`Delivered to https://127\\.0\\.0\\.1:\\d+: ${SAMPLE_PACKETS} created, 0 already there`));
    assert.doesNotMatch(r.err, /warning/i);
    assert.equal(await countDocs(p), SAMPLE_PACKETS);
  });

  test('the real binary with the client certificate flags: works, replays as already there, prints no secret', async (t) => {
    const p = needProxy(t);
    if (!p) return;
    const env = { ...process.env };
    for (const k of CRED_KEYS) delete env[k];
    env.SLUICE_ELASTICSEARCH__BEARER_TOKEN = p.bearer;
    const r = spawnSync(
      process.execPath,
      [BIN, '--data-dir', newDataDir(), 'ingest', '--progress', 'never', '--es-url', p.mtlsUrl, '--es-index', indexPattern, ...certFlags(p), SAMPLE],
      { cwd: dir, encoding: 'utf8', env, timeout: 120_000 },
    );
    record('binary mtls: stdout', r.stdout ?? '');
    record('binary mtls: stderr', r.stderr ?? '');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`0 created, ${SAMPLE_PACKETS} already there`));
    assert.equal(await countDocs(p), SAMPLE_PACKETS);
  });

  test('no client certificate: SLUICE_ENGINE_TLS saying the server requires one and naming cert_file/key_file', async (t) => {
    const p = needProxy(t);
    if (!p) return;
    const err = await detectFails(client(p, { bearer: p.bearer }), 'SLUICE_ENGINE_TLS', 'no client cert');
    assert.match(err.message, /^https:\/\/127\.0\.0\.1:\d+ requires a client certificate \(mutual TLS\): none was sent \(HTTP 400 "No required SSL certificate was sent"\)/);
    assert.match(err.message, /elasticsearch\.tls\.cert_file and elasticsearch\.tls\.key_file \(--elasticsearch-tls-cert-file, --elasticsearch-tls-key-file\)/);
    assert.match(err.message, /\(GET \/\)$/);

    // Any request, not only GET /: the proxy's 400 is never handed out as an engine answer.
    const c = client(p, { bearer: p.bearer });
    try {
      await failsWith('no client cert bulk', 'SLUICE_ENGINE_TLS', () => c.request({ method: 'POST', path: '/_bulk', ndjson: true, body: '{"create":{"_index":"x","_id":"1"}}\n{}\n' }));
    } finally {
      await c.close();
    }

    const r = await cli('cli no client cert', p.mtlsUrl, ['--elasticsearch-tls-ca-file', p.ca], { SLUICE_ELASTICSEARCH__BEARER_TOKEN: p.bearer });
    assert.notEqual(r.code, 0, r.err);
    assert.notEqual(r.code, 2, 'a refused connection is not a usage error');
    assert.match(r.err, /SLUICE_ENGINE_TLS/);
    assert.match(r.err, /requires a client certificate/);
    assert.match(r.err, /--elasticsearch-tls-cert-file/);
    t.diagnostic(`sluice ingest without a client certificate (exit ${r.code}): ${r.err.trim()}`);
  });

  test('a client certificate from another CA: SLUICE_ENGINE_TLS saying the certificate was refused', async (t) => {
    const p = needProxy(t);
    if (!p) return;
    const err = await detectFails(client(p, { cert: p.rogueCert, key: p.rogueKey, bearer: p.bearer }), 'SLUICE_ENGINE_TLS', 'rogue cert');
    assert.match(err.message, /^https:\/\/127\.0\.0\.1:\d+ refused the client certificate: HTTP 400 "The SSL certificate error": it is not signed by a CA the server trusts for clients/);
    assert.match(err.message, /elasticsearch\.tls\.cert_file and elasticsearch\.tls\.key_file/);

    const r = await cli('cli rogue cert', p.mtlsUrl, certFlags(p, p.rogueCert, p.rogueKey), { SLUICE_ELASTICSEARCH__BEARER_TOKEN: p.bearer });
    assert.notEqual(r.code, 0, r.err);
    assert.match(r.err, /SLUICE_ENGINE_TLS/);
    assert.match(r.err, /refused the client certificate/);
    t.diagnostic(`sluice ingest with a certificate from another CA (exit ${r.code}): ${r.err.trim()}`);
  });

  test('a certificate without its key (or the reverse): usage error, exit 2, naming both settings; a key that is not the certificate\'s: SLUICE_ENGINE_OPTIONS', async (t) => {
    const p = needProxy(t);
    if (!p) return;
    const both = /mutual TLS needs both elasticsearch\.tls\.cert_file and elasticsearch\.tls\.key_file/;
    const onlyCert = await cli('cli cert without key', p.mtlsUrl, ['--elasticsearch-tls-ca-file', p.ca, '--elasticsearch-tls-cert-file', p.clientCert], { SLUICE_ELASTICSEARCH__BEARER_TOKEN: p.bearer });
    assert.equal(onlyCert.code, 2, onlyCert.err);
    assert.match(onlyCert.err, /elasticsearch\.tls\.key_file/);
    assert.match(onlyCert.err, both);
    t.diagnostic(`sluice ingest with a certificate but no key (exit 2): ${onlyCert.err.trim()}`);
    const onlyKey = await cli('cli key without cert', p.mtlsUrl, ['--elasticsearch-tls-ca-file', p.ca, '--elasticsearch-tls-key-file', p.clientKey], { SLUICE_ELASTICSEARCH__BEARER_TOKEN: p.bearer });
    assert.equal(onlyKey.code, 2, onlyKey.err);
    assert.match(onlyKey.err, both);

    // The client on its own refuses the half pair, and a key that belongs to another certificate.
    await failsWith('client cert without key', 'SLUICE_ENGINE_OPTIONS', async () => client(p, { cert: p.clientCert, bearer: p.bearer }));
    const mismatch = await failsWith('client mismatched key', 'SLUICE_ENGINE_OPTIONS', async () => client(p, { cert: p.clientCert, key: p.rogueKey, bearer: p.bearer }));
    assert.match(mismatch.message, /elasticsearch\.tls: the certificate files cannot be used: .*key values mismatch/);
    const r = await cli('cli mismatched key', p.mtlsUrl, certFlags(p, p.clientCert, p.rogueKey), { SLUICE_ELASTICSEARCH__BEARER_TOKEN: p.bearer });
    assert.notEqual(r.code, 0, r.err);
    assert.match(r.err, /SLUICE_ENGINE_OPTIONS/);
    assert.match(r.err, /key values mismatch/);
  });

  test('bearer token: the right one works without mutual TLS; a wrong one gives SLUICE_ENGINE_AUTH with the 401 and elasticsearch.bearer_token', async (t) => {
    const p = needProxy(t);
    if (!p) return;
    const ok = client(p, { url: p.url, bearer: p.bearer });
    try {
      assert.equal((await detectEngine(ok)).distribution, 'opensearch');
    } finally {
      await ok.close();
    }
    const good = await cli('cli bearer', p.url, ['--elasticsearch-tls-ca-file', p.ca], { SLUICE_ELASTICSEARCH__BEARER_TOKEN: p.bearer });
    assert.equal(good.code, 0, good.err);
    assert.match(good.out, new RegExp(`0 created, ${SAMPLE_PACKETS} already there`));

    for (const [what, opts] of [
      ['wrong bearer', { url: p.url, bearer: wrongBearer }],
      ['wrong bearer with client cert', { cert: p.clientCert, key: p.clientKey, bearer: wrongBearer }],
      // The token is compared exactly: a prefix is not enough.
      ['the token with one more character', { url: p.url, bearer: `${p.bearer}0` }],
    ] as const) {
      const err = await detectFails(client(p, opts), 'SLUICE_ENGINE_AUTH', what);
      assert.match(err.message, /rejected the credentials for GET \/ \(HTTP 401: missing or wrong credentials \(sluice test proxy\)\)/);
      assert.match(err.message, /Check elasticsearch\.bearer_token \(SLUICE_ELASTICSEARCH__BEARER_TOKEN\)/);
    }
    const none = await detectFails(client(p, { cert: p.clientCert, key: p.clientKey }), 'SLUICE_ENGINE_AUTH', 'no token');
    assert.match(none.message, /No credentials were sent/);

    const bad = await cli('cli wrong bearer', p.mtlsUrl, certFlags(p), { SLUICE_ELASTICSEARCH__BEARER_TOKEN: wrongBearer });
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /SLUICE_ENGINE_AUTH/);
    assert.match(bad.err, /HTTP 401/);
    assert.match(bad.err, /elasticsearch\.bearer_token/);
    t.diagnostic(`sluice ingest with a wrong bearer token (exit ${bad.code}): ${bad.err.trim()}`);
  });

  test('plain http:// to the TLS port: SLUICE_ENGINE_TLS saying to use https://', async (t) => {
    const p = needProxy(t);
    if (!p) return;
    const httpUrl = p.mtlsUrl.replace('https://', 'http://');
    const c = new EngineClient({ urls: [httpUrl], timeoutMs: 10_000 });
    const err = await detectFails(c, 'SLUICE_ENGINE_TLS', 'plain http');
    assert.match(err.message, /serves HTTPS on this port/);
    assert.match(err.message, new RegExp(`use https:// in elasticsearch\\.urls \\(${p.mtlsUrl.replace(/\./g, '\\.')}\\)`));
  });

  test('nothing secret in anything printed or thrown, nor in the files sluice wrote', (t) => {
    const p = needProxy(t);
    if (!p) return;
    assert.ok(seen.length >= 25, `only ${seen.length} texts were collected`);
    for (const { what, text } of seen) assertNoSecret(what, text);
    let files = 0;
    const walk = (d: string): void => {
      let names: string[];
      try {
        names = readdirSync(d);
      } catch {
        return;
      }
      for (const name of names) {
        const f = join(d, name);
        if (statSync(f).isDirectory()) walk(f);
        else {
          files++;
          // latin1 keeps every byte, so an ASCII secret inside a binary (SQLite) file is found too.
          assertNoSecret(`data file ${f}`, readFileSync(f, 'latin1'));
        }
      }
    };
    for (const d of dataDirs) walk(d);
    assert.ok(files > 0, 'the ingests wrote no file to their data directories');
  });
});

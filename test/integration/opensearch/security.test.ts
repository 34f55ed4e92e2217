/**
 * TLS verification and credentials against a real server: nginx (from Debian) as a TLS reverse
 * proxy with a throwaway CA in front of OpenSearch 2.x, accepting `Authorization: Basic …` or
 * `Authorization: ApiKey …` with per-run credentials (scripts/stack/nginx-tls.mjs).
 *
 * - without the CA the connection is refused with SLUICE_ENGINE_TLS and the ca_file hint;
 * - with the CA and valid Basic or ApiKey credentials it works (client and `sluice ingest`);
 * - wrong credentials give SLUICE_ENGINE_AUTH / a clear 401 message;
 * - `--elasticsearch-tls-insecure` works without the CA and prints a warning;
 * - no secret (password, API key raw, base64 or key half, Basic token) ever appears in what is
 *   printed, in error messages or in `util.inspect` of errors and clients.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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
const SAMPLE = join(ROOT, 'examples/sample.pcap');
const SAMPLE_PACKETS = 16;

interface Proxy {
  readonly url: string;
  readonly ca: string;
  readonly user: string;
  readonly password: string;
  readonly apiKey: string;
  readonly nginx: string;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

const skip = skipWithoutOpenSearch(2);

describe('security: TLS + credentials through an nginx proxy in front of OpenSearch 2.x', { skip }, () => {
  const upstream = skip ? '' : openSearchUrl(2)!;
  const { dir, cleanup } = tempDir('sluice-sec-');
  const prefix = `sluice-sectest-${process.pid}-${randomBytes(2).toString('hex')}`;
  const indexPattern = `${prefix}-%Y.%m.%d`;
  // Distinctive wrong secrets: they must not show up either.
  const wrongPassword = `wrongpw-${randomBytes(10).toString('hex')}`;
  const wrongApiKey = `kidwrong:wrongkey-${randomBytes(10).toString('hex')}`;
  let proxy: Proxy | undefined;
  let proxyProblem = '';
  /** Every text a case printed or got as an error: checked for secrets case by case and at the end. */
  const seen: { what: string; text: string }[] = [];

  before(() => {
    const started = Date.now();
    const r = spawnSync(process.execPath, [SCRIPT, 'start', upstream], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
    const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('NGINX_TLS_URL='));
    if (r.status !== 0 || line === undefined) {
      proxyProblem = `could not start the nginx TLS proxy (scripts/stack/nginx-tls.mjs start exited ${r.status ?? r.signal}): ${(r.stderr ?? '').trim().split('\n').slice(-8).join(' | ')}`;
      if (process.env.CI === 'true') throw new Error(`${proxyProblem}; under CI=true this is a failure`);
      console.error(`\n*** ${proxyProblem}: SKIPPING the security tests ***\n`);
      return;
    }
    const kv = Object.fromEntries(line.trim().split(/\s+/).map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]));
    proxy = { url: kv.NGINX_TLS_URL!, ca: kv.CA!, user: kv.USER!, password: kv.PASSWORD!, apiKey: kv.API_KEY!, nginx: kv.NGINX ?? '?' };
    console.error(`nginx ${proxy.nginx} TLS proxy ${proxy.url} → ${upstream} ready in ${Date.now() - started} ms`);
  }, { timeout: 660_000 });

  after(async () => {
    spawnSync(process.execPath, [SCRIPT, 'stop'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (!skip) {
      // Directly on the upstream (no login there): works even when the proxy did not start.
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

  /** The proxy, or undefined after skipping the test (the reason was printed loudly in `before`). */
  function needProxy(t: TestContext): Proxy | undefined {
    if (!proxy) t.skip(proxyProblem || 'no proxy');
    return proxy;
  }

  /** Every form of every secret of this run. */
  function secrets(p: Proxy): string[] {
    const keyHalf = (k: string) => k.slice(k.indexOf(':') + 1);
    return [
      p.password,
      b64(`${p.user}:${p.password}`),
      p.apiKey,
      keyHalf(p.apiKey),
      b64(p.apiKey),
      wrongPassword,
      b64(`${p.user}:${wrongPassword}`),
      wrongApiKey,
      keyHalf(wrongApiKey),
      b64(wrongApiKey),
    ];
  }

  function record(what: string, text: string): void {
    seen.push({ what, text });
    if (proxy) assertNoSecret(proxy, what, text);
  }

  function assertNoSecret(p: Proxy, what: string, text: string): void {
    for (const s of secrets(p)) {
      // The text is shown with every secret masked: the test output must not spread them either.
      const masked = secrets(p).reduce((acc, x) => acc.split(x).join('<SECRET>'), text);
      assert.ok(!text.includes(s), `${what} contains a secret (${s.length} chars, shown as <SECRET>): ${masked}`);
    }
  }

  function client(p: Proxy, opts: { auth?: EngineAuth; ca?: boolean; insecure?: boolean; url?: string }): EngineClient {
    const c = new EngineClient({
      urls: [opts.url ?? p.url],
      timeoutMs: 10_000,
      ...(opts.auth ? { auth: opts.auth } : {}),
      tls: { ...(opts.ca ? { caFile: p.ca } : {}), ...(opts.insecure ? { insecure: true } : {}) },
    });
    record('inspect(client)', `${inspect(c)} ${String(c)} ${JSON.stringify(c)} ${c.warnings.join(' ')}`);
    return c;
  }

  const basic = (p: Proxy, password = p.password): EngineAuth => ({ username: p.user, password: new Secret(password) });
  const apiKey = (key: string): EngineAuth => ({ apiKey: new Secret(key) });

  /** detectEngine must fail with `code`; returns the error after recording its message and inspect(). */
  async function detectFails(c: EngineClient, code: string, what: string): Promise<SluiceError> {
    try {
      await detectEngine(c);
    } catch (err) {
      record(`${what}: message`, (err as Error).message);
      record(`${what}: inspect`, inspect(err, { depth: 10 }));
      assert.ok(err instanceof SluiceError, `not a SluiceError: ${inspect(err)}`);
      assert.equal(err.code, code, err.message);
      return err;
    } finally {
      await c.close();
    }
    assert.fail(`${what}: detectEngine succeeded`);
  }

  /** `sluice ingest` through the proxy with credentials in the environment; returns exit code and output. */
  async function cli(p: Proxy, what: string, flags: string[], env: Record<string, string>, url = p.url, track = true): Promise<{ code: number; out: string; err: string }> {
    const keys = ['SLUICE_ELASTICSEARCH__USERNAME', 'SLUICE_ELASTICSEARCH__PASSWORD', 'SLUICE_ELASTICSEARCH__API_KEY'];
    const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
    for (const k of keys) delete process.env[k];
    Object.assign(process.env, env);
    const io = captureIO();
    let code: number;
    try {
      const dataDir = join(dir, `data-${seen.length}`);
      code = await main(['node', 'sluice', '--data-dir', dataDir, 'ingest', '--progress', 'never', '--es-url', url, '--es-index', indexPattern, ...flags, SAMPLE], io.io);
    } finally {
      for (const k of keys) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
    if (track) {
      record(`${what}: stdout`, io.out());
      record(`${what}: stderr`, io.err());
    }
    return { code, out: io.out(), err: io.err() };
  }

  async function countDocs(p: Proxy): Promise<number> {
    const c = client(p, { auth: basic(p), ca: true });
    try {
      await c.request({ method: 'POST', path: `/${prefix}-*/_refresh` });
      const r = await c.request({ method: 'GET', path: `/${prefix}-*/_count` });
      assert.equal(r.status, 200, r.text());
      return (r.json() as { count: number }).count;
    } finally {
      await c.close();
    }
  }

  test('without the CA: SLUICE_ENGINE_TLS naming the certificate problem and the ca_file hint', async (t) => {
    const p = needProxy(t);
    if (!p) return;
    const err = await detectFails(client(p, { auth: basic(p) }), 'SLUICE_ENGINE_TLS', 'no CA');
    assert.match(err.message, /TLS verification failed for https:\/\/127\.0\.0\.1:\d+/);
    assert.match(err.message, /certificate/i);
    assert.match(err.message, /elasticsearch\.tls\.ca_file/);
    assert.match(err.message, /--elasticsearch-tls-ca-file/);

    const r = await cli(p, 'cli no CA', [], { SLUICE_ELASTICSEARCH__USERNAME: p.user, SLUICE_ELASTICSEARCH__PASSWORD: p.password });
    assert.notEqual(r.code, 0, r.err);
    assert.match(r.err, /SLUICE_ENGINE_TLS/);
    assert.match(r.err, /certificate/i);
    assert.match(r.err, /--elasticsearch-tls-ca-file/);
  });

  test('with the CA but an address the certificate does not list: SLUICE_ENGINE_TLS naming the host name problem', async (t) => {
    const p = needProxy(t);
    if (!p) return;
    // The certificate lists IP 127.0.0.1 and DNS localhost; ::ffff:127.0.0.1 reaches the same socket under another name.
    const port = new URL(p.url).port;
    const c = client(p, { auth: basic(p), ca: true, url: `https://[::ffff:127.0.0.1]:${port}` });
    try {
      await detectEngine(c);
      assert.fail('a certificate for 127.0.0.1/localhost was accepted for ::ffff:127.0.0.1');
    } catch (err) {
      record('altname: message', (err as Error).message);
      assert.ok(err instanceof SluiceError, inspect(err));
      if (err.code === 'SLUICE_ENGINE_UNREACHABLE') {
        t.diagnostic(`this machine cannot reach ::ffff:127.0.0.1 (no IPv6?): ${err.message}`);
        return;
      }
      assert.equal(err.code, 'SLUICE_ENGINE_TLS', err.message);
      assert.match(err.message, /altnames/);
      assert.match(err.message, /connect with a host name the certificate lists/);
    } finally {
      await c.close();
    }
  });

  test('with the CA and valid Basic credentials: OpenSearch 2.x, and `sluice ingest` delivers every packet', async (t) => {
    const p = needProxy(t);
    if (!p) return;
    for (const url of [p.url, p.url.replace('127.0.0.1', 'localhost')]) {
      const c = client(p, { auth: basic(p), ca: true, url });
      try {
        const info = await detectEngine(c);
        assert.equal(info.distribution, 'opensearch');
        assert.equal(info.version.major, 2);
      } finally {
        await c.close();
      }
    }

    const r = await cli(p, 'cli basic', ['--elasticsearch-tls-ca-file', p.ca], { SLUICE_ELASTICSEARCH__USERNAME: p.user, SLUICE_ELASTICSEARCH__PASSWORD: p.password });
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /Connected to opensearch 2\.\d+\.\d+ at https:\/\/127\.0\.0\.1:\d+/);
    assert.match(r.out, new RegExp(`Delivered to https://127\\.0\\.0\\.1:\\d+: ${SAMPLE_PACKETS} created, 0 already there`));
    assert.doesNotMatch(r.err, /warning/i);
    assert.equal(await countDocs(p), SAMPLE_PACKETS);
  });

  test('with the CA and a valid ApiKey (id:key, and the encoded form): works', async (t) => {
    const p = needProxy(t);
    if (!p) return;
    for (const key of [p.apiKey, b64(p.apiKey)]) {
      const c = client(p, { auth: apiKey(key), ca: true });
      try {
        const info = await detectEngine(c);
        assert.equal(info.distribution, 'opensearch');
        assert.equal(info.version.major, 2);
      } finally {
        await c.close();
      }
    }
    // The bulk path with the API key: a fresh data dir sends all again; every create answers 409.
    const r = await cli(p, 'cli api key', ['--elasticsearch-tls-ca-file', p.ca], { SLUICE_ELASTICSEARCH__API_KEY: p.apiKey });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`0 created, ${SAMPLE_PACKETS} already there`));
  });

  test('credentials in the URL (https://user:password@host): work, and the URL is never printed with them', async (t) => {
    const p = needProxy(t);
    if (!p) return;
    const withCreds = p.url.replace('https://', `https://${encodeURIComponent(p.user)}:${encodeURIComponent(p.password)}@`);
    const c = client(p, { ca: true, url: withCreds });
    try {
      assert.equal((await detectEngine(c)).distribution, 'opensearch');
    } finally {
      await c.close();
    }
    const wrong = p.url.replace('https://', `https://${encodeURIComponent(p.user)}:${encodeURIComponent(wrongPassword)}@`);
    await detectFails(client(p, { ca: true, url: wrong }), 'SLUICE_ENGINE_AUTH', 'wrong password in URL');
    const bad = await cli(p, 'cli wrong password in URL', ['--elasticsearch-tls-ca-file', p.ca], {}, wrong);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /HTTP 401/);
    // record() above already failed the test if any output contained the password.
  });

  test(
    '`sluice ingest` with the password in --es-url: works and does not print it',
    async (t) => {
      const p = needProxy(t);
      if (!p) return;
      const withCreds = p.url.replace('https://', `https://${encodeURIComponent(p.user)}:${encodeURIComponent(p.password)}@`);
      const ok = await cli(p, 'cli password in URL', ['--elasticsearch-tls-ca-file', p.ca], {}, withCreds);
      assert.equal(ok.code, 0, ok.err);
      assert.match(ok.out, new RegExp(`0 created, ${SAMPLE_PACKETS} already there`));
      assertNoSecret(p, 'cli password in URL: stderr', ok.err);
      assertNoSecret(p, 'cli password in URL: stdout', ok.out);
    },
  );

  test('a wrong password: SLUICE_ENGINE_AUTH with the 401 and what to check', async (t) => {
    const p = needProxy(t);
    if (!p) return;
    const err = await detectFails(client(p, { auth: basic(p, wrongPassword), ca: true }), 'SLUICE_ENGINE_AUTH', 'wrong password');
    assert.match(err.message, /rejected the credentials for GET \/ \(HTTP 401: missing or wrong credentials \(sluice test proxy\)\)/);
    assert.match(err.message, /elasticsearch\.username and elasticsearch\.password/);

    const r = await cli(p, 'cli wrong password', ['--elasticsearch-tls-ca-file', p.ca], { SLUICE_ELASTICSEARCH__USERNAME: p.user, SLUICE_ELASTICSEARCH__PASSWORD: wrongPassword });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /HTTP 401/);
    assert.match(r.err, /SLUICE_ENGINE_AUTH/);

    // No credentials at all: the same 401.
    await detectFails(client(p, { ca: true }), 'SLUICE_ENGINE_AUTH', 'no credentials');
  });

  test('a wrong API key: SLUICE_ENGINE_AUTH with the 401 and what to check', async (t) => {
    const p = needProxy(t);
    if (!p) return;
    const err = await detectFails(client(p, { auth: apiKey(wrongApiKey), ca: true }), 'SLUICE_ENGINE_AUTH', 'wrong api key');
    assert.match(err.message, /HTTP 401/);
    assert.match(err.message, /elasticsearch\.api_key/);

    const r = await cli(p, 'cli wrong api key', ['--elasticsearch-tls-ca-file', p.ca], { SLUICE_ELASTICSEARCH__API_KEY: wrongApiKey });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /HTTP 401/);
    assert.match(r.err, /SLUICE_ENGINE_AUTH/);
  });

  test('--elasticsearch-tls-insecure without the CA: works, with a warning', async (t) => {
    const p = needProxy(t);
    if (!p) return;
    const c = client(p, { auth: basic(p), insecure: true });
    try {
      assert.equal(c.warnings.length, 1);
      assert.match(c.warnings[0]!, /verification is OFF/);
      assert.equal((await detectEngine(c)).distribution, 'opensearch');
    } finally {
      await c.close();
    }
    const r = await cli(p, 'cli insecure', ['--elasticsearch-tls-insecure'], { SLUICE_ELASTICSEARCH__USERNAME: p.user, SLUICE_ELASTICSEARCH__PASSWORD: p.password });
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /sluice: warning: TLS certificate verification is OFF/);
    assert.match(r.out, new RegExp(`0 created, ${SAMPLE_PACKETS} already there`));
  });

  test('nothing secret in anything printed or thrown', (t) => {
    const p = needProxy(t);
    if (!p) return;
    assert.ok(seen.length >= 20, `only ${seen.length} texts were collected`);
    for (const { what, text } of seen) assertNoSecret(p, what, text);
  });
});

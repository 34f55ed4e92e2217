// Secrets never appear in errors, messages or printed clients: every error path is triggered with
// distinctive secret values, and every printed form is searched for them.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Secret } from '../../../config/secret.js';
import { EngineClient, type EngineClientOptions } from './engine-client.js';
import { assertAuthorized } from './assert-authorized.js';
import { detectEngine } from './detect-engine.js';
import { deadUrl, makePki, rejection, startHttp, startHttps, type TestServer } from './test-support.js';

const PASSWORD = 'pw-Zx9SECRETq7';
const URL_PASSWORD = 'up-Kq3SECRETw8';
const API_ID = 'kid-SECRETid42';
const API_KEY = 'ak-Vb5SECRETm1';
const ENCODED_KEY = Buffer.from('eid-SECRET77:ek-SECRET88').toString('base64');
const BEARER = 'tok-Jh2SECRETn6';
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const FORBIDDEN = [PASSWORD, URL_PASSWORD, API_KEY, BEARER, ENCODED_KEY, 'ek-SECRET88', b64(`sluice:${PASSWORD}`), b64(`bob:${URL_PASSWORD}`), b64(`${API_ID}:${API_KEY}`)];

function assertClean(what: string, value: unknown): void {
  const texts = [String(value), inspect(value, { depth: Infinity, showHidden: true })];
  if (value instanceof Error) texts.push(value.message, String(value.stack));
  try {
    texts.push(JSON.stringify(value) ?? '');
  } catch {
    // circular: inspect covers it
  }
  for (const text of texts) for (const s of FORBIDDEN) assert.ok(!text.includes(s), `${what} leaks ${s}:\n${text}`);
}

const servers: TestServer[] = [];
const clients: EngineClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
});
function client(options: EngineClientOptions): EngineClient {
  const c = new EngineClient(options);
  clients.push(c);
  assertClean('client', c);
  assertClean('client.warnings', c.warnings);
  return c;
}
const AUTHS: [string, EngineClientOptions['auth']][] = [
  ['basic', { username: 'sluice', password: new Secret(PASSWORD) }],
  ['api key id:key', { apiKey: new Secret(`${API_ID}:${API_KEY}`) }],
  ['encoded api key', { apiKey: new Secret(ENCODED_KEY) }],
  ['bearer', { bearer: new Secret(BEARER) }],
];

test('construction errors never show a password from a URL or the options', () => {
  const attempts: (() => unknown)[] = [
    () => new EngineClient({ urls: [`https://bob:${URL_PASSWORD}@bad host:9200`] }),
    () => new EngineClient({ urls: [`ftp://bob:${URL_PASSWORD}@h:21`] }),
    () => new EngineClient({ urls: [`https://bob:${URL_PASSWORD}@h:9200/?x=1`] }),
    () => new EngineClient({ urls: [`https://bob:${URL_PASSWORD}@h:9200`, `https://bob:${PASSWORD}@h2:9200`] }),
    () => new EngineClient({ urls: [`https://bob:${URL_PASSWORD}@h:9200`], auth: { username: 'sluice', password: new Secret(PASSWORD) } }),
    () => new EngineClient({ urls: [`https://bob:${URL_PASSWORD}@h:9200`, `https://bob:${URL_PASSWORD}@h:9200`] }),
    () => new EngineClient({ urls: [`https://bob:${URL_PASSWORD}@h:9200`], tls: { caFile: '/nonexistent/ca.pem' } }),
    () => new EngineClient({ urls: ['https://h:9200'], auth: { apiKey: new Secret(`${API_ID}:${API_KEY}`) }, timeoutMs: -1 }),
  ];
  for (const [i, attempt] of attempts.entries()) {
    const err = (() => {
      try {
        attempt();
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof Error, `attempt ${i} should throw`);
    assert.equal((err as { code?: string }).code, 'SLUICE_ENGINE_OPTIONS', `attempt ${i}: ${String(err)}`);
    assertClean(`construction error ${i}`, err);
  }
});

test('a client built from a URL with credentials prints the URL without them', () => {
  const c = client({ urls: [`https://bob:${URL_PASSWORD}@es1:9200`, `https://bob:${URL_PASSWORD}@es2:9200/`] });
  assert.deepEqual(c.nodes, ['https://es1:9200', 'https://es2:9200']);
  assert.match(inspect(c), /EngineClient \{ nodes: \[https:\/\/es1:9200, https:\/\/es2:9200\], auth: basic \[redacted\]/);
  assert.equal(String(c), 'EngineClient(https://es1:9200, https://es2:9200)');
});

test('transport failures (refused, timeout, TLS) never show a secret', async () => {
  const silent = await startHttp(() => {});
  servers.push(silent);
  const pki = makePki();
  let tlsUrl: string | undefined;
  if (pki) {
    const s = await startHttps({ cert: pki.serverCert, key: pki.serverKey }, () => {});
    servers.push(s);
    tlsUrl = s.url;
  } else console.warn('*** openssl missing: the TLS leg of the secrets test is SKIPPED ***');
  for (const [name, auth] of AUTHS) {
    const dead = await deadUrl();
    const targets = [[dead], [silent.url], ...(tlsUrl ? [[tlsUrl]] : []), [dead, silent.url]];
    for (const urls of targets) {
      const err = await rejection(client({ urls, auth, timeoutMs: 200 }).request({ method: 'POST', path: '/_bulk', body: `{"create":{}}\n{"password":"${PASSWORD}"}\n`, ndjson: true }));
      assert.match(String(err.code), /^SLUICE_ENGINE_/);
      assertClean(`${name} → ${urls.join(',')}`, err);
    }
  }
  const dead = (await deadUrl()).replace('http://', `http://bob:${URL_PASSWORD}@`);
  assertClean('URL credentials → refused', await rejection(client({ urls: [dead] }).request({ method: 'GET', path: '/' })));
});

test('a server that echoes the credentials back in 401/403 reasons and non-JSON bodies cannot make us print them', async () => {
  const echo = await startHttp((req, res) => {
    const authz = req.headers.authorization ?? '';
    const token = authz.split(' ')[1] ?? '';
    const decoded = Buffer.from(token, 'base64').toString();
    const reason = `bad credentials ${authz} (${decoded}) for [${decoded.split(':')[0]}]`;
    if (req.url === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`oops ${authz} ${decoded}`);
      return;
    }
    const text = JSON.stringify({ error: { type: 'security_exception', reason }, status: req.url === '/forbidden' ? 403 : 401 });
    res.writeHead(req.url === '/forbidden' ? 403 : 401, { 'content-type': 'application/json' });
    res.end(text);
  });
  servers.push(echo);
  const withUrlCreds = echo.url.replace('http://', `http://bob:${URL_PASSWORD}@`);
  for (const [name, auth, url] of [...AUTHS.map(([n, a]) => [n, a, echo.url] as const), ['url credentials', undefined, withUrlCreds] as const]) {
    const c = client({ urls: [url], ...(auth ? { auth } : {}) });
    for (const path of ['/', '/forbidden']) {
      const r = await c.request({ method: 'GET', path });
      let thrown: unknown;
      try {
        assertAuthorized(r, c.scrub);
      } catch (e) {
        thrown = e;
      }
      assert.equal((thrown as { code?: string }).code, 'SLUICE_ENGINE_AUTH', `${name} ${path}`);
      assertClean(`${name} ${path} auth error`, thrown);
    }
    assertClean(`${name} detectEngine`, await rejection(detectEngine(c)));
    const text = await c.request({ method: 'GET', path: '/text' });
    let notJson: unknown;
    try {
      text.json();
    } catch (e) {
      notJson = e;
    }
    assert.equal((notJson as { code?: string }).code, 'SLUICE_ENGINE_UNSUPPORTED');
    assertClean(`${name} json() error`, notJson);
  }
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { format, inspect } from 'node:util';
import { loadConfig, redactConfig, redactUrl, Secret, REDACTED } from './index.js';
import { configError, tempDir } from './test-support.js';

const PASSWORD = 'pw-Th1sMustNeverLeak';
const API_KEY = 'key-AlsoNeverLeak==';
const URL_PASSWORD = 'urlPassNeverLeak';

/** Every way the value could end up printed. */
function printed(value: unknown): string[] {
  return [
    JSON.stringify(value),
    inspect(value),
    inspect(value, { depth: Infinity, showHidden: true }),
    format('%s %o %O %j', value, value, value, value),
    String(value),
  ];
}

function assertClean(texts: string[], ...secrets: string[]): void {
  for (const t of texts) for (const s of secrets) assert.ok(!t.includes(s), `leaked ${s} in: ${t}`);
}

describe('Secret', () => {
  test('prints as [redacted] everywhere, reveal() gives the value', () => {
    const s = new Secret(PASSWORD);
    assert.equal(String(s), REDACTED);
    assert.equal(`${s}`, REDACTED);
    assert.equal(s + '', REDACTED);
    assert.equal(JSON.stringify(s), `"${REDACTED}"`);
    assert.equal(inspect(s), REDACTED);
    assert.equal(JSON.stringify({ s }), `{"s":"${REDACTED}"}`);
    assertClean(printed(s), PASSWORD);
    assertClean(printed({ nested: [s] }), PASSWORD);
    assert.deepEqual(Object.keys(s), []);
    assert.ok(Object.isFrozen(s));
    assert.equal(s.reveal(), PASSWORD);
  });
});

describe('redaction of the loaded configuration', () => {
  function load() {
    const cwd = tempDir({
      'sluice.yaml': `elasticsearch:\n  username: bob\n  password: "${PASSWORD}"\n  urls:\n    - https://bob:${URL_PASSWORD}@es1:9200\n    - http://es2:9200\n`,
    });
    return loadConfig({ cwd, env: {} });
  }

  test('the config has Secrets; printing it never shows secret values or URL credentials', () => {
    const c = load();
    assert.ok(c.elasticsearch.password instanceof Secret);
    assert.equal(c.elasticsearch.password.reveal(), PASSWORD);
    assert.equal(c.elasticsearch.urls[0], `https://bob:${URL_PASSWORD}@es1:9200`); // usable by the client
    assertClean(printed(c), PASSWORD, URL_PASSWORD);
    assertClean(printed(c.elasticsearch), PASSWORD);
    assert.match(JSON.stringify(c), /"password":"\[redacted\]"/);
  });

  test('redactConfig gives a plain, mutable object safe to print', () => {
    const r = redactConfig(load());
    assert.equal(r.elasticsearch.password, REDACTED);
    assert.deepEqual(r.elasticsearch.urls, [`https://${REDACTED}@es1:9200`, 'http://es2:9200']);
    assert.equal(r.elasticsearch.username, 'bob');
    assert.equal(r.ingest.batch_packets, 1024);
    assert.ok(!Object.isFrozen(r));
    assertClean(printed(r), PASSWORD, URL_PASSWORD);
    r.output = 'json'; // mutable copy
  });

  test('redactUrl', () => {
    assert.equal(redactUrl('https://u:p@h:1/x?y#z'), `https://${REDACTED}@h:1/x?y#z`);
    assert.equal(redactUrl('https://token@h'), `https://${REDACTED}@h`);
    assert.equal(redactUrl('https://h:9200/a@b'), 'https://h:9200/a@b');
    assert.equal(redactUrl('not a url'), 'not a url');
  });
});

describe('error messages never contain secret values', () => {
  function assertErrorClean(fn: () => unknown, ...secrets: string[]) {
    const err = configError(fn);
    assertClean([err.message, JSON.stringify(err.problems), inspect(err), String(err.stack)], ...secrets);
    return err;
  }

  test('an invalid secret (control characters) from the environment', () => {
    const bad = `${PASSWORD}\u0007`;
    const err = assertErrorClean(
      () => loadConfig({ cwd: tempDir(), env: { SLUICE_ELASTICSEARCH__USERNAME: 'bob', SLUICE_ELASTICSEARCH__PASSWORD: bad } }),
      PASSWORD,
    );
    assert.deepEqual(err.problems.map((p) => p.path), ['elasticsearch.password']);
    assert.match(err.message, /must not contain line breaks or other control characters/);
  });

  test('an invalid secret in YAML (a number, a multi-line string)', () => {
    const cwd = tempDir({ 'sluice.yaml': 'elasticsearch:\n  username: bob\n  password: 987654321\n  api_key: "abcdefgh\\nijklmnop"\n' });
    const err = assertErrorClean(() => loadConfig({ cwd, env: {} }), '987654321', 'abcdefgh', 'ijklmnop');
    assert.deepEqual(err.problems.map((p) => [p.path, p.message]), [
      ['elasticsearch.password', 'expected a string, got a number (quote the value in YAML)'],
      ['elasticsearch.api_key', 'must not contain line breaks or other control characters'],
    ]);
  });

  test('a secret given through a flag', () => {
    assertErrorClean(() => loadConfig({ cwd: tempDir(), env: {}, flags: { 'elasticsearch.password': `x\n${PASSWORD}` } }), PASSWORD);
  });

  test('cross-field rule problems involving secrets', () => {
    const cwd = tempDir({ '.env': `SLUICE_ELASTICSEARCH__API_KEY=${API_KEY}\nSLUICE_ELASTICSEARCH__PASSWORD=${PASSWORD}\n` });
    const err = assertErrorClean(() => loadConfig({ cwd, env: { SLUICE_ELASTICSEARCH__USERNAME: 'bob' } }), PASSWORD, API_KEY);
    assert.deepEqual(err.problems.map((p) => p.path), ['elasticsearch.api_key']);
  });

  test('invalid URLs carrying credentials are not echoed', () => {
    const err = assertErrorClean(
      () => loadConfig({ cwd: tempDir(), env: { SLUICE_ELASTICSEARCH__URLS: `https://bob:${URL_PASSWORD}@bad host:9200,ftp://bob:${URL_PASSWORD}@h` } }),
      URL_PASSWORD,
    );
    assert.deepEqual(err.problems.map((p) => p.path), ['elasticsearch.urls[0]', 'elasticsearch.urls[1]']);
  });

  test('a secret value that happens to appear elsewhere is scrubbed from messages', () => {
    // The user pasted the password into another key by mistake: that key's message would echo it.
    const err = assertErrorClean(
      () => loadConfig({ cwd: tempDir(), env: { SLUICE_ELASTICSEARCH__USERNAME: 'bob', SLUICE_ELASTICSEARCH__PASSWORD: PASSWORD, SLUICE_LOG__LEVEL: PASSWORD } }),
      PASSWORD,
    );
    assert.match(err.message, /log\.level: must be one of .*, got "\[redacted\]"/);
  });
});

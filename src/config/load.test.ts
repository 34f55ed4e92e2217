import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isSluiceError } from '../errors.js';
import {
  loadConfig, resolveConfig, configFlagsFromOptions, ConfigError, ConfigFileError, CONFIG_KEYS, Secret,
} from './index.js';
import { configError, tempDir } from './test-support.js';

describe('defaults', () => {
  test('an empty directory and environment give the defaults', () => {
    const cwd = tempDir();
    const c = loadConfig({ cwd, env: {} });
    assert.equal(c.data_dir, join(cwd, 'sluice-data'));
    assert.equal(c.log.level, 'info');
    assert.equal(c.log.format, 'auto');
    assert.equal(c.log.health_interval_secs, 60);
    assert.equal(c.api.enabled, false);
    assert.equal(c.api.address, '127.0.0.1:9599');
    assert.equal(c.capture.tool, 'auto');
    assert.equal(c.capture.interface, undefined);
    assert.equal(c.ingest.batch_packets, 1024);
    assert.equal(c.ingest.read_chunk_bytes, 256 * 1024);
    assert.equal(c.ingest.recursive, true);
    assert.equal(c.ingest.follow_symlinks, false);
    assert.equal(c.output, 'table');
    assert.equal(c.progress, 'auto');
    assert.equal(c.store.backend, 'local');
    assert.equal(c.store.local.synchronous, 'normal');
    assert.equal(c.store.local.cache_mb, 16);
    assert.deepEqual(c.elasticsearch.urls, []);
    assert.equal(c.elasticsearch.username, undefined);
    assert.equal(c.elasticsearch.password, undefined);
    assert.equal(c.elasticsearch.tls.insecure, false);
  });

  test('sources tell where each value came from', () => {
    const cwd = tempDir({ 'sluice.yaml': 'log:\n  level: debug\n' });
    const r = resolveConfig({ cwd, env: { SLUICE_OUTPUT: 'json' }, flags: { progress: 'never' } });
    assert.equal(r.file, join(cwd, 'sluice.yaml'));
    assert.equal(r.sources.get('log.level'), `${join(cwd, 'sluice.yaml')}:2`);
    assert.equal(r.sources.get('output'), 'env SLUICE_OUTPUT');
    assert.equal(r.sources.get('progress'), 'flag --progress');
    assert.equal(r.sources.get('data_dir'), 'default');
  });
});

describe('precedence: flags > env > .env > YAML file > defaults', () => {
  // One key, every layer: each row sets the layers named, the highest one must win.
  type LayerName = 'flag' | 'env' | 'dotenv' | 'file';
  const VALUE: Record<LayerName, number> = { flag: 11, env: 22, dotenv: 33, file: 44 };
  const ORDER: LayerName[] = ['flag', 'env', 'dotenv', 'file'];

  function load(layers: LayerName[]) {
    const files: Record<string, string> = {};
    if (layers.includes('dotenv')) files['.env'] = `SLUICE_INGEST__BATCH_PACKETS=${VALUE.dotenv}\n`;
    if (layers.includes('file')) files['sluice.yaml'] = `ingest:\n  batch_packets: ${VALUE.file}\n`;
    const cwd = tempDir(files);
    return loadConfig({
      cwd,
      env: layers.includes('env') ? { SLUICE_INGEST__BATCH_PACKETS: String(VALUE.env) } : {},
      flags: layers.includes('flag') ? { 'ingest.batch_packets': VALUE.flag } : {},
    }).ingest.batch_packets;
  }

  for (const [i, high] of ORDER.entries()) {
    for (const low of ORDER.slice(i + 1)) {
      test(`${high} beats ${low}`, () => assert.equal(load([high, low]), VALUE[high]));
    }
    test(`${high} beats the default`, () => assert.equal(load([high]), VALUE[high]));
  }
  test('all layers: the flag wins', () => assert.equal(load(ORDER), VALUE.flag));

  test('layers merge key by key', () => {
    const cwd = tempDir({
      'sluice.yaml': 'log:\n  level: debug\n  format: json\ningest:\n  batch_packets: 1\n',
      '.env': 'SLUICE_LOG__FORMAT=pretty\n',
    });
    const c = loadConfig({ cwd, env: { SLUICE_INGEST__RECURSIVE: 'no' }, flags: { 'ingest.batch_packets': 7 } });
    assert.equal(c.log.level, 'debug'); // file
    assert.equal(c.log.format, 'pretty'); // .env over file
    assert.equal(c.ingest.recursive, false); // env
    assert.equal(c.ingest.batch_packets, 7); // flag over file
  });

  test('flags that are undefined or null do not shadow lower layers', () => {
    const c = loadConfig({ cwd: tempDir(), env: { SLUICE_OUTPUT: 'json' }, flags: { output: undefined, progress: null } });
    assert.equal(c.output, 'json');
    assert.equal(c.progress, 'auto');
  });
});

describe('.env', () => {
  test('is read without overriding real variables and without touching process.env', () => {
    const cwd = tempDir({ '.env': 'SLUICE_LOG__LEVEL=debug\nSLUICE_OUTPUT=json\n' });
    process.env.SLUICE_LOG__LEVEL = 'warn';
    try {
      const before = { ...process.env };
      const c = loadConfig({ cwd }); // env defaults to process.env
      assert.equal(c.log.level, 'warn');
      assert.equal(c.output, 'json');
      assert.deepEqual({ ...process.env }, before);
      assert.equal(process.env.SLUICE_OUTPUT, undefined);
    } finally {
      delete process.env.SLUICE_LOG__LEVEL;
    }
  });

  test('is ignored with dotenv: false', () => {
    const cwd = tempDir({ '.env': 'SLUICE_OUTPUT=json\n' });
    assert.equal(loadConfig({ cwd, env: {}, dotenv: false }).output, 'table');
  });

  test('a bad .env value names the file and line', () => {
    const cwd = tempDir({ '.env': '# comment\nSLUICE_OUTPUT=xml\n' });
    const err = configError(() => loadConfig({ cwd, env: {} }));
    assert.deepEqual(err.problems.map((p) => p.source), [`${join(cwd, '.env')}:2 SLUICE_OUTPUT`]);
  });

  test('can name the YAML file through SLUICE_CONFIG', () => {
    const cwd = tempDir({ 'other.yaml': 'output: json\n', '.env': 'SLUICE_CONFIG=other.yaml\n' });
    assert.equal(loadConfig({ cwd, env: {} }).output, 'json');
  });
});

describe('environment coercion', () => {
  const load = (env: Record<string, string>) => loadConfig({ cwd: tempDir(), env });

  test('integers, booleans and lists', () => {
    const c = load({
      SLUICE_INGEST__BATCH_PACKETS: ' 100 ',
      SLUICE_INGEST__READ_CHUNK_BYTES: '1_048_576',
      SLUICE_INGEST__RECURSIVE: 'NO',
      SLUICE_INGEST__FOLLOW_SYMLINKS: '1',
      SLUICE_ELASTICSEARCH__TLS__INSECURE: 'yes',
      SLUICE_ELASTICSEARCH__URLS: 'https://a:9200, https://b:9200,,',
      SLUICE_DATA_DIR: '/var/lib/sluice',
    });
    assert.equal(c.ingest.batch_packets, 100);
    assert.equal(c.ingest.read_chunk_bytes, 1_048_576);
    assert.equal(c.ingest.recursive, false);
    assert.equal(c.ingest.follow_symlinks, true);
    assert.equal(c.elasticsearch.tls.insecure, true);
    assert.deepEqual(c.elasticsearch.urls, ['https://a:9200', 'https://b:9200']);
    assert.equal(c.data_dir, '/var/lib/sluice');
  });

  for (const [v, expected] of [['true', true], ['false', false], ['1', true], ['0', false], ['yes', true], ['no', false], ['TRUE', true]] as const) {
    test(`boolean ${JSON.stringify(v)}`, () => assert.equal(load({ SLUICE_INGEST__FOLLOW_SYMLINKS: v }).ingest.follow_symlinks, expected));
  }

  test('an empty variable is unset, except for lists', () => {
    const cwd = tempDir({ 'sluice.yaml': 'output: json\nelasticsearch:\n  urls: [https://a:9200]\n' });
    const c = loadConfig({ cwd, env: { SLUICE_OUTPUT: '', SLUICE_ELASTICSEARCH__URLS: '' } });
    assert.equal(c.output, 'json');
    assert.deepEqual(c.elasticsearch.urls, []);
  });

  test('values that do not convert are problems naming the variable', () => {
    const err = configError(() => load({ SLUICE_INGEST__BATCH_PACKETS: 'lots', SLUICE_INGEST__RECURSIVE: 'maybe', SLUICE_STORE__LOCAL__CACHE_MB: '1.5' }));
    assert.deepEqual(
      err.problems.map((p) => [p.path, p.source]),
      [
        ['ingest.batch_packets', 'env SLUICE_INGEST__BATCH_PACKETS'],
        ['ingest.recursive', 'env SLUICE_INGEST__RECURSIVE'],
        ['store.local.cache_mb', 'env SLUICE_STORE__LOCAL__CACHE_MB'],
      ],
    );
    assert.match(err.problems[0]!.message, /expected an integer, got "lots"/);
  });

  test('flag strings are coerced like environment values', () => {
    const c = loadConfig({ cwd: tempDir(), env: {}, flags: { 'ingest.batch_packets': '12', 'ingest.recursive': 'false', 'elasticsearch.urls': 'http://a,http://b' } });
    assert.equal(c.ingest.batch_packets, 12);
    assert.equal(c.ingest.recursive, false);
    assert.deepEqual(c.elasticsearch.urls, ['http://a', 'http://b']);
  });

  test('unknown SLUICE_* variables are ignored, with an optional warning and hint', () => {
    const warnings: string[] = [];
    const c = loadConfig({ cwd: tempDir(), env: { SLUICE_INGEST_BATCH_PACKETS: '5', SLUICE_WHATEVER: 'x', SLUICE_CONFIG: '' }, onWarning: (m) => warnings.push(m) });
    assert.equal(c.ingest.batch_packets, 1024);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /SLUICE_INGEST_BATCH_PACKETS.*did you mean SLUICE_INGEST__BATCH_PACKETS\?/);
    assert.match(warnings[1]!, /SLUICE_WHATEVER/);
  });
});

describe('problems', () => {
  test('three bad keys from three layers give three lines at once', () => {
    const cwd = tempDir({ 'sluice.yaml': 'log:\n  level: loud\n' });
    const err = configError(() => loadConfig({ cwd, env: { SLUICE_INGEST__BATCH_PACKETS: '0' }, flags: { output: 'xml' } }));
    assert.ok(err instanceof ConfigError);
    assert.ok(isSluiceError(err, 'SLUICE_CONFIG_INVALID'));
    assert.equal(err.stage, 'config');
    assert.deepEqual(err.problems.map((p) => p.path), ['log.level', 'ingest.batch_packets', 'output']);
    const lines = err.message.split('\n');
    assert.equal(lines[0], 'invalid configuration (3 problems):');
    assert.deepEqual(lines.slice(1), [
      `log.level: must be one of 'trace', 'debug', 'info', 'warn', 'error', 'silent', got "loud" (from ${join(cwd, 'sluice.yaml')}:2)`,
      'ingest.batch_packets: must be at least 1, got 0 (from env SLUICE_INGEST__BATCH_PACKETS)',
      `output: must be one of 'table', 'json', got "xml" (from flag --output)`,
    ]);
  });

  test('ranges, integers, types, URLs, empty strings', () => {
    const cwd = tempDir({
      'sluice.yaml': [
        'data_dir: ""',
        'ingest:',
        '  batch_packets: 2.5',
        '  read_chunk_bytes: 1024',
        '  recursive: "yes"',
        'store:',
        '  local:',
        '    cache_mb: 100000',
        'elasticsearch:',
        '  urls:',
        '    - https://ok:9200',
        '    - ftp://nope',
        '    - not a url',
        '',
      ].join('\n'),
    });
    const err = configError(() => loadConfig({ cwd, env: {} }));
    const f = join(cwd, 'sluice.yaml');
    assert.deepEqual(
      err.problems.map((p) => `${p.path}|${p.message}|${p.source}`),
      [
        `data_dir|must not be empty|${f}:1`,
        `ingest.batch_packets|must be an integer, got 2.5|${f}:3`,
        `ingest.read_chunk_bytes|must be at least 65536, got 1024|${f}:4`,
        `ingest.recursive|expected a boolean, got a string|${f}:5`,
        `store.local.cache_mb|must be at most 65536, got 100000|${f}:8`,
        `elasticsearch.urls[1]|must start with http:// or https://|${f}:12`,
        `elasticsearch.urls[2]|must be a valid URL|${f}:13`,
      ],
    );
  });

  test('unknown keys in the YAML file are problems with their line', () => {
    const cwd = tempDir({ 'sluice.yaml': 'log:\n  level: info\n  colour: red\ningest_config: {}\nstore:\n  local:\n    cachemb: 1\n' });
    const err = configError(() => loadConfig({ cwd, env: {} }));
    const f = join(cwd, 'sluice.yaml');
    assert.deepEqual(err.problems, [
      { path: 'log.colour', message: 'unknown key', source: `${f}:3` },
      { path: 'ingest_config', message: 'unknown key', source: `${f}:4` },
      { path: 'store.local.cachemb', message: 'unknown key', source: `${f}:7` },
    ]);
  });

  test('a scalar where a namespace belongs is a problem', () => {
    const cwd = tempDir({ 'sluice.yaml': 'log: debug\n' });
    const err = configError(() => loadConfig({ cwd, env: {} }));
    assert.deepEqual(err.problems.map((p) => [p.path, p.message]), [['log', 'expected a mapping of keys']]);
  });

  test('empty values and empty namespaces count as unset', () => {
    const cwd = tempDir({ 'sluice.yaml': 'log:\nelasticsearch:\n  username:\n' });
    const c = loadConfig({ cwd, env: {} });
    assert.equal(c.log.level, 'info');
    assert.equal(c.elasticsearch.username, undefined);
  });

  test('flagLabels name the flag as the command line spells it', () => {
    const err = configError(() => loadConfig({ cwd: tempDir(), env: {}, flags: { 'ingest.batch_packets': 0 }, flagLabels: { 'ingest.batch_packets': '--batch-packets' } }));
    assert.equal(err.problems[0]!.source, 'flag --batch-packets');
  });

  test('unknown flags are problems', () => {
    const err = configError(() => loadConfig({ cwd: tempDir(), env: {}, flags: { 'ingest.batch': 3 } }));
    assert.deepEqual(err.problems, [{ path: 'ingest.batch', message: 'unknown key', source: 'flag --ingest-batch' }]);
  });

  test('cross-field rules: password requires username; username and api_key exclude each other', () => {
    const e1 = configError(() => loadConfig({ cwd: tempDir(), env: { SLUICE_ELASTICSEARCH__PASSWORD: 'pw-value-1' } }));
    assert.deepEqual(e1.problems, [
      { path: 'elasticsearch.password', message: 'requires elasticsearch.username', source: 'env SLUICE_ELASTICSEARCH__PASSWORD' },
    ]);
    const e2 = configError(() =>
      loadConfig({ cwd: tempDir(), env: { SLUICE_ELASTICSEARCH__USERNAME: 'bob', SLUICE_ELASTICSEARCH__API_KEY: 'key-value-1' } }),
    );
    assert.equal(e2.problems.length, 1);
    assert.equal(e2.problems[0]!.path, 'elasticsearch.api_key');
    assert.match(e2.problems[0]!.message, /choose one of basic auth .*, elasticsearch\.api_key or elasticsearch\.bearer_token/);
    const ok = loadConfig({ cwd: tempDir(), env: { SLUICE_ELASTICSEARCH__USERNAME: 'bob', SLUICE_ELASTICSEARCH__PASSWORD: 'pw-value-1' } });
    assert.ok(ok.elasticsearch.password instanceof Secret);
    assert.equal(ok.elasticsearch.password.reveal(), 'pw-value-1');
    const e3 = configError(() => loadConfig({ cwd: tempDir(), env: { SLUICE_ELASTICSEARCH__API_KEY: 'id:key', SLUICE_ELASTICSEARCH__BEARER_TOKEN: 'tok-1' } }));
    assert.equal(e3.problems[0]!.path, 'elasticsearch.bearer_token');
    const e4 = configError(() => loadConfig({ cwd: tempDir(), env: { SLUICE_ELASTICSEARCH__TLS__CERT_FILE: '/c.pem' } }));
    assert.deepEqual(e4.problems.map((p) => [p.path, p.message]), [['elasticsearch.tls.key_file', 'mutual TLS needs both elasticsearch.tls.cert_file and elasticsearch.tls.key_file']]);
    const bearer = loadConfig({ cwd: tempDir(), env: { SLUICE_ELASTICSEARCH__BEARER_TOKEN: 'tok-1' } });
    assert.ok(bearer.elasticsearch.bearer_token instanceof Secret);
  });

  test('rules are reported together with schema problems, and skipped for invalid keys', () => {
    const err = configError(() =>
      loadConfig({ cwd: tempDir(), env: { SLUICE_ELASTICSEARCH__PASSWORD: 'pw-value-1', SLUICE_OUTPUT: 'xml', SLUICE_ELASTICSEARCH__API_KEY: '' } }),
    );
    assert.deepEqual(err.problems.map((p) => p.path), ['output', 'elasticsearch.password']);
    const err2 = configError(() =>
      loadConfig({ cwd: tempDir(), env: {}, flags: { 'elasticsearch.username': '', 'elasticsearch.password': 'pw-value-1' } }),
    );
    // username is invalid (empty): reported once, the rule reading it is skipped
    assert.deepEqual(err2.problems.map((p) => [p.path, p.message]), [['elasticsearch.username', 'must not be empty']]);
  });
});

describe('files', () => {
  test('a YAML syntax error is SLUICE_CONFIG_FILE with file and line', () => {
    const cwd = tempDir({ 'sluice.yaml': 'log:\n  level: info\n ingest: [unclosed\n' });
    assert.throws(
      () => loadConfig({ cwd, env: {} }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigFileError);
        assert.ok(isSluiceError(err, 'SLUICE_CONFIG_FILE'));
        assert.equal(err.file, join(cwd, 'sluice.yaml'));
        assert.equal(typeof err.line, 'number');
        assert.ok(err.message.startsWith(`${join(cwd, 'sluice.yaml')}:${err.line}:`), err.message);
        return true;
      },
    );
  });

  test('duplicate keys are YAML errors', () => {
    const cwd = tempDir({ 'sluice.yaml': 'output: json\noutput: table\n' });
    assert.throws(() => loadConfig({ cwd, env: {} }), (e: unknown) => e instanceof ConfigFileError && e.line === 2);
  });

  test('a top level that is not a mapping is SLUICE_CONFIG_FILE', () => {
    const cwd = tempDir({ 'sluice.yaml': '- a\n- b\n' });
    assert.throws(() => loadConfig({ cwd, env: {} }), ConfigFileError);
  });

  test('an empty file gives the defaults', () => {
    assert.equal(loadConfig({ cwd: tempDir({ 'sluice.yaml': '# nothing yet\n' }), env: {} }).output, 'table');
  });

  test('explicit configFile beats SLUICE_CONFIG beats ./sluice.yaml; sluice.yml is found too', () => {
    const cwd = tempDir({ 'a.yaml': 'output: json\n', 'b.yaml': 'progress: never\n', 'sluice.yaml': 'log:\n  level: warn\n' });
    const c1 = loadConfig({ cwd, env: { SLUICE_CONFIG: 'b.yaml' }, configFile: 'a.yaml' });
    assert.deepEqual([c1.output, c1.progress, c1.log.level], ['json', 'auto', 'info']);
    const c2 = loadConfig({ cwd, env: { SLUICE_CONFIG: join(cwd, 'b.yaml') } });
    assert.deepEqual([c2.output, c2.progress, c2.log.level], ['table', 'never', 'info']);
    const c3 = loadConfig({ cwd, env: {} });
    assert.equal(c3.log.level, 'warn');
    assert.equal(loadConfig({ cwd: tempDir({ 'sluice.yml': 'output: json\n' }), env: {} }).output, 'json');
  });

  test('a missing explicit file, or both sluice.yaml and sluice.yml, is SLUICE_CONFIG_FILE', () => {
    const cwd = tempDir();
    assert.throws(() => loadConfig({ cwd, env: {}, configFile: 'missing.yaml' }), /missing\.yaml: configuration file not found/);
    assert.throws(() => loadConfig({ cwd, env: { SLUICE_CONFIG: 'gone.yaml' } }), ConfigFileError);
    const both = tempDir({ 'sluice.yaml': '', 'sluice.yml': '' });
    assert.throws(() => loadConfig({ cwd: both, env: {} }), ConfigFileError);
  });

  test('relative paths are resolved against cwd', () => {
    const cwd = tempDir({ 'sluice.yaml': 'data_dir: store\nelasticsearch:\n  tls:\n    ca_file: certs/ca.pem\n' });
    const c = loadConfig({ cwd, env: {} });
    assert.equal(c.data_dir, join(cwd, 'store'));
    assert.equal(c.elasticsearch.tls.ca_file, join(cwd, 'certs/ca.pem'));
  });
});

describe('result', () => {
  test('is deeply frozen: mutation throws in strict mode', () => {
    const c = loadConfig({ cwd: tempDir(), env: { SLUICE_ELASTICSEARCH__URLS: 'http://a' } });
    assert.ok(Object.isFrozen(c));
    assert.throws(() => {
      (c as { output: string }).output = 'json';
    }, TypeError);
    assert.throws(() => {
      (c.ingest as { batch_packets: number }).batch_packets = 1;
    }, TypeError);
    assert.throws(() => {
      (c.store.local as { cache_mb: number }).cache_mb = 1;
    }, TypeError);
    assert.throws(() => (c.elasticsearch.urls as string[]).push('http://b'), TypeError);
    assert.throws(() => {
      (c as unknown as Record<string, unknown>).extra = 1;
    }, TypeError);
  });

  test('has every schema key, in schema order', () => {
    const c = loadConfig({ cwd: tempDir(), env: { SLUICE_ELASTICSEARCH__USERNAME: 'u', SLUICE_ELASTICSEARCH__PASSWORD: 'p-1234', SLUICE_ELASTICSEARCH__TLS__CA_FILE: '/ca.pem', SLUICE_ELASTICSEARCH__TLS__CERT_FILE: '/c.pem', SLUICE_ELASTICSEARCH__TLS__KEY_FILE: '/k.pem', SLUICE_WATCH__DIR: '/w', SLUICE_WATCH__AFTER: 'move', SLUICE_WATCH__ARCHIVE_DIR: '/a', SLUICE_WATCH__QUARANTINE_DIR: '/q', SLUICE_CAPTURE__INTERFACE: 'lo', SLUICE_CAPTURE__BPF: 'udp', SLUICE_CAPTURE__SNAPLEN_BYTES: '96', SLUICE_CAPTURE__DIR: '/c', SLUICE_ACCESS_LOG__APACHE_LOG_FORMAT: '%h', SLUICE_GEOIP__ASN_DB_PATHS: '/asn.csv', SLUICE_HONEYPOT__SENSOR_NAME: 's1', SLUICE_POSTGRES__URL: 'postgres://u:p@h/d', SLUICE_KAFKA__CLIENT_ID: 'c', SLUICE_KAFKA__DLQ_TOPIC: 'd', SLUICE_KAFKA__BREAKER_RESET_MS: '3000', SLUICE_RATE_LIMIT__EVENTS_PER_SEC: '100', SLUICE_RATE_LIMIT__BURST_COUNT: '10', SLUICE_REDIS__URL: 'redis://127.0.0.1:6379' } });
    const leaves: string[] = [];
    const walk = (o: object, prefix: string) => {
      for (const [k, v] of Object.entries(o)) {
        const p = prefix ? `${prefix}.${k}` : k;
        if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Secret)) walk(v, p);
        else leaves.push(p);
      }
    };
    walk(c, '');
    // api_key excludes username/password, nginx_log_format excludes apache_log_format (rules): each pair is set once.
    assert.deepEqual(leaves, CONFIG_KEYS.filter((k) => k.path !== 'elasticsearch.api_key' && k.path !== 'elasticsearch.bearer_token' && k.path !== 'access_log.nginx_log_format').map((k) => k.path));
  });
});

describe('configFlagsFromOptions', () => {
  test('maps commander attribute names to dotted paths and drops undefined', () => {
    assert.deepEqual(
      configFlagsFromOptions({ ingestBatchPackets: '10', storeLocalCacheMb: 5, output: undefined, dataDir: 'x', verbose: true, elasticsearchPassword: 'nope' }),
      { 'ingest.batch_packets': '10', 'store.local.cache_mb': 5, data_dir: 'x' },
    );
  });
});

test('SLUICE_ES_URL is an alias of SLUICE_ELASTICSEARCH__URLS (the canonical name wins)', async () => {
  const { loadConfig: load } = await import('./load.js');
  const cwd = (await import('./test-support.js')).tempDir();
  assert.deepEqual(load({ cwd, env: { SLUICE_ES_URL: 'http://a:9200,http://b:9200' } }).elasticsearch.urls, ['http://a:9200', 'http://b:9200']);
  assert.deepEqual(load({ cwd, env: { SLUICE_ES_URL: 'http://a:9200', SLUICE_ELASTICSEARCH__URLS: 'http://c:9200' } }).elasticsearch.urls, ['http://c:9200']);
});

#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with Node's built-in test runner.
// Usage: node scripts/test.js [substring…]   (only files whose path contains one of the substrings)
// tshark is installed by scripts/stack/ensure-tshark.sh when missing; suites that need a server
// start it themselves and skip loudly (fail under CI=true) when they cannot.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = walk(join(root, 'dist'), [])
  .filter((f) => !f.includes('/node_modules/'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('No test files found under dist/. Did the build run?');
  process.exit(1);
}
// tshark is the reference of the differential suites, tcpdump a live-capture tool: install them when missing (the suites say so
// loudly and skip when that fails; under CI=true they fail).
if (spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status !== 0 || spawnSync('tcpdump', ['--version'], { stdio: 'ignore' }).status !== 0) {
  spawnSync('bash', [join(root, 'scripts/stack/ensure-tshark.sh')], { stdio: 'inherit' });
}

// OpenSearch nodes for the engine suites: started here once for all test files, stopped after.
const env = { ...process.env };
const startedEngines = [];
/** Starts (or reuses) OpenSearch `version`.x and passes its URL to the tests. */
function startOpenSearch(version) {
  if (version === '3' && !hasJdk(21)) {
    console.error('*** no JDK 21 or newer under /usr/lib/jvm: OpenSearch 3.x needs one; its tests are skipped ***');
    env.SLUICE_TEST_OPENSEARCH3_URL = 'unavailable: no JDK 21 or newer on this machine';
    return;
  }
  const r = spawnSync(process.execPath, [join(root, 'scripts/stack/opensearch.mjs'), 'start', '--version', version], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith(`OPENSEARCH${version}_URL=`));
  if (r.status !== 0 || line === undefined) {
    console.error(`*** COULD NOT START OpenSearch ${version}.x (exit ${r.status}); its suites will skip, or fail under CI=true ***`);
    return;
  }
  const url = line.split(/\s+/)[0].slice(`OPENSEARCH${version}_URL=`.length);
  env[version === '2' ? 'SLUICE_TEST_OPENSEARCH_URL' : 'SLUICE_TEST_OPENSEARCH3_URL'] = url;
  if (line.includes('started=true')) startedEngines.push(version);
  console.error(`OpenSearch ${version}.x for the tests: ${url}`);
}
if (files.some((f) => f.includes('/integration/opensearch/'))) {
  for (const version of ['2', '3']) startOpenSearch(version);
}

// Elasticsearch 7.10.2 (OSS modules) for the same suites.
let startedEs7 = false;
if (files.some((f) => f.includes('/integration/opensearch/'))) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/stack/elasticsearch7.mjs'), 'start'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('ELASTICSEARCH7_URL='));
  if (r.status !== 0 || line === undefined) {
    console.error(`*** COULD NOT START Elasticsearch 7.10.2 (exit ${r.status}); its suites will skip, or fail under CI=true ***`);
  } else {
    env.SLUICE_TEST_ELASTICSEARCH7_URL = line.split(/\s+/)[0].slice('ELASTICSEARCH7_URL='.length);
    startedEs7 = line.includes('started=true');
    console.error(`Elasticsearch 7.10.2 for the tests: ${env.SLUICE_TEST_ELASTICSEARCH7_URL}`);
  }
}

// PostgreSQL (Debian's packages, a throwaway cluster) for the suites under test/integration/postgres/.
let startedPostgres = false;
if (files.some((f) => f.includes('/integration/postgres/')) && !env.SLUICE_TEST_POSTGRES_URL) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/stack/postgres.mjs'), 'start'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('POSTGRES_URL='));
  if (r.status !== 0 || line === undefined) {
    console.error(`*** COULD NOT START PostgreSQL (exit ${r.status}); its suites will skip, or fail under CI=true ***`);
  } else {
    env.SLUICE_TEST_POSTGRES_URL = line.split(/\s+/)[0].slice('POSTGRES_URL='.length);
    startedPostgres = line.includes('started=true');
    console.error(`PostgreSQL for the tests: ${env.SLUICE_TEST_POSTGRES_URL}`);
  }
}

// Kafka (KRaft, jars from Maven Central) and OpenSearch 2.x for the suites under test/integration/kafka/.
let startedKafka = false;
if (files.some((f) => f.includes('/integration/kafka/'))) {
  if (!env.SLUICE_TEST_OPENSEARCH_URL) startOpenSearch('2');
  const r = spawnSync(process.execPath, [join(root, 'scripts/stack/kafka.mjs'), 'start'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('KAFKA_URL='));
  if (r.status !== 0 || line === undefined) {
    console.error(`*** COULD NOT START Kafka (exit ${r.status}); its suites will skip, or fail under CI=true ***`);
  } else {
    env.SLUICE_TEST_KAFKA_URL = line.split(/\s+/)[0].slice('KAFKA_URL='.length);
    startedKafka = line.includes('started=true');
    console.error(`Kafka for the tests: ${env.SLUICE_TEST_KAFKA_URL}`);
  }
}

// Redis (Debian's redis-server, no persistence) for the suites under test/integration/redis/.
let startedRedis = false;
if (files.some((f) => f.includes('/integration/redis/')) && !env.SLUICE_TEST_REDIS_URL) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/stack/redis.mjs'), 'start'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('REDIS_URL='));
  if (r.status !== 0 || line === undefined) {
    console.error(`*** COULD NOT START Redis (exit ${r.status}); its suites will skip, or fail under CI=true ***`);
  } else {
    env.SLUICE_TEST_REDIS_URL = line.split(/\s+/)[0].slice('REDIS_URL='.length);
    startedRedis = line.includes('started=true');
    console.error(`Redis for the tests: ${env.SLUICE_TEST_REDIS_URL}`);
  }
}

let status = 1;
try {
  const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit', cwd: root, env });
  status = r.status ?? 1;
} finally {
  if (startedRedis) spawnSync(process.execPath, [join(root, 'scripts/stack/redis.mjs'), 'stop'], { cwd: root, stdio: 'inherit' });
  if (startedKafka) spawnSync(process.execPath, [join(root, 'scripts/stack/kafka.mjs'), 'stop'], { cwd: root, stdio: 'inherit' });
  if (startedPostgres) spawnSync(process.execPath, [join(root, 'scripts/stack/postgres.mjs'), 'stop'], { cwd: root, stdio: 'inherit' });
  if (startedEs7) spawnSync(process.execPath, [join(root, 'scripts/stack/elasticsearch7.mjs'), 'stop'], { cwd: root, stdio: 'inherit' });
  for (const version of startedEngines) {
    spawnSync(process.execPath, [join(root, 'scripts/stack/opensearch.mjs'), 'stop', '--version', version], { cwd: root, stdio: 'inherit' });
  }
}
process.exit(status);

/** True when a JDK of at least `major` is installed under /usr/lib/jvm. */
function hasJdk(major) {
  try {
    return readdirSync('/usr/lib/jvm').some((d) => {
      const m = /(?:^|[^0-9])(\d{2})(?:[^0-9]|$)/.exec(d);
      return m !== null && Number(m[1]) >= major;
    });
  } catch {
    return false;
  }
}

/**
 * Kafka, the broker of the `sluice ship` / `sluice consume` integration tests: a real single-node
 * KRaft broker started by scripts/stack/kafka.mjs (jars from Maven Central, no Docker).
 *
 * Where the address comes from, first match wins: SLUICE_TEST_KAFKA_URL (set by scripts/test.js),
 * then the state file `.stack/kafka.json` of a running `node scripts/stack/kafka.mjs start`.
 * When no broker is there the suites are skipped with a loud message; under CI=true a skipped suite
 * is a failure.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, skipWithoutServer, stackServerUrl } from './stack-server.js';

/** The repository root (this file runs from dist/test/support/). */
const ROOT = REPO_ROOT;
const ENV = 'SLUICE_TEST_KAFKA_URL';

/** `host:port` of the test broker, or undefined. */
export function kafkaUrl(): string | undefined {
  return stackServerUrl(ENV, 'kafka.json', /^[^\s:/]+:\d+$/);
}

/** The `skip` option for a suite that needs Kafka: false when a broker is there; a reason otherwise (throws under CI=true). */
export function skipWithoutKafka(): false | string {
  return skipWithoutServer(kafkaUrl(), 'Kafka test broker', ENV, 'node scripts/stack/kafka.mjs start');
}

/**
 * Restarts the broker started by scripts/stack/kafka.mjs on its log folder (topics and committed
 * offsets survive), as an operator's restart would; `kill` sends SIGKILL instead of SIGTERM. Runs in
 * a child process, so the clients under test live through the outage; resolves once the broker
 * serves metadata again.
 */
export function restartKafka(kill = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(ROOT, 'scripts/stack/kafka.mjs'), 'restart', ...(kill ? ['--kill'] : [])], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kafka.mjs restart failed (exit ${code}): ${err}`))));
  });
}

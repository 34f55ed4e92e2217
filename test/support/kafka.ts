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
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file runs from dist/test/support/). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ENV = 'SLUICE_TEST_KAFKA_URL';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `host:port` of the test broker, or undefined. */
export function kafkaUrl(): string | undefined {
  const fromEnv = process.env[ENV]?.trim();
  if (fromEnv) return /^[^\s:/]+:\d+$/.test(fromEnv) ? fromEnv : undefined;
  try {
    const s = JSON.parse(readFileSync(join(ROOT, '.stack', 'kafka.json'), 'utf8')) as { url?: string; pid?: number };
    if (typeof s.url === 'string' && Number.isInteger(s.pid) && pidAlive(s.pid!)) return s.url;
  } catch {
    /* none */
  }
  return undefined;
}

/** The `skip` option for a suite that needs Kafka: false when a broker is there; a reason otherwise (throws under CI=true). */
export function skipWithoutKafka(): false | string {
  if (kafkaUrl() !== undefined) return false;
  const v = process.env[ENV]?.trim();
  const why = v ? `${ENV}=${v}` : `${ENV} is unset and no broker from scripts/stack/kafka.mjs is running`;
  const msg = `no Kafka test broker (${why}): SKIPPING its tests (start one with \`node scripts/stack/kafka.mjs start\`)`;
  if (process.env.CI === 'true') throw new Error(`${msg}; under CI=true a skipped suite is a failure`);
  console.error(`\n*** ${msg} ***\n`);
  return msg;
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

/**
 * PostgreSQL for the integration tests: a throwaway server from Debian's packages started by
 * scripts/stack/postgres.mjs (scripts/test.js starts it when a selected test lives under
 * test/integration/postgres/).
 *
 * Where the URL comes from, first match wins:
 *   1. SLUICE_TEST_POSTGRES_URL (set by the test runner, or by you for a server of your own);
 *   2. the state file a running `node scripts/stack/postgres.mjs start` left in .stack/postgres.json.
 *
 * Without a server the suites skip with a loud message; under CI=true that is a failure. Each suite
 * works in a database of its own ({@link createTestDatabase}) and drops it afterwards.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ENV = 'SLUICE_TEST_POSTGRES_URL';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** URL of the test server, or undefined. */
export function postgresUrl(): string | undefined {
  const fromEnv = process.env[ENV]?.trim();
  if (fromEnv) return /^postgres(ql)?:\/\//i.test(fromEnv) ? fromEnv : undefined;
  try {
    const state = JSON.parse(readFileSync(join(ROOT, '.stack', 'postgres.json'), 'utf8')) as { url?: string; pid?: number };
    if (typeof state.url === 'string' && Number.isInteger(state.pid) && pidAlive(state.pid!)) return state.url;
  } catch {
    /* none */
  }
  return undefined;
}

/** The `skip` option of a suite that needs PostgreSQL: false, or the reason (throws under CI=true). */
export function skipWithoutPostgres(): false | string {
  if (postgresUrl() !== undefined) return false;
  const why = process.env[ENV]?.trim() ? `${ENV}=${process.env[ENV]?.trim()}` : `${ENV} is unset and no server from scripts/stack/postgres.mjs is running`;
  const msg = `no PostgreSQL test server (${why}): SKIPPING its tests (start one with \`node scripts/stack/postgres.mjs start\`)`;
  if (process.env.CI === 'true') throw new Error(`${msg}; under CI=true a skipped suite is a failure`);
  console.error(`\n*** ${msg} ***\n`);
  return msg;
}

/** Creates a fresh database `<prefix>_<random>` on the test server; `drop()` removes it. */
export async function createTestDatabase(prefix: string): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const base = postgresUrl();
  if (base === undefined) throw new Error('no PostgreSQL test server');
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

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
import { skipWithoutServer, stackServerUrl } from './stack-server.js';
import pg from 'pg';

const ENV = 'SLUICE_TEST_POSTGRES_URL';

/** URL of the test server, or undefined. */
export function postgresUrl(): string | undefined {
  return stackServerUrl(ENV, 'postgres.json', /^postgres(ql)?:\/\//i);
}

/** The `skip` option of a suite that needs PostgreSQL: false, or the reason (throws under CI=true). */
export function skipWithoutPostgres(): false | string {
  return skipWithoutServer(postgresUrl(), 'PostgreSQL test server', ENV, 'node scripts/stack/postgres.mjs start');
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

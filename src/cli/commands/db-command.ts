/**
 * `sluice db migrate` and `sluice db status`: the honeypot schema on SQLite (`<data_dir>/honeypot.db`)
 * or PostgreSQL (`postgres.url`). Migrating is idempotent and safe to run from several hosts at once
 * (Kysely's migration lock table serialises them).
 */
import type { HoneypotDbOptions } from '../../sinks/relational/open-honeypot-db.js';
import { processIO, type CommandIO } from '../output.js';

/** Options of {@link runDbCommand}. */
export interface DbCommandOptions {
  readonly database: HoneypotDbOptions;
  readonly action: 'migrate' | 'status';
  readonly output: 'table' | 'json';
}

/** Exit codes: 0 done (status: everything applied), 3 status found pending migrations. */
export async function runDbCommand(options: DbCommandOptions, io: CommandIO = processIO): Promise<number> {
  const { openHoneypotDb, checkHoneypotDb } = await import('../../sinks/relational/open-honeypot-db.js');
  const { migrateHoneypotDb, honeypotMigrationStatus } = await import('../../sinks/relational/migrate-honeypot-db.js');
  const h = await openHoneypotDb(options.database);
  try {
    await checkHoneypotDb(h);
    const ran = options.action === 'migrate' ? await migrateHoneypotDb(h) : [];
    const status = await honeypotMigrationStatus(h);
    const pending = status.filter((m) => m.executedAt === null).length;
    if (options.output === 'json') {
      io.stdout.write(JSON.stringify({ database: h.where, dialect: h.dialect, applied: ran.map((r) => r.migrationName), migrations: status, pending }) + '\n');
    } else {
      const lines = [`Honeypot database ${h.where} (${h.dialect}):`];
      for (const m of status) lines.push(`  ${m.executedAt ? 'applied' : 'PENDING'}  ${m.name}${m.executedAt ? `  (${m.executedAt})` : ''}`);
      if (options.action === 'migrate') lines.push(ran.length === 0 ? 'Already up to date.' : `Applied ${ran.length} migration(s): ${ran.map((r) => r.migrationName).join(', ')}.`);
      else if (pending > 0) lines.push(`${pending} migration(s) pending: run sluice db migrate.`);
      io.stdout.write(lines.join('\n') + '\n');
    }
    return options.action === 'status' && pending > 0 ? 3 : 0;
  } finally {
    await h.close();
  }
}

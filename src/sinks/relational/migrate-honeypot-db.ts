/** `sluice db migrate` / `status` for the honeypot schema, on either database. */
import { Migrator, type MigrationResult } from 'kysely';
import { HONEYPOT_MIGRATION_LOCK_TABLE, HONEYPOT_MIGRATION_TABLE, HoneypotMigrationProvider } from './honeypot-migrations.js';
import { honeypotDbError, type HoneypotDb } from './open-honeypot-db.js';

/** One migration and whether it ran. */
export interface HoneypotMigrationState {
  readonly name: string;
  /** ISO time it was applied, or null when pending. */
  readonly executedAt: string | null;
}

function migrator(h: HoneypotDb): Migrator {
  return new Migrator({
    db: h.db,
    provider: new HoneypotMigrationProvider(h.dialect),
    migrationTableName: HONEYPOT_MIGRATION_TABLE,
    migrationLockTableName: HONEYPOT_MIGRATION_LOCK_TABLE,
  });
}

/**
 * Applies every pending migration (in one transaction per migration on PostgreSQL; Kysely's
 * migration lock serialises concurrent `migrate` runs). Returns what ran; throws SLUICE_HONEYPOT_DB
 * when one fails (earlier ones stay applied).
 */
export async function migrateHoneypotDb(h: HoneypotDb): Promise<readonly MigrationResult[]> {
  let out;
  try {
    out = await migrator(h).migrateToLatest();
  } catch (err) {
    throw honeypotDbError(h, 'could not be migrated', err);
  }
  if (out.error) throw honeypotDbError(h, 'could not be migrated', out.error);
  return out.results ?? [];
}

/** Every known migration and whether it was applied. */
export async function honeypotMigrationStatus(h: HoneypotDb): Promise<readonly HoneypotMigrationState[]> {
  try {
    const list = await migrator(h).getMigrations();
    return list.map((m) => ({ name: m.name, executedAt: m.executedAt ? m.executedAt.toISOString() : null }));
  } catch (err) {
    throw honeypotDbError(h, 'could not be read', err);
  }
}

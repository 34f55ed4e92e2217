/**
 * The honeypot schema as Kysely migrations kept in code (no migration folder to ship or find), one
 * definition for both databases: {@link columnTypes} picks `uuid`/`timestamptz`/`jsonb` on
 * PostgreSQL and text on SQLite. Migrations are append-only: never edit one that shipped, add the
 * next (`0002_…`) instead.
 */
import { type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { deterministicUuid } from './deterministic-uuid.js';
import type { HoneypotDialect } from './honeypot-database.js';

/** Name of Kysely's bookkeeping tables (kept apart from any other migrations in the same database). */
export const HONEYPOT_MIGRATION_TABLE = 'sluice_honeypot_migration';
export const HONEYPOT_MIGRATION_LOCK_TABLE = 'sluice_honeypot_migration_lock';

interface ColumnTypes {
  readonly uuid: 'uuid' | 'text';
  readonly ts: 'timestamptz' | 'text';
  readonly json: 'jsonb' | 'text';
  readonly real: 'double precision' | 'real';
  readonly big: 'bigint' | 'integer';
}

function columnTypes(dialect: HoneypotDialect): ColumnTypes {
  return dialect === 'postgres'
    ? { uuid: 'uuid', ts: 'timestamptz', json: 'jsonb', real: 'double precision', big: 'bigint' }
    : { uuid: 'text', ts: 'text', json: 'text', real: 'real', big: 'integer' };
}

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the database as it is, not the current types */
function initial(dialect: HoneypotDialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('sessions')
        .addColumn('id', t.uuid, (c) => c.primaryKey())
        .addColumn('session', 'text', (c) => c.notNull())
        .addColumn('sensor', 'text')
        .addColumn('src_ip', 'text')
        .addColumn('src_port', 'integer')
        .addColumn('dst_ip', 'text')
        .addColumn('dst_port', 'integer')
        .addColumn('protocol', 'text')
        .addColumn('client_version', 'text')
        .addColumn('hassh', 'text')
        .addColumn('login_success', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('username', 'text')
        .addColumn('password', 'text')
        .addColumn('login_at', t.ts)
        .addColumn('connect_seen', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('closed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('started_at', t.ts, (c) => c.notNull())
        .addColumn('ended_at', t.ts)
        .addColumn('last_seen_at', t.ts, (c) => c.notNull())
        .addColumn('duration_secs', t.real)
        .addColumn('metadata', t.json, (c) => c.notNull())
        .addColumn('created_at', t.ts, (c) => c.notNull())
        .addColumn('updated_at', t.ts, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_started_at_idx').on('sessions').column('started_at').execute();
      await db.schema.createIndex('sessions_last_seen_at_idx').on('sessions').column('last_seen_at').execute();
      await db.schema.createIndex('sessions_src_ip_idx').on('sessions').column('src_ip').execute();

      const eventCols = (name: string) =>
        db.schema
          .createTable(name)
          .addColumn('id', t.uuid, (c) => c.primaryKey())
          .addColumn('event_id', 'text', (c) => c.notNull())
          .addColumn('session', 'text')
          .addColumn('src_ip', 'text')
          .addColumn('timestamp', t.ts, (c) => c.notNull());

      await eventCols('auth_attempts')
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('password', 'text', (c) => c.notNull())
        .addColumn('success', 'integer', (c) => c.notNull())
        .addColumn('credential_id', t.uuid, (c) => c.notNull())
        .addColumn('created_at', t.ts, (c) => c.notNull())
        .execute();
      await eventCols('commands')
        .addColumn('input', 'text', (c) => c.notNull())
        .addColumn('known', 'integer', (c) => c.notNull())
        .addColumn('created_at', t.ts, (c) => c.notNull())
        .execute();
      await eventCols('downloads')
        .addColumn('eventid', 'text', (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('outfile', 'text')
        .addColumn('filename', 'text')
        .addColumn('shasum', 'text')
        .addColumn('size', t.big)
        .addColumn('success', 'integer', (c) => c.notNull())
        .addColumn('created_at', t.ts, (c) => c.notNull())
        .execute();
      for (const table of ['auth_attempts', 'commands', 'downloads']) {
        // Usernames, passwords and command lines are attacker input up to 64 KB: no btree index on
        // them (PostgreSQL refuses index rows over ~2.7 KB). Analytics group them over a time range.
        await db.schema.createIndex(`${table}_session_idx`).on(table).column('session').execute();
        await db.schema.createIndex(`${table}_src_ip_idx`).on(table).column('src_ip').execute();
        await db.schema.createIndex(`${table}_timestamp_idx`).on(table).column('timestamp').execute();
      }
      await db.schema.createIndex('auth_attempts_credential_id_idx').on('auth_attempts').column('credential_id').execute();
      await db.schema.createIndex('downloads_shasum_idx').on('downloads').column('shasum').execute();

      await db.schema
        .createTable('raw_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('session', 'text')
        .addColumn('src_ip', 'text')
        .addColumn('eventid', 'text', (c) => c.notNull())
        .addColumn('timestamp', t.ts, (c) => c.notNull())
        .addColumn('original', 'text', (c) => c.notNull())
        .addColumn('created_at', t.ts, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('raw_events_session_idx').on('raw_events').column('session').execute();
      await db.schema.createIndex('raw_events_src_ip_idx').on('raw_events').column('src_ip').execute();
      await db.schema.createIndex('raw_events_timestamp_idx').on('raw_events').column('timestamp').execute();

      await db.schema
        .createTable('credentials')
        .addColumn('id', t.uuid, (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('password', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('successes', 'integer', (c) => c.notNull())
        .addColumn('first_seen', t.ts, (c) => c.notNull())
        .addColumn('last_seen', t.ts, (c) => c.notNull())
        .addColumn('created_at', t.ts, (c) => c.notNull())
        .addColumn('updated_at', t.ts, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('credentials_attempts_idx').on('credentials').column('attempts').execute();
      await db.schema.createIndex('credentials_last_seen_idx').on('credentials').column('last_seen').execute();

      await db.schema
        .createTable('ip_intelligence')
        .addColumn('id', t.uuid, (c) => c.primaryKey())
        .addColumn('ip', 'text', (c) => c.notNull().unique())
        .addColumn('country_iso_code', 'text')
        .addColumn('country_name', 'text')
        .addColumn('city_name', 'text')
        .addColumn('asn', t.big)
        .addColumn('as_org', 'text')
        .addColumn('first_seen', t.ts, (c) => c.notNull())
        .addColumn('last_seen', t.ts, (c) => c.notNull())
        .addColumn('sessions', 'integer', (c) => c.notNull())
        .addColumn('auth_attempts', 'integer', (c) => c.notNull())
        .addColumn('login_successes', 'integer', (c) => c.notNull())
        .addColumn('commands', 'integer', (c) => c.notNull())
        .addColumn('downloads', 'integer', (c) => c.notNull())
        .addColumn('metadata', t.json, (c) => c.notNull())
        .addColumn('created_at', t.ts, (c) => c.notNull())
        .addColumn('updated_at', t.ts, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ip_intelligence_country_idx').on('ip_intelligence').column('country_iso_code').execute();
      await db.schema.createIndex('ip_intelligence_asn_idx').on('ip_intelligence').column('asn').execute();
      await db.schema.createIndex('ip_intelligence_last_seen_idx').on('ip_intelligence').column('last_seen').execute();

      await db.schema
        .createTable('attack_patterns')
        .addColumn('id', t.uuid, (c) => c.primaryKey())
        .addColumn('rule_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('technique_ids', t.json, (c) => c.notNull())
        .addColumn('tactic', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('scope_key', 'text', (c) => c.notNull())
        .addColumn('src_ip', 'text')
        .addColumn('session', 'text')
        .addColumn('evidence_count', 'integer', (c) => c.notNull())
        .addColumn('evidence', t.json, (c) => c.notNull())
        .addColumn('first_seen', t.ts, (c) => c.notNull())
        .addColumn('last_seen', t.ts, (c) => c.notNull())
        .addColumn('created_at', t.ts, (c) => c.notNull())
        .addColumn('updated_at', t.ts, (c) => c.notNull())
        .addUniqueConstraint('attack_patterns_rule_scope_key', ['rule_id', 'scope', 'scope_key'])
        .execute();
      await db.schema.createIndex('attack_patterns_src_ip_idx').on('attack_patterns').column('src_ip').execute();
      await db.schema.createIndex('attack_patterns_session_idx').on('attack_patterns').column('session').execute();
      await db.schema.createIndex('attack_patterns_last_seen_idx').on('attack_patterns').column('last_seen').execute();
    },
    async down(db: Kysely<any>) {
      for (const table of ['attack_patterns', 'ip_intelligence', 'credentials', 'raw_events', 'downloads', 'commands', 'auth_attempts', 'sessions']) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
/**
 * What the writer needs to keep its rollups incremental (a batch costs the same on a store of any
 * size): `ip_usernames` (the distinct usernames each address tried, so the `distinct_usernames`
 * rule counts new names instead of re-reading every attempt of the address), an index on
 * `attack_patterns (scope, scope_key)` (the unique key starts with `rule_id`, so lookups by scope
 * scanned the table) and one on `auth_attempts (src_ip, timestamp)` (the brute-force rule reads
 * only the failures around each new failure). Existing stores are backfilled.
 */
function incrementalRollups(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('ip_usernames')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('ip_usernames_ip_idx').on('ip_usernames').column('ip').execute();
      await db.schema.createIndex('attack_patterns_scope_key_idx').on('attack_patterns').columns(['scope', 'scope_key']).execute();
      await db.schema.createIndex('auth_attempts_src_ip_timestamp_idx').on('auth_attempts').columns(['src_ip', 'timestamp']).execute();
      // Backfill in pages of addresses (the ids are computed here, not in SQL, to be the same on both databases).
      let after = '';
      for (;;) {
        const ips = (await db.selectFrom('auth_attempts').select('src_ip').distinct().where('src_ip', 'is not', null).where('src_ip', '>', after).orderBy('src_ip').limit(500).execute()).map((r) => r.src_ip as string);
        if (ips.length === 0) break;
        const pairs = await db.selectFrom('auth_attempts').select(['src_ip', 'username']).distinct().where('src_ip', 'in', ips).execute();
        const rows = pairs.map((p) => ({ id: ipUsernameId(p.src_ip as string, p.username as string), ip: p.src_ip, username: p.username }));
        for (let i = 0; i < rows.length; i += 300) await db.insertInto('ip_usernames').values(rows.slice(i, i + 300)).onConflict((oc) => oc.column('id').doNothing()).execute();
        after = ips[ips.length - 1];
      }
    },
    async down(db: Kysely<any>) {
      await db.schema.dropIndex('auth_attempts_src_ip_timestamp_idx').ifExists().execute();
      await db.schema.dropIndex('attack_patterns_scope_key_idx').ifExists().execute();
      await db.schema.dropTable('ip_usernames').ifExists().execute();
    },
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Id of an `ip_usernames` row. */
export function ipUsernameId(ip: string, username: string): string {
  return deterministicUuid('ip_username', `${ip}\0${username}`);
}

/** Kysely's MigrationProvider over the migrations above, for one dialect. */
export class HoneypotMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: HoneypotDialect) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return { '0001_initial': initial(this.dialect), '0002_incremental_rollups': incrementalRollups() };
  }
}

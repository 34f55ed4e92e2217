/**
 * The relational honeypot store: Cowrie sessions, logins, commands, downloads, credentials,
 * source addresses and attack patterns in PostgreSQL or SQLite through one Kysely code base.
 * See docs/reference/honeypot-analytics.md.
 */
export type { HoneypotDatabase, HoneypotDialect, SessionsTable, AuthAttemptsTable, CommandsTable, DownloadsTable, RawEventsTable, CredentialsTable, IpIntelligenceTable, AttackPatternsTable } from './honeypot-database.js';
export { openHoneypotDb, checkHoneypotDb, redactPostgresUrl, POSTGRES_POOL_DEFAULTS, type HoneypotDb, type HoneypotDbOptions, type PostgresConnectionOptions } from './open-honeypot-db.js';
export { migrateHoneypotDb, honeypotMigrationStatus, type HoneypotMigrationState } from './migrate-honeypot-db.js';
export { HoneypotStore, sessionId, credentialId, type HoneypotStoreItem, type HoneypotStoreOptions, type HoneypotWriteResult, type HoneypotRetentionReport } from './honeypot-store.js';
export { ATTACK_PATTERN_RULES, commandNames, commandMatches, type AttackPatternRule, type AttackPatternMatcher } from './attack-pattern-rules.js';
export { ingestCowrieFiles, cowrieFileId, type IngestCowrieFilesOptions, type IngestCowrieFilesResult } from './ingest-cowrie-files.js';
export { canonicalTimestamp } from './canonical-timestamp.js';
export { deterministicUuid } from './deterministic-uuid.js';

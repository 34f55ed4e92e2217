/**
 * Kysely table types of the honeypot store, identical on PostgreSQL and SQLite (see
 * docs/reference/honeypot-analytics.md). Column conventions shared by both databases:
 * - ids are UUIDs (`uuid` on PostgreSQL, text on SQLite) derived from the natural key
 *   ({@link deterministicUuid}), so writes are idempotent;
 * - timestamps are `timestamptz` on PostgreSQL and canonical ISO text on SQLite (always written as
 *   `YYYY-MM-DDTHH:MM:SS.ffffffZ`, see canonical-timestamp.ts);
 * - flags are integers 0/1 on both (SQLite has no boolean and `sum()` then works everywhere);
 * - JSON is `jsonb` on PostgreSQL and text on SQLite; always written as JSON text.
 */

/** One Cowrie session: upserted from every event that names it, so a missing `connect` does not matter. */
export interface SessionsTable {
  id: string;
  /** Cowrie's session id. */
  session: string;
  sensor: string | null;
  src_ip: string | null;
  src_port: number | null;
  dst_ip: string | null;
  dst_port: number | null;
  protocol: string | null;
  client_version: string | null;
  hassh: string | null;
  /** 1 once a login succeeded. */
  login_success: number;
  /** Credentials and time of the first successful login. */
  username: string | null;
  password: string | null;
  login_at: string | null;
  /** 1 when the `cowrie.session.connect` event was seen (0: the session was built from later events). */
  connect_seen: number;
  /** 1 when `cowrie.session.closed` was seen. */
  closed: number;
  /** Earliest event of the session (the connect when present). */
  started_at: string;
  /** Time of `cowrie.session.closed`. */
  ended_at: string | null;
  /** Latest event of the session. */
  last_seen_at: string;
  duration_secs: number | null;
  /** Flat JSON object: `arch`, `term_width`, `term_height`, `env.<NAME>` (client.var), … */
  metadata: string;
  created_at: string;
  updated_at: string;
}

/** One login attempt (`cowrie.login.success` / `cowrie.login.failed`). */
export interface AuthAttemptsTable {
  id: string;
  /** Event id (`<fileId>-<offset>`). */
  event_id: string;
  session: string | null;
  src_ip: string | null;
  timestamp: string;
  /** Empty string when the event carried none. */
  username: string;
  password: string;
  success: number;
  /** Id of the `credentials` row of this username/password. */
  credential_id: string;
  created_at: string;
}

/** One command line (`cowrie.command.input` / `.failed` / `.success`). */
export interface CommandsTable {
  id: string;
  event_id: string;
  session: string | null;
  src_ip: string | null;
  timestamp: string;
  input: string;
  /** 0 for `cowrie.command.failed` (the fake shell does not know it). */
  known: number;
  created_at: string;
}

/** One file transfer (`cowrie.session.file_download[.failed]`, `cowrie.session.file_upload`). */
export interface DownloadsTable {
  id: string;
  event_id: string;
  session: string | null;
  src_ip: string | null;
  timestamp: string;
  eventid: string;
  url: string | null;
  outfile: string | null;
  filename: string | null;
  shasum: string | null;
  size: number | null;
  success: number;
  created_at: string;
}

/** Every event as logged, for the session detail and re-processing. */
export interface RawEventsTable {
  /** Event id (`<fileId>-<offset>`): the primary key that makes replays no-ops. */
  id: string;
  session: string | null;
  src_ip: string | null;
  eventid: string;
  timestamp: string;
  /** The line (sanitised text). */
  original: string;
  created_at: string;
}

/** One distinct username/password pair, counts derived from `auth_attempts`. */
export interface CredentialsTable {
  id: string;
  username: string;
  password: string;
  attempts: number;
  successes: number;
  first_seen: string;
  last_seen: string;
  created_at: string;
  updated_at: string;
}

/** One source address: geo/ASN at first sight plus counts derived from the event tables. */
export interface IpIntelligenceTable {
  id: string;
  ip: string;
  country_iso_code: string | null;
  country_name: string | null;
  city_name: string | null;
  asn: number | null;
  as_org: string | null;
  first_seen: string;
  last_seen: string;
  sessions: number;
  auth_attempts: number;
  login_successes: number;
  commands: number;
  downloads: number;
  /** JSON: `continent_code`, `location` … */
  metadata: string;
  created_at: string;
  updated_at: string;
}

/** One detection of a rule (attack-pattern-rules.ts) for one source address or one session. */
export interface AttackPatternsTable {
  id: string;
  rule_id: string;
  name: string;
  /** JSON array of MITRE ATT&CK technique ids. */
  technique_ids: string;
  tactic: string;
  severity: string;
  /** `ip` or `session`. */
  scope: string;
  /** The address or the session id. */
  scope_key: string;
  src_ip: string | null;
  session: string | null;
  evidence_count: number;
  /** JSON array of strings (matched commands, URLs, usernames), at most 20. */
  evidence: string;
  first_seen: string;
  last_seen: string;
  created_at: string;
  updated_at: string;
}

/**
 * One username an address tried (any outcome), kept so the `distinct_usernames` rule counts only
 * names that are new for the address. Id: uuid of address + NUL + username.
 */
export interface IpUsernamesTable {
  id: string;
  ip: string;
  username: string;
}

/** The whole schema, for `Kysely<HoneypotDatabase>`. */
export interface HoneypotDatabase {
  sessions: SessionsTable;
  auth_attempts: AuthAttemptsTable;
  commands: CommandsTable;
  downloads: DownloadsTable;
  raw_events: RawEventsTable;
  credentials: CredentialsTable;
  ip_intelligence: IpIntelligenceTable;
  attack_patterns: AttackPatternsTable;
  ip_usernames: IpUsernamesTable;
}

/** Which database a store talks to. */
export type HoneypotDialect = 'postgres' | 'sqlite';

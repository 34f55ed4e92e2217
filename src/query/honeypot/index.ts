/** Honeypot analytics over the relational store (PostgreSQL or SQLite). See docs/reference/honeypot-analytics.md. */
export {
  HoneypotAnalytics, DEFAULT_TOP_LIMIT, type HoneypotTimeRange, type HoneypotSummary, type CredentialCount, type ValueCount, type CommandCount,
  type DownloadSummary, type AttackPatternHit, type HoneypotSessionDetail,
} from './honeypot-analytics.js';

/**
 * `sluice honeypot …`: analytics over the relational honeypot store (summary, credentials,
 * usernames, passwords, commands, downloads, patterns, session <id>), `ingest <files…>` for whole
 * Cowrie logs, and `retention --older-than 30d [--apply]`. Table output for people, JSON (one
 * document) for scripts. The store is SQLite in `<data_dir>/honeypot.db` unless PostgreSQL is chosen.
 */
import type { HoneypotDbOptions } from '../../sinks/relational/open-honeypot-db.js';
import { parseTimeBound } from '../../query/time-bound.js';
import { SluiceError } from '../../errors.js';
import { formatCount, processIO, type CommandIO } from '../output.js';
import { parseRetentionDuration } from './retention-command.js';

/** Which question {@link runHoneypotQuery} answers. */
export type HoneypotQueryKind = 'summary' | 'credentials' | 'usernames' | 'passwords' | 'commands' | 'downloads' | 'patterns' | 'session';

/** Options of {@link runHoneypotQuery}. */
export interface HoneypotQueryOptions {
  readonly database: HoneypotDbOptions;
  readonly what: HoneypotQueryKind;
  /** The Cowrie session id, for `session`. */
  readonly session?: string;
  /** Time bounds as `parseTimeBound` reads them (ISO, epoch seconds, `-24h`, `now`). */
  readonly since?: string;
  readonly until?: string;
  /** Rows of the top-N answers. Default 10. */
  readonly limit?: number;
  readonly output: 'table' | 'json';
  /** "Now", epoch ms (tests). */
  readonly now?: number;
}

/** A time bound as canonical text (`YYYY-MM-DDTHH:MM:SS.ffffffZ`). */
function boundIso(text: string | undefined, flag: string, now: number | undefined): string | undefined {
  if (text === undefined) return undefined;
  const ns = parseTimeBound(text, flag, now);
  const ms = Number(ns / 1_000_000n);
  const micros = Number((ns / 1000n) % 1000n);
  return new Date(ms).toISOString().slice(0, 23) + String(micros).padStart(3, '0') + 'Z';
}

/** Exit codes: 0 answered, 1 the session does not exist. */
export async function runHoneypotQuery(options: HoneypotQueryOptions, io: CommandIO = processIO): Promise<number> {
  const { HoneypotStore } = await import('../../sinks/relational/honeypot-store.js');
  const { HoneypotAnalytics } = await import('../../query/honeypot/honeypot-analytics.js');
  const range = { since: boundIso(options.since, '--since', options.now), until: boundIso(options.until, '--until', options.now) };
  const limit = options.limit ?? 10;
  if (options.what === 'session' && !options.session) throw new SluiceError('SLUICE_USAGE', 'sluice honeypot session needs a session id (the 12-character Cowrie session)');
  const store = await HoneypotStore.open({ db: options.database, migrate: true });
  try {
    const a = new HoneypotAnalytics(store.handle);
    let result: unknown;
    switch (options.what) {
      case 'summary': result = await a.summary(range, limit); break;
      case 'credentials': result = await a.topCredentials(range, limit); break;
      case 'usernames': result = await a.topUsernames(range, limit); break;
      case 'passwords': result = await a.topPasswords(range, limit); break;
      case 'commands': result = await a.topCommands(range, limit); break;
      case 'downloads': result = await a.downloads(range, limit); break;
      case 'patterns': result = await a.attackPatterns(range, limit); break;
      case 'session': result = await a.session(options.session!); break;
    }
    if (result === undefined) {
      io.stderr.write(`No session ${JSON.stringify(options.session)} in the honeypot database ${store.handle.where}.\n`);
      return 1;
    }
    if (options.output === 'json') {
      io.stdout.write(JSON.stringify(result) + '\n');
      return 0;
    }
    io.stdout.write(renderTable(options.what, result) + '\n');
    return 0;
  } finally {
    await store.close();
  }
}

/** Options of {@link runHoneypotIngest}. */
export interface HoneypotIngestOptions {
  readonly database: HoneypotDbOptions;
  readonly files: readonly string[];
  readonly output: 'table' | 'json';
  /** Add geo/ASN to new addresses (default true). */
  readonly geoip?: boolean;
  readonly batchEvents?: number;
  readonly maxFieldBytes?: number;
}

/** Reads whole Cowrie/HP_TI logs into the store (idempotent: a second run stores nothing new). */
export async function runHoneypotIngest(options: HoneypotIngestOptions, io: CommandIO = processIO): Promise<number> {
  const { HoneypotStore } = await import('../../sinks/relational/honeypot-store.js');
  const { ingestCowrieFiles } = await import('../../sinks/relational/ingest-cowrie-files.js');
  let geoip;
  if (options.geoip !== false) {
    const { GeoIpEnricher } = await import('../../enrichers/geoip/geoip-enricher.js');
    geoip = await GeoIpEnricher.open({ warn: (m) => io.stderr.write(m + '\n') });
  }
  const store = await HoneypotStore.open({ db: options.database, geoip });
  try {
    const r = await ingestCowrieFiles(options.files, store, { batchEvents: options.batchEvents, maxFieldBytes: options.maxFieldBytes });
    if (options.output === 'json') io.stdout.write(JSON.stringify(r) + '\n');
    else {
      const rej = Object.entries(r.rejected).map(([k, v]) => `${v} ${k}`).join(', ');
      io.stdout.write(`${formatCount(r.events)} events from ${r.files} file(s) into ${store.handle.where}: ${formatCount(r.inserted)} new, ${formatCount(r.duplicates)} already stored${rej ? `; lines skipped: ${rej}` : ''}.\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

/** Options of {@link runHoneypotRetention}. */
export interface HoneypotRetentionOptions {
  readonly database: HoneypotDbOptions;
  /** `30d`, `12h`, `2w`. */
  readonly olderThan: string;
  readonly apply: boolean;
  readonly output: 'table' | 'json';
  readonly now?: number;
}

/** Deletes sessions (and everything of them) older than an age; a dry run unless `apply`. */
export async function runHoneypotRetention(options: HoneypotRetentionOptions, io: CommandIO = processIO): Promise<number> {
  const olderThanMs = parseRetentionDuration(options.olderThan);
  const { HoneypotStore } = await import('../../sinks/relational/honeypot-store.js');
  const store = await HoneypotStore.open({ db: options.database });
  try {
    const r = await store.retention({ olderThanMs, apply: options.apply, now: options.now });
    if (options.output === 'json') {
      io.stdout.write(JSON.stringify({ olderThan: options.olderThan, ...r }) + '\n');
      return 0;
    }
    const total = r.tables.reduce((n, t) => n + t.rows, 0);
    const lines = [
      total === 0
        ? `Nothing in ${store.handle.where} is older than ${options.olderThan} (before ${r.cutoff}).`
        : r.dryRun
          ? `Would delete from ${store.handle.where} what is older than ${options.olderThan} (before ${r.cutoff}) — dry run, nothing deleted:`
          : `Deleted from ${store.handle.where} what is older than ${options.olderThan} (before ${r.cutoff}):`,
    ];
    if (total > 0) {
      lines.push(table(['TABLE', 'ROWS'], r.tables.map((t) => [t.table, formatCount(t.rows)]), [1]));
      if (r.dryRun) lines.push('Credentials, addresses and patterns that also have newer activity are kept and recounted. To delete, run again with --apply.');
    }
    io.stdout.write(lines.join('\n') + '\n');
    return 0;
  } finally {
    await store.close();
  }
}

/** A plain text table; columns in `right` are right-aligned. */
function table(head: readonly string[], rows: readonly (readonly string[])[], right: readonly number[] = []): string {
  const clip = (v: string) => (v.length > 80 ? v.slice(0, 79) + '…' : v).replace(/[\r\n\t]/g, ' ');
  const cells = rows.map((r) => r.map(clip));
  const widths = head.map((h, c) => Math.max(h.length, ...cells.map((r) => r[c].length)));
  const fmt = (r: readonly string[]) => r.map((v, c) => (right.includes(c) ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join('  ').trimEnd();
  return [fmt(head), ...cells.map(fmt)].join('\n');
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

/* eslint-disable @typescript-eslint/no-explicit-any -- the answers are rendered by shape */
function renderTable(what: HoneypotQueryKind, r: any): string {
  switch (what) {
    case 'summary': {
      const out = [
        `Period: ${r.since ?? 'beginning'} … ${r.until ?? 'now'} (activity ${r.firstSeen ?? '-'} … ${r.lastSeen ?? '-'})`,
        `Sessions: ${formatCount(r.sessions)} from ${formatCount(r.uniqueIps)} addresses; ${formatCount(r.sessionsWithLogin)} logged in`,
        `Logins: ${formatCount(r.loginAttempts)} attempts, ${formatCount(r.loginSuccesses)} succeeded, ${formatCount(r.loginFailures)} failed (success rate ${pct(r.loginSuccessRate)})`,
        `Distinct usernames: ${formatCount(r.uniqueUsernames)}, passwords: ${formatCount(r.uniquePasswords)}; commands: ${formatCount(r.commands)}; downloads: ${formatCount(r.downloads)}`,
        '',
        table(['COUNTRY', 'NAME', 'SESSIONS', 'IPS'], r.topCountries.map((c: any) => [c.countryIsoCode ?? '-', c.countryName ?? '(unknown)', formatCount(c.sessions), formatCount(c.ips)]), [2, 3]),
        '',
        table(['ASN', 'ORGANIZATION', 'SESSIONS', 'IPS'], r.topAsns.map((c: any) => [c.asn === null ? '-' : `AS${c.asn}`, c.organization ?? '(unknown)', formatCount(c.sessions), formatCount(c.ips)]), [2, 3]),
      ];
      return out.join('\n');
    }
    case 'credentials':
      return table(['USERNAME', 'PASSWORD', 'ATTEMPTS', 'OK', 'FIRST SEEN', 'LAST SEEN'], r.map((c: any) => [c.username, c.password, formatCount(c.attempts), formatCount(c.successes), c.firstSeen, c.lastSeen]), [2, 3]);
    case 'usernames':
    case 'passwords':
      return table([what === 'usernames' ? 'USERNAME' : 'PASSWORD', 'ATTEMPTS', 'OK', what === 'usernames' ? 'PASSWORDS' : 'USERNAMES'], r.map((c: any) => [c.value, formatCount(c.attempts), formatCount(c.successes), formatCount(c.distinctPairs)]), [1, 2, 3]);
    case 'commands':
      return table(['COUNT', 'SESSIONS', 'IPS', 'COMMAND'], r.map((c: any) => [formatCount(c.count), formatCount(c.sessions), formatCount(c.ips), c.input]), [0, 1, 2]);
    case 'downloads':
      return r.length === 0 ? 'No downloads.' : table(['COUNT', 'SHA256', 'URL', 'SIZE', 'LAST SEEN'], r.map((d: any) => [formatCount(d.count), d.shasum ?? '-', d.url ?? d.outfile ?? '-', d.size === null ? '-' : String(d.size), d.lastSeen]), [0, 3]);
    case 'patterns':
      return r.length === 0 ? 'No attack patterns detected.' : table(['RULE', 'ATT&CK', 'SCOPE', 'KEY', 'COUNT', 'LAST SEEN', 'EVIDENCE'], r.map((p: any) => [p.ruleId, p.techniqueIds.join(','), p.scope, p.scopeKey, formatCount(p.evidenceCount), p.lastSeen, p.evidence.slice(0, 3).join(' | ')]), [4]);
    case 'session': {
      const s = r.session;
      const out = [
        `Session ${s.session}  ${s.src_ip ?? '?'}:${s.src_port ?? '?'} → ${s.dst_ip ?? '?'}:${s.dst_port ?? '?'} ${s.protocol ?? ''}  sensor ${s.sensor ?? '-'}`,
        `Started ${s.started_at}, ended ${s.ended_at ?? '(not closed)'}${s.duration_secs !== null ? ` (${s.duration_secs} s)` : ''}${s.connect_seen ? '' : '  [connect event not seen]'}`,
        `Client ${s.client_version ?? '-'}  hassh ${s.hassh ?? '-'}  login ${s.login_success ? `succeeded as ${JSON.stringify(s.username)}/${JSON.stringify(s.password)}` : 'never succeeded'}`,
      ];
      if (r.ip) out.push(`Address ${r.ip.ip}: ${r.ip.country_name ?? 'unknown country'}${r.ip.asn ? `, AS${r.ip.asn} ${r.ip.as_org ?? ''}` : ''}; ${r.ip.sessions} sessions, ${r.ip.auth_attempts} logins seen from it`);
      if (r.authAttempts.length) out.push('', table(['TIME', 'RESULT', 'USERNAME', 'PASSWORD'], r.authAttempts.map((x: any) => [x.timestamp, x.success ? 'ok' : 'failed', x.username, x.password])));
      if (r.commands.length) out.push('', table(['TIME', 'COMMAND'], r.commands.map((x: any) => [x.timestamp, x.input + (x.knownToShell ? '' : '  (unknown to the shell)')])));
      if (r.downloads.length) out.push('', table(['TIME', 'EVENT', 'URL', 'SHA256'], r.downloads.map((x: any) => [x.timestamp, x.eventid, x.url ?? x.outfile ?? '-', x.shasum ?? '-'])));
      if (r.attackPatterns.length) out.push('', table(['PATTERN', 'ATT&CK', 'SCOPE'], r.attackPatterns.map((p: any) => [p.ruleId, p.techniqueIds.join(','), p.scope])));
      out.push('', `${r.rawEvents.length} raw events (--output json shows them).`);
      return out.join('\n');
    }
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

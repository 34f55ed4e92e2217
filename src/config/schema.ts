/**
 * The one schema of sluice's configuration (zod v3), grouped by namespace.
 *
 * Everything else is derived from it: the typed {@link SluiceConfig}, the environment variable and
 * flag names (`keys.ts`), the committed JSON Schema (`json-schema.ts`) and the key table of
 * `docs/reference/config.md`. Configuration flows schema → normalize (`normalize.ts`) → named
 * cross-field rules (`rules.ts`); do not put object-level refinements here, add a rule instead.
 *
 * Style rules (checked by `naming.test.ts`): snake_case keys; numeric keys carry their unit
 * (`flush_bytes`, `flush_interval_ms`, `timeout_secs`); no key ends in `_config` or repeats its
 * namespace (`log.level`, not `log.log_level`); every leaf has a description and a default unless
 * it is optional; secrets use {@link secret}. The walker in `keys.ts` supports exactly the zod
 * types used here and throws on anything else, so adding a new kind of type means teaching it first.
 */
import { z } from 'zod';
import { Secret } from './secret.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Schemas built by {@link secret}: the walker marks them as secrets (no flag, never echoed). */
export const SECRET_SCHEMAS = new WeakSet<z.ZodTypeAny>();

/** A secret string: non-empty, one line, wrapped in a {@link Secret} after validation. */
export function secret(description: string) {
  const schema = z
    .string()
    .min(1)
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain line breaks or other control characters')
    .transform((value) => new Secret(value))
    .describe(description);
  SECRET_SCHEMAS.add(schema);
  return schema;
}

/** An absolute http:// or https:// URL. */
function httpUrl() {
  return z.string().url().regex(/^https?:\/\//, 'must start with http:// or https://');
}

export const configSchema = z
  .object({
    data_dir: z
      .string()
      .min(1)
      .default('./sluice-data')
      .describe('Directory of the embedded SQLite store. Relative paths are resolved against the working directory.'),

    log: z
      .object({
        level: z
          .enum(['trace', 'debug', 'info', 'warn', 'error', 'silent'])
          .default('info')
          .describe('Lowest severity that is logged; `silent` logs nothing.'),
        format: z
          .enum(['auto', 'pretty', 'json'])
          .default('auto')
          .describe('`pretty` for humans, `json` for one JSON object per line (log shippers, journald), `auto`: pretty on a terminal, JSON otherwise.'),
        health_interval_secs: z
          .number()
          .int()
          .min(0)
          .max(86_400)
          .default(60)
          .describe('Seconds between two health log lines of a long-running command (memory, CPU, event-loop delay, backlog, disk free); 0 turns them off.'),
      })
      .strict()
      .default({})
      .describe('Logging.'),

    api: z
      .object({
        enabled: z.boolean().default(false).describe('Serve `/metrics` (Prometheus), `/healthz` and `/readyz` over HTTP while a long-running command (watch, capture) runs.'),
        address: z
          .string()
          .regex(/^(?:\[[0-9a-fA-F:.]+\]|[^\s:]+):\d{1,5}$/, 'use host:port, e.g. 127.0.0.1:9599 or [::1]:9599')
          .default('127.0.0.1:9599')
          .describe('`host:port` the HTTP endpoint listens on. Keep it on loopback unless a firewall guards it: it needs no credentials.'),
      })
      .strict()
      .default({})
      .describe('The operations endpoint of the daemon.'),

    ingest: z
      .object({
        batch_packets: z
          .number()
          .int()
          .min(1)
          .max(1_000_000)
          .default(1024)
          .describe('Packets decoded and written per batch (one store transaction per batch). 1024 costs no speed against 4096 and keeps the watch daemon ~35 MB smaller.'),
        read_chunk_bytes: z
          .number()
          .int()
          .min(64 * KiB)
          .max(256 * MiB)
          .default(256 * KiB)
          .describe('Bytes read from a capture file at a time (64 KiB to 256 MiB). 256 KiB reads as fast as 1 MiB and keeps the watch daemon ~30 MB smaller (fewer large blocks for the allocator to fragment).'),
        recursive: z.boolean().default(true).describe('Descend into sub-directories of directory inputs.'),
        follow_symlinks: z
          .boolean()
          .default(false)
          .describe('Follow symbolic links while walking directory inputs.'),
        to: z
          .enum(['local', 'elasticsearch'])
          .default('local')
          .describe('Where `sluice ingest` delivers documents: the embedded store (`local`) or Elasticsearch/OpenSearch (`elasticsearch`, see `elasticsearch.*`).'),
        dissector: z
          .enum(['native', 'tshark'])
          .default('native')
          .describe("Packet decoder: sluice's own (`native`: ECS documents, PCAP export) or Wireshark's (`tshark`: every protocol tshark knows, espcap-shaped documents in `tshark.index_pattern`; Elasticsearch/OpenSearch only, see `tshark.*`)."),
      })
      .strict()
      .default({})
      .describe('Reading and decoding capture files.'),

    output: z
      .enum(['table', 'json'])
      .default('table')
      .describe('Format of command results on stdout: `table` for humans, `json` for scripts.'),

    progress: z
      .enum(['auto', 'always', 'never'])
      .default('auto')
      .describe('Progress bar on stderr: `auto` shows it only when stderr is a terminal.'),

    store: z
      .object({
        backend: z.enum(['local']).default('local').describe('Where decoded records are stored; `local` is the embedded SQLite store under `data_dir`.'),
        local: z
          .object({
            synchronous: z
              .enum(['off', 'normal', 'full'])
              .default('normal')
              .describe('SQLite `PRAGMA synchronous` of the embedded store: `full` survives power loss, `off` is fastest.'),
            cache_mb: z
              .number()
              .int()
              .min(1)
              .max(65_536)
              .default(16)
              .describe('SQLite page cache of the embedded store, in MiB.'),
          })
          .strict()
          .default({})
          .describe('The embedded SQLite store (`store.backend: local`).'),
      })
      .strict()
      .default({})
      .describe('Where decoded records are kept.'),

    watch: z
      .object({
        dir: z
          .string()
          .min(1)
          .optional()
          .describe('Directory `sluice watch` watches when no directory is given on the command line. Relative paths are resolved against the working directory.'),
        stable_ms: z
          .number()
          .int()
          .min(0)
          .max(86_400_000)
          .default(5000)
          .describe('A capture is taken once its size and mtime did not change for this long.'),
        poll_interval_ms: z.number().int().min(10).max(3_600_000).default(1000).describe('Time between two scans of the watched directory.'),
        parallel_files_count: z.number().int().min(1).max(64).default(1).describe('Captures ingested at once. Decoding runs on one thread and SQLite has one writer, so more than 1 helps only when reading waits on slow storage or a slow engine, and each costs memory.'),
        after: z
          .enum(['keep', 'delete', 'move'])
          .default('keep')
          .describe('What happens to a capture once it is delivered (or found to be a copy of one that was): `keep`, `delete`, or `move` to `watch.archive_dir`.'),
        archive_dir: z
          .string()
          .min(1)
          .optional()
          .describe('Where `watch.after: move` puts captures, keeping their path relative to the watched directory and never overwriting. Required for `move`.'),
        quarantine_dir: z
          .string()
          .min(1)
          .optional()
          .describe('Where damaged captures go, each with a `<name>.reason.txt`. Default: `<data_dir>/quarantine`.'),
        min_free_mb: z
          .number()
          .int()
          .min(0)
          .max(100_000_000)
          .default(1024)
          .describe('Intake pauses (and says so) while the file system of the data directory has less free space than this; 0 turns the guard off.'),
      })
      .strict()
      .default({})
      .describe('`sluice watch`: a directory as a drop box for captures.'),

    tail: z
      .object({
        paths: z
          .array(z.string().min(1))
          .default([])
          .describe('Files or glob patterns `sluice tail` follows when none are given on the command line (`*`, `?`, `[..]`, `**`). In the environment: a comma-separated list.'),
        dataset: z
          .enum(['access', 'honeypot'])
          .default('access')
          .describe('What the followed files hold: web access logs (`access`, see `access_log.*`) or Cowrie/HP_TI honeypot JSON logs (`honeypot`, see `honeypot.*`).'),
        start_at: z
          .enum(['beginning', 'end'])
          .default('beginning')
          .describe('Where a file found at start without a checkpoint begins; files that appear later always begin at their start.'),
        poll_interval_ms: z.number().int().min(10).max(3_600_000).default(1000).describe('Time between two scans of the paths (a file-system watch wakes the scan sooner).'),
        fingerprint_bytes: z.number().int().min(16).max(1_048_576).default(1024).describe('Bytes of a file\'s head that identify it across renames, copies and restarts.'),
        max_line_bytes: z.number().int().min(256).max(256 * MiB).default(1 * MiB).describe('Longer lines are cut and flagged.'),
        batch_lines_count: z.number().int().min(1).max(1_000_000).default(1000).describe('Lines per batch handed to the sink.'),
        flush_interval_ms: z.number().int().min(10).max(600_000).default(1000).describe('A partly filled batch is handed to the sink after this long.'),
        rotate_wait_ms: z
          .number()
          .int()
          .min(0)
          .max(3_600_000)
          .default(5000)
          .describe('A rotated or deleted file is closed once read to its end and idle this long; its last line without a newline is then delivered.'),
      })
      .strict()
      .default({})
      .describe('`sluice tail`: following log files through rotation, with checkpoints that move only after the sink acknowledged.'),

    access_log: z
      .object({
        format: z
          .enum(['apache_common', 'apache_combined', 'apache_vhost_combined', 'nginx_combined', 'nginx_main', 'json'])
          .default('apache_combined')
          .describe('Format of web access logs: an Apache or nginx preset, or `json` (one JSON object per line).'),
        apache_log_format: z.string().min(1).optional().describe('An Apache `LogFormat` string (overrides `access_log.format`), e.g. `%h %l %u %t "%r" %>s %b`.'),
        nginx_log_format: z.string().min(1).optional().describe('An nginx `log_format` string (overrides `access_log.format`), e.g. `$remote_addr - $remote_user [$time_local] "$request" $status`.'),
        json_module: z.enum(['apache', 'nginx']).default('nginx').describe('`event.module` of JSON access logs.'),
        index_pattern: z
          .string()
          .min(1)
          .regex(/^(?:[a-z0-9._+-]|%[Ymd])+$/, 'use lower-case letters, digits, . _ - + and the date tokens %Y %m %d only')
          .default('sluice-access-%Y.%m.%d')
          .describe('Daily index of access-log documents; %Y %m %d are the UTC date of the request.'),
      })
      .strict()
      .default({})
      .describe('Web access logs (Apache, nginx, JSON).'),

    geoip: z
      .object({
        enabled: z.boolean().default(true).describe('Add `source.geo.*` and `source.as.*` to access-log and honeypot events.'),
        city_db_paths: z
          .array(z.string().min(1))
          .default([])
          .describe('MaxMind-format city or country databases (.mmdb, e.g. GeoLite2-City). Empty: the bundled @ip-location-db GeoLite2 city data.'),
        asn_db_paths: z
          .array(z.string().min(1))
          .optional()
          .describe('ASN databases (GeoLite2-ASN .mmdb or @ip-location-db .csv). Unset: the bundled @ip-location-db ASN ranges; an empty list: no AS numbers.'),
        cache_entries_count: z.number().int().min(0).max(10_000_000).default(10_000).describe('Addresses whose lookups are kept in memory (LRU).'),
      })
      .strict()
      .default({})
      .describe('GeoIP enrichment. A missing or broken database is a warning, never a failure.'),

    user_agent: z
      .object({
        enabled: z.boolean().default(true).describe('Parse `user_agent.original` into `user_agent.*` and flag bots and missing agents.'),
        cache_entries_count: z.number().int().min(0).max(10_000_000).default(10_000).describe('User-agent strings whose parse is kept in memory (LRU).'),
      })
      .strict()
      .default({})
      .describe('User-agent enrichment (ua-parser-js, isbot).'),

    threat: z
      .object({
        enabled: z.boolean().default(true).describe('Match web requests against the attack rules (`rule.*`, `threat.*`, `event.risk_score`, `event.kind: alert`).'),
        builtin_rules: z.boolean().default(true).describe('Use the rules shipped with sluice (rules/web-attacks.yaml).'),
        rules_paths: z
          .array(z.string().min(1))
          .default([])
          .describe('Extra rule files (YAML): they add rules, replace a rule by id, or switch one off with `enabled: false`.'),
      })
      .strict()
      .default({})
      .describe('Web-attack detection rules.'),

    honeypot: z
      .object({
        index_prefix: z
          .string()
          .min(1)
          .regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lower-case letters, digits, . _ - (not starting with - _ .)')
          .default('sluice-honeypot')
          .describe('Daily indices of honeypot events are `<prefix>-YYYY.MM.DD` (UTC).'),
        max_field_bytes: z.number().int().min(64).max(16 * MiB).default(65_536).describe('Longer values in a honeypot event are cut (and tagged).'),
        sensor_name: z.string().min(1).optional().describe('`observer.name` of events whose line names no sensor.'),
        session_memory_count: z
          .number()
          .int()
          .min(0)
          .max(10_000_000)
          .default(100_000)
          .describe('Sessions remembered to copy the connect event\'s ports and protocol onto later events of the same session.'),
        db: z
          .enum(['sqlite', 'postgres'])
          .default('sqlite')
          .describe('Relational store of sessions, logins, commands, downloads, credentials, IP intelligence and attack patterns: SQLite in `<data_dir>/honeypot.db`, or PostgreSQL (`postgres.*`).'),
      })
      .strict()
      .default({})
      .describe('Cowrie / HP_TI honeypot events.'),

    kafka: z
      .object({
        brokers: z
          .array(z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'use host:port'))
          .default([])
          .describe('Kafka brokers as host:port (`sluice ship`, `sluice consume`). In the environment: a comma-separated list.'),
        topic: z.string().min(1).regex(/^[a-zA-Z0-9._-]+$/, 'use letters, digits, . _ -').default('sluice-access').describe('Topic of access-log events.'),
        group: z.string().min(1).default('sluice-consume').describe('Consumer group of `sluice consume`: members of one group split the partitions.'),
        client_id: z.string().min(1).optional().describe('Kafka client id (default `sluice-ship` / `sluice-consume`).'),
        compression: z
          .enum(['lz4', 'snappy', 'gzip', 'none', 'zstd'])
          .default('lz4')
          .describe('Record compression of `sluice ship` (zstd needs Node.js 22.15 or newer).'),
        dlq_topic: z.string().min(1).optional().describe('Dead-letter topic for records `sluice consume` cannot use (default `<topic>-dlq`).'),
        partitions_count: z.number().int().min(1).max(10_000).default(4).describe('Partitions of the topic when `sluice ship` creates it.'),
        partition_by: z
          .enum(['document', 'file'])
          .default('document')
          .describe('Record key: the document id (spreads a file over all partitions) or the file identity (keeps each file in order on one partition).'),
        delivery_timeout_ms: z.number().int().min(1000).max(3_600_000).default(120_000).describe('How long `sluice ship` waits for the brokers to acknowledge a batch before it fails (its checkpoint stays).'),
        batch_records_count: z.number().int().min(1).max(100_000).default(1000).describe('Records `sluice consume` takes per fetch.'),
        session_timeout_ms: z.number().int().min(1000).max(3_600_000).default(10_000).describe('Group session timeout of `sluice consume`.'),
        reconnect_timeout_ms: z.number().int().min(0).max(86_400_000).default(120_000).describe('How long `sluice consume` keeps trying to rejoin after losing the brokers.'),
        breaker_failure_count: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .default(3)
          .describe('Failed requests in a row (after the client\'s own retries) that open the circuit breaker around the Kafka producer and the consumer\'s commits.'),
        breaker_reset_ms: z
          .number()
          .int()
          .min(100)
          .max(3_600_000)
          .optional()
          .describe('How long an open Kafka breaker waits before it lets one probe request through (default 5000 for `sluice ship`, 2000 for `sluice consume`).'),
        slow_request_ms: z
          .number()
          .int()
          .min(100)
          .max(3_600_000)
          .default(5000)
          .describe('A producer request unanswered this long counts as a breaker failure (a broker that went away is otherwise waited for, not failed).'),
      })
      .strict()
      .default({})
      .describe('Kafka between collection (`sluice ship`) and delivery (`sluice consume`).'),

    rate_limit: z
      .object({
        events_per_sec: z
          .number()
          .gt(0)
          .max(100_000_000)
          .optional()
          .describe('Events per second let through by `sluice tail` and `sluice consume` (per file or partition with `rate_limit.scope: source`); not set: no limit.'),
        burst_count: z
          .number()
          .int()
          .min(1)
          .max(100_000_000)
          .optional()
          .describe('Events let through at once after a quiet spell (the token bucket size). Default: one second\'s worth.'),
        mode: z
          .enum(['delay', 'drop'])
          .default('delay')
          .describe('Over the rate: `delay` holds the source back (nothing lost), `drop` leaves events out and counts them (`reason="rate_limited"`).'),
        scope: z.enum(['source', 'global']).default('source').describe('One bucket per file / Kafka partition, or one for everything.'),
      })
      .strict()
      .default({})
      .describe('Token-bucket rate limit between the log sources and their sink (see docs/reference/protection.md).'),

    redis: z
      .object({
        url: secret('Redis URL, `redis://[:password@]host:6379[/db]`: rate-limit buckets shared by several sluice processes. Not set: buckets in each process.').optional(),
        key_prefix: z.string().min(1).max(200).default('sluice:').describe('Prefix of the Redis keys sluice writes.'),
        connect_timeout_ms: z.number().int().min(100).max(600_000).default(2000).describe('How long to wait for Redis before falling back to local buckets (with a warning).'),
      })
      .strict()
      .default({})
      .describe('Optional Redis shared by several consumers.'),

    postgres: z
      .object({
        url: secret('PostgreSQL connection URL, `postgres://user:password@host:5432/database` (for `honeypot.db: postgres`).').optional(),
        pool_max_count: z.number().int().min(1).max(1000).default(10).describe('Most connections of the pool; further queries wait for one (see `postgres.pool_timeout_ms`).'),
        pool_timeout_ms: z
          .number()
          .int()
          .min(0)
          .max(3_600_000)
          .default(10_000)
          .describe('How long a query waits for a free connection or a new connection to be made before it fails (`SLUICE_HONEYPOT_DB`).'),
        idle_timeout_ms: z.number().int().min(0).max(86_400_000).default(30_000).describe('An idle pooled connection is closed after this long.'),
      })
      .strict()
      .default({})
      .describe('PostgreSQL connection (honeypot relational store).'),

    tshark: z
      .object({
        path: z.string().min(1).default('tshark').describe('The tshark executable used by `ingest.dissector: tshark` (a name looked up in PATH, or a path).'),
        index_pattern: z
          .string()
          .min(1)
          .regex(/^(?:[a-z0-9._+-]|%[Ymd])+$/, 'use lower-case letters, digits, . _ - + and the date tokens %Y %m %d only')
          .default('packets-%Y-%m-%d')
          .describe('Daily index of the tshark dissector; %Y %m %d are the UTC date of the packet (the original espcap used `packets-YYYY-MM-DD` in local time).'),
        field_limit_count: z
          .number()
          .int()
          .min(100)
          .max(100_000)
          .default(2000)
          .describe('Long-tail fields mapped per index when the engine has no `flat_object`/`flattened` catch-all; the rest are kept unindexed and counted in `sluice.overflow_fields`.'),
      })
      .strict()
      .default({})
      .describe('Wireshark deep dissection (`ingest.dissector: tshark`).'),

    capture: z
      .object({
        interface: z.string().min(1).optional().describe('Interface `sluice capture` reads (see `sluice capture --list-interfaces`).'),
        bpf: z.string().min(1).optional().describe('Capture filter in pcap-filter(7) syntax, applied by the capture tool.'),
        snaplen_bytes: z.number().int().min(1).max(262_144).optional().describe("Bytes kept of each packet (default: the capture tool's 262144)."),
        tool: z
          .enum(['auto', 'dumpcap', 'tcpdump'])
          .default('auto')
          .describe('Capture tool run as a child process: `auto` prefers dumpcap (package tshark) and falls back to tcpdump.'),
        dir: z
          .string()
          .min(1)
          .optional()
          .describe('Packet folder of the rolling capture files. Default: `<data_dir>/capture/<interface>`. Relative paths are resolved against the working directory.'),
        rotate_secs: z.number().int().min(0).max(86_400).default(10).describe('Start a new capture file every this many seconds (documents appear at each rotation); 0: never by time.'),
        rotate_bytes: z
          .number()
          .int()
          .min(0)
          .max(1_000_000_000_000)
          .default(64_000_000)
          .describe('Start a new capture file after this many bytes; 0: never by size.'),
        keep_files: z.boolean().default(true).describe('Keep capture files once they are ingested (for `sluice pcap` and re-ingest); `false` deletes each right after.'),
        min_free_mb: z
          .number()
          .int()
          .min(0)
          .max(100_000_000)
          .default(1024)
          .describe('Delete the oldest already-ingested capture files while the packet folder has less free disk than this; 0: off.'),
        max_dir_mb: z
          .number()
          .int()
          .min(0)
          .max(100_000_000)
          .default(0)
          .describe('Delete the oldest already-ingested capture files while the packet folder is larger than this; 0: no limit.'),
      })
      .strict()
      .default({})
      .describe('`sluice capture`: live capture through dumpcap or tcpdump.'),

    elasticsearch: z
      .object({
        urls: z
          .array(httpUrl())
          .default([])
          .describe('Elasticsearch nodes, e.g. `https://es1:9200`. In the environment: a comma-separated list.'),
        username: z.string().min(1).optional().describe('User name for HTTP basic authentication.'),
        password: secret('Password for HTTP basic authentication (requires `elasticsearch.username`).').optional(),
        api_key: secret('API key, as `id:key` or the base64 `encoded` value; alternative to username and password.').optional(),
        bearer_token: secret('Bearer token (`Authorization: Bearer …`, e.g. an Elasticsearch service-account or OAuth token); alternative to the other methods.').optional(),
        index_pattern: z
          .string()
          .min(1)
          .regex(/^(?:[a-z0-9._+-]|%[Ymd])+$/, 'use lower-case letters, digits, . _ - + and the date tokens %Y %m %d only')
          .default('sluice-packets-%Y.%m.%d')
          .describe('Daily index of packet documents; %Y %m %d are the UTC date of the packet (e.g. the original `packets-%Y-%m-%d`).'),
        data_stream: z
          .boolean()
          .default(false)
          .describe('Write packet documents to one data stream (named after index_pattern without its date, e.g. `sluice-packets`) instead of daily indices; the lifecycle policy then rolls it over.'),
        flush_bytes: z
          .number()
          .int()
          .min(64 * KiB)
          .max(256 * MiB)
          .default(5 * MiB)
          .describe('Send a bulk request once it holds this many bytes.'),
        flush_interval_ms: z
          .number()
          .int()
          .min(10)
          .max(600_000)
          .default(1000)
          .describe('Send a partly filled bulk request after this long.'),
        concurrency_count: z.number().int().min(1).max(64).default(2).describe('Bulk requests in flight at once.'),
        timeout_secs: z.number().int().min(1).max(3600).default(60).describe('Timeout of one request to one node.'),
        compression: z
          .enum(['auto', 'gzip', 'none'])
          .default('auto')
          .describe('Request bodies gzipped: `auto` gzips to remote nodes and sends plain bodies to loopback ones (where gzip only costs CPU).'),
        tls: z
          .object({
            ca_file: z
              .string()
              .min(1)
              .optional()
              .describe('PEM file of the certificate authority that signed the cluster certificate. Relative paths are resolved against the working directory.'),
            cert_file: z
              .string()
              .min(1)
              .optional()
              .describe('PEM client certificate for mutual TLS (with `elasticsearch.tls.key_file`). Relative paths are resolved against the working directory.'),
            key_file: z
              .string()
              .min(1)
              .optional()
              .describe('PEM private key (unencrypted) of `elasticsearch.tls.cert_file`. Keep it readable by the sluice user only.'),
            insecure: z
              .boolean()
              .default(false)
              .describe('Skip TLS certificate verification. For test clusters only.'),
          })
          .strict()
          .default({})
          .describe('TLS settings of the connection to Elasticsearch.'),
      })
      .strict()
      .default({})
      .describe('Elasticsearch / OpenSearch sink and connection.'),
  })
  .strict();

/** Readonly all the way down; {@link Secret} is kept as is. */
export type DeepReadonly<T> = T extends Secret
  ? T
  : T extends readonly (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** The validated configuration as {@link loadConfig} returns it (deeply frozen). */
export type SluiceConfig = DeepReadonly<z.output<typeof configSchema>>;

/**
 * The one table of sluice's error codes (like Fastify's lib/errors.js and undici's core/errors.js).
 *
 * Every error sluice raises on purpose is a {@link SluiceError} with a stable `code` from
 * {@link ERROR_CODES}, the pipeline `stage` it belongs to, and the original `cause`. Codes are never
 * reused once retired; `docs/reference/errors.md` is checked against this table by a test.
 */

/** Where in the pipeline an error arises (Vector's component stages). */
export type ErrorStage = 'config' | 'receiving' | 'processing' | 'sending' | 'usage' | 'storage';

/** Definition of one error code. */
export interface ErrorDefinition {
  readonly stage: ErrorStage;
  /** What the code means and what the user can do, one or two sentences. */
  readonly description: string;
}

/** Every error code sluice uses. Add new codes at the end of their group; never reuse a retired code. */
export const ERROR_CODES = {
  SLUICE_USAGE: { stage: 'usage', description: 'The command line is wrong (unknown option, missing argument, conflicting modes). Run the command with --help.' },
  SLUICE_CONFIG_INVALID: { stage: 'config', description: 'The merged configuration (flags, environment, .env, YAML file, defaults) failed validation; every problem is listed as path.to.key: message.' },
  SLUICE_CONFIG_FILE: { stage: 'config', description: 'The configuration file could not be read or is not valid YAML.' },
  SLUICE_INPUT_NOT_FOUND: { stage: 'receiving', description: 'An input path does not exist or cannot be read. Check the path and its permissions.' },
  SLUICE_CAPTURE_PROBLEM: { stage: 'receiving', description: 'A capture file is damaged or unsupported; packets before the fault were kept and the problem names file, byte offset and packet number.' },
  SLUICE_STORE_OPEN: { stage: 'storage', description: 'The embedded store under the data directory could not be opened or migrated. Check that the directory is writable and not used by an incompatible version.' },
  SLUICE_STORE_WRITE: { stage: 'storage', description: 'Writing to the embedded store failed (disk full, read-only file system). Nothing after the last committed batch was recorded as done; re-run the ingest after fixing the cause.' },
  SLUICE_QUERY_SYNTAX: { stage: 'usage', description: 'The query is not valid KQL; the message names the 1-based column and what was expected there. See docs/reference/query-language.md.' },
  SLUICE_QUERY_FIELD: { stage: 'usage', description: 'The query names a field that is not in the field catalog; the message suggests the closest known field names. See docs/reference/query-language.md.' },
  SLUICE_QUERY_VALUE: { stage: 'usage', description: 'A value in the query does not fit the type of its field (a port that is not a number, an invalid IP address or CIDR block, a bad date); the message names the column.' },
  SLUICE_ENGINE_OPTIONS: { stage: 'config', description: 'The Elasticsearch/OpenSearch connection options are unusable: a URL is not http(s), credentials are given twice, or a TLS file (elasticsearch.tls.ca_file, client certificate or key) cannot be read. The message names the option.' },
  SLUICE_ENGINE_UNREACHABLE: { stage: 'sending', description: 'No Elasticsearch/OpenSearch node could be reached (connection refused or reset, unknown host, or every node answered 502-504). The message lists each node and its failure; check elasticsearch.urls, the network and that the cluster is running.' },
  SLUICE_ENGINE_TIMEOUT: { stage: 'sending', description: 'Every Elasticsearch/OpenSearch node tried took longer than the request timeout. Check the health and load of the cluster, or raise the timeout.' },
  SLUICE_ENGINE_TLS: { stage: 'sending', description: 'The TLS connection to Elasticsearch/OpenSearch failed (unknown or self-signed certificate authority, host name mismatch, expired certificate, client certificate refused). Pass the CA with elasticsearch.tls.ca_file (--elasticsearch-tls-ca-file), fix the certificate, or for testing only set elasticsearch.tls.insecure (--elasticsearch-tls-insecure).' },
  SLUICE_ENGINE_AUTH: { stage: 'sending', description: 'Elasticsearch/OpenSearch refused the request: 401 means the credentials are wrong or missing (check elasticsearch.username/password or elasticsearch.api_key), 403 means the user lacks a privilege the message names.' },
  SLUICE_ENGINE_UNSUPPORTED: { stage: 'sending', description: 'The server at elasticsearch.urls is not a supported Elasticsearch (7.x-9.x) or OpenSearch (1.x-3.x): GET / did not return the expected JSON (for example an HTML page from a proxy or Kibana). Point elasticsearch.urls at the HTTP port of the cluster.' },
  SLUICE_CAPTURE_TOOL: { stage: 'receiving', description: 'Live capture needs dumpcap (apt-get install tshark) or tcpdump (apt-get install tcpdump) and neither, or not the one chosen with --tool, is installed or on PATH.' },
  SLUICE_CAPTURE_PERMISSION: { stage: 'receiving', description: 'The capture tool may not open the interface. Run sluice as root, or give the tool the capabilities: sudo setcap cap_net_raw,cap_net_admin=eip $(command -v dumpcap) (or tcpdump).' },
  SLUICE_CAPTURE_INTERFACE: { stage: 'usage', description: 'There is no network interface of that name. List the interfaces with sluice capture --list-interfaces.' },
  SLUICE_CAPTURE_FILTER: { stage: 'usage', description: 'The capture filter (--bpf) is not valid BPF; the message gives the capture tool\'s reason. See pcap-filter(7) for the syntax.' },
  SLUICE_CAPTURE_FAILED: { stage: 'receiving', description: 'The capture tool (dumpcap or tcpdump) stopped with an error; the message quotes it. Files captured before the error were still ingested.' },
  SLUICE_ENGINE_TEMPLATE: { stage: 'sending', description: 'Elasticsearch/OpenSearch refused the index template sluice installs (most often another template already matches the same index names with the same priority). The message quotes the engine; choose another index pattern, or change or remove the other template.' },
  SLUICE_RULES_INVALID: { stage: 'config', description: 'A threat rule file (rules/web-attacks.yaml or one named by threat.rules_paths) cannot be read or is invalid; the message names the file, the rule id and the field (for example a regular expression that does not compile, a score outside 0-100, an unknown MITRE ATT&CK technique). Fix the rule or remove the file from threat.rules_paths.' },
  SLUICE_TSHARK: { stage: 'receiving', description: 'tshark (Wireshark) could not be run for --dissector tshark: it is not installed, not on PATH, or tshark.path points elsewhere. Install it (apt-get install tshark) or set tshark.path; the native dissector (the default) needs no tshark.' },
  SLUICE_ACCESS_LOG_FORMAT: { stage: 'config', description: 'The access-log format cannot be used: no format or several are set (access_log.format, access_log.apache_log_format, access_log.nginx_log_format), the preset is unknown, or a LogFormat/log_format string is broken (an unclosed { or a lone %). The message names the problem; see docs/reference/access-logs.md.' },
  SLUICE_LOG_WRONG_KIND: { stage: 'receiving', description: 'A file given as an access log is an Apache or nginx error log (recognised from its first lines); nothing was read from it. Point the access-log input at the access log (Apache CustomLog, nginx access_log).' },
  SLUICE_HONEYPOT_DB: { stage: 'storage', description: 'The honeypot database could not be opened, reached or migrated: PostgreSQL at postgres.url refused the connection or the login, no pool connection became free within postgres.pool_timeout_ms, or the SQLite file <data_dir>/honeypot.db is not writable. The message names the database (never the password) and the cause; check the server, the URL and its credentials, or run sluice db migrate.' },
  SLUICE_KAFKA_OPTIONS: { stage: 'config', description: 'The Kafka options are unusable: no broker in kafka.brokers (--kafka-brokers host:port,…), an empty topic or group name, or a compression this Node.js cannot do (zstd needs Node.js 22.15 or newer: use lz4, snappy or gzip). The message names the option.' },
  SLUICE_KAFKA_UNREACHABLE: { stage: 'sending', description: "No Kafka broker in kafka.brokers answered a metadata request (connection refused, unknown host, or the broker is still starting). The message lists the brokers and the cause; check kafka.brokers, the network and that the broker's advertised.listeners name an address this host can reach." },
  SLUICE_KAFKA_PRODUCE: { stage: 'sending', description: 'Kafka did not acknowledge records within the delivery timeout (broker down for longer than kafka.delivery_timeout_ms, topic missing with auto-creation off, record too large, not authorised). The tail checkpoints stayed before the records, so a rerun sends them again and the engine keeps one copy of each (deterministic ids).' },
  SLUICE_KAFKA_CONSUME: { stage: 'receiving', description: 'The Kafka consumer group failed for good: the topic does not exist, the group could not be joined, or the engine refused to take the documents (the sink stopped). Offsets were committed only for delivered records, so a restart resumes without loss; the message names the topic, group and cause.' },
} as const satisfies Record<string, ErrorDefinition>;

/** A stable sluice error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with a stable code, the stage it belongs to and an optional cause. */
export class SluiceError extends Error {
  readonly code: ErrorCode;
  readonly stage: ErrorStage;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SluiceError';
    this.code = code;
    this.stage = ERROR_CODES[code].stage;
  }
}

/** True when `err` is a {@link SluiceError} (optionally with the given code). */
export function isSluiceError(err: unknown, code?: ErrorCode): err is SluiceError {
  return err instanceof SluiceError && (code === undefined || err.code === code);
}

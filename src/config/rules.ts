/**
 * Named cross-field rules, run after each key was validated and normalized. A rule runs only when
 * every key it reads is valid, so a bad key is reported once (by the schema), not again by a rule.
 */

export interface ConfigRule {
  /** Stable kebab-case name, shown as the problem's source (`rule <name>`). */
  readonly name: string;
  /** Keys the rule reads. */
  readonly paths: readonly string[];
  /** Problems found; `get` returns a key's validated, normalized value (`undefined` when unset). */
  check(get: (path: string) => unknown): { path: string; message: string }[];
}

export const CONFIG_RULES: readonly ConfigRule[] = [
  {
    name: 'password-requires-username',
    paths: ['elasticsearch.username', 'elasticsearch.password'],
    check: (get) =>
      get('elasticsearch.password') !== undefined && get('elasticsearch.username') === undefined
        ? [{ path: 'elasticsearch.password', message: 'requires elasticsearch.username' }]
        : [],
  },
  {
    name: 'one-auth-method',
    paths: ['elasticsearch.username', 'elasticsearch.api_key', 'elasticsearch.bearer_token'],
    check: (get) => {
      const given = ['elasticsearch.username', 'elasticsearch.api_key', 'elasticsearch.bearer_token'].filter((k) => get(k) !== undefined);
      return given.length > 1
        ? [{ path: given[1], message: 'choose one of basic auth (elasticsearch.username/password), elasticsearch.api_key or elasticsearch.bearer_token' }]
        : [];
    },
  },
  {
    name: 'client-cert-needs-key',
    paths: ['elasticsearch.tls.cert_file', 'elasticsearch.tls.key_file'],
    check: (get) => {
      const cert = get('elasticsearch.tls.cert_file') !== undefined;
      const key = get('elasticsearch.tls.key_file') !== undefined;
      if (cert === key) return [];
      return [{ path: cert ? 'elasticsearch.tls.key_file' : 'elasticsearch.tls.cert_file', message: 'mutual TLS needs both elasticsearch.tls.cert_file and elasticsearch.tls.key_file' }];
    },
  },
  {
    name: 'move-requires-archive-dir',
    paths: ['watch.after', 'watch.archive_dir'],
    check: (get) =>
      get('watch.after') === 'move' && get('watch.archive_dir') === undefined
        ? [{ path: 'watch.archive_dir', message: 'is required when watch.after is move (or pass --archive-dir)' }]
        : [],
  },
  {
    name: 'tshark-dissector-needs-engine',
    paths: ['ingest.dissector', 'ingest.to', 'elasticsearch.data_stream'],
    check: (get) => {
      if (get('ingest.dissector') !== 'tshark') return [];
      if (get('ingest.to') !== 'elasticsearch') return [{ path: 'ingest.dissector', message: 'tshark writes to Elasticsearch/OpenSearch only: also set ingest.to: elasticsearch (or pass --es-url)' }];
      if (get('elasticsearch.data_stream') === true) return [{ path: 'ingest.dissector', message: 'tshark writes daily indices (tshark.index_pattern), not a data stream: unset elasticsearch.data_stream' }];
      return [];
    },
  },
  {
    name: 'one-custom-log-format',
    paths: ['access_log.apache_log_format', 'access_log.nginx_log_format'],
    check: (get) =>
      get('access_log.apache_log_format') !== undefined && get('access_log.nginx_log_format') !== undefined
        ? [{ path: 'access_log.nginx_log_format', message: 'set either access_log.apache_log_format or access_log.nginx_log_format, not both' }]
        : [],
  },
  {
    name: 'postgres-needs-url',
    paths: ['honeypot.db', 'postgres.url'],
    check: (get) =>
      get('honeypot.db') === 'postgres' && get('postgres.url') === undefined
        ? [{ path: 'postgres.url', message: 'is required when honeypot.db is postgres (set SLUICE_POSTGRES__URL, or pass --pg-url)' }]
        : [],
  },
];

import type { FieldKind } from './format-segments.js';
import { nginxVariable } from './nginx-log-format.js';

/**
 * What a key of a JSON access log means. Defaults cover nginx `escape=json` formats written with
 * the variable names as keys (`"remote_addr": "$remote_addr"`), the usual short names (`ip`,
 * `method`, `status`, `bytes`, `ua`…) and Caddy/Traefik-like names; `access_log.json_fields` adds to
 * or overrides them. A target is a field kind, an nginx variable name, or — when it holds a dot —
 * an ECS path set verbatim (`"trace": "trace.id"`).
 */
export type JsonTarget = { kind: FieldKind | 'time_auto'; name: string } | { path: string };

const ALIASES: Record<string, FieldKind | 'time_auto'> = {
  ip: 'client',
  client_ip: 'client',
  clientip: 'client',
  remote_ip: 'client',
  remoteip: 'client',
  client: 'client',
  remote_addr: 'client',
  remote: 'client',
  x_forwarded_for: 'forwarded_for',
  xff: 'forwarded_for',
  forwarded_for: 'forwarded_for',
  http_x_forwarded_for: 'forwarded_for',
  user: 'user',
  user_name: 'user',
  username: 'user',
  remote_user: 'user',
  time: 'time_auto',
  timestamp: 'time_auto',
  '@timestamp': 'time_auto',
  ts: 'time_auto',
  date: 'time_auto',
  time_local: 'time_auto',
  time_iso8601: 'time_auto',
  msec: 'time_auto',
  request: 'request',
  request_line: 'request',
  method: 'method',
  verb: 'method',
  request_method: 'method',
  uri: 'url_original',
  url: 'url_original',
  request_uri: 'url_original',
  path: 'url_path',
  query: 'url_query',
  query_string: 'url_query',
  args: 'url_query',
  protocol: 'protocol',
  proto: 'protocol',
  http_version: 'protocol',
  server_protocol: 'protocol',
  status: 'status',
  status_code: 'status',
  response_code: 'status',
  bytes: 'body_bytes',
  size: 'body_bytes',
  body_bytes_sent: 'body_bytes',
  response_size: 'response_bytes',
  bytes_sent: 'response_bytes',
  request_length: 'request_bytes',
  referer: 'referrer',
  referrer: 'referrer',
  http_referer: 'referrer',
  http_referrer: 'referrer',
  user_agent: 'user_agent',
  useragent: 'user_agent',
  agent: 'user_agent',
  ua: 'user_agent',
  http_user_agent: 'user_agent',
  request_time: 'duration_s',
  duration: 'duration_s',
  response_time: 'duration_s',
  host: 'server_domain',
  vhost: 'server_domain',
  server_name: 'server_domain',
  http_host: 'server_domain_port',
};

const KINDS: ReadonlySet<string> = new Set([
  'client', 'client_ip', 'client_port', 'ident', 'user', 'time_http', 'time_iso', 'time_epoch_s', 'time_epoch_ms',
  'time_epoch_us', 'request', 'method', 'url_original', 'url_path', 'url_query', 'protocol', 'status', 'status_original',
  'body_bytes', 'response_bytes', 'request_bytes', 'referrer', 'user_agent', 'forwarded_for', 'duration_us',
  'duration_ms', 'duration_s', 'server_domain', 'server_domain_port', 'server_ip', 'server_port', 'scheme', 'pid',
  'tls_protocol', 'tls_cipher',
]);

/** The target of a JSON key: the configured one, else an alias, else an nginx variable, else undefined. */
export function jsonTarget(key: string, configured: Readonly<Record<string, string>> | undefined): JsonTarget | undefined {
  const c = configured?.[key];
  if (c !== undefined) return parseTarget(c, key);
  const k = key.toLowerCase();
  const alias = ALIASES[k];
  if (alias !== undefined) return { kind: alias, name: key };
  const v = nginxVariable(k);
  return v.kind === 'other' ? undefined : { kind: v.kind, name: key };
}

/** A configured target: a kind, an nginx variable (with or without `$`), or an ECS path. */
export function parseTarget(target: string, key: string): JsonTarget {
  if (KINDS.has(target) || target === 'time_auto') return { kind: target as FieldKind, name: key };
  const bare = target.startsWith('$') ? target.slice(1) : target;
  if (!bare.includes('.')) {
    const alias = ALIASES[bare.toLowerCase()];
    if (alias !== undefined) return { kind: alias, name: key };
    const v = nginxVariable(bare);
    if (v.kind !== 'other') return { kind: v.kind, name: key };
    return { kind: 'other', name: bare };
  }
  return { path: target };
}

import type { AccessLogModule } from './access-log-document.js';
import { parseApacheLogFormat } from './apache-log-format.js';
import { field, literal, optional, type Segment } from './format-segments.js';
import { parseNginxLogFormat } from './nginx-log-format.js';

/** The named formats (`access_log.format`). */
export const ACCESS_LOG_PRESETS = [
  'apache_common',
  'apache_combined',
  'apache_vhost_combined',
  'nginx_combined',
  'nginx_main',
  'json',
] as const;

/** A named access-log format. */
export type AccessLogPreset = (typeof ACCESS_LOG_PRESETS)[number];

/** The LogFormat / log_format strings the presets are written in by the servers' own configs. */
export const PRESET_FORMAT_STRINGS = {
  apache_common: '%h %l %u %t "%r" %>s %b',
  apache_combined: '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"',
  apache_vhost_combined: '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
  nginx_combined: '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"',
  nginx_main:
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"',
} as const;

const QUOTED = '([^"\\\\]*(?:\\\\.[^"\\\\]*)*)';
/**
 * The last quoted field, whose closing quote may be missing: a line cut short by the writer (the
 * Elastic example log has one) keeps its user agent instead of losing it.
 */
const LAST_QUOTED = `${QUOTED}(?:"|$)`;
/** A vhost before the client, as Filebeat accepts it: an IP or a name without ',' ':' '"', optional port. */
const VHOST_PREFIX = '((?:\\[[^\\]\\s]+\\]|[^\\s,:"\\[]+)(?::\\d{1,5})?)';
/** One address of a client list: never starts with '-' so the ident/user dashes are not taken. */
const ADDR = '[0-9A-Za-z_.:%\\[\\]][0-9A-Za-z_.:%\\[\\]-]*';
/** Filebeat's NGINX_ADDRESS_LIST: X-Forwarded-For entries written before the peer, quoted or not. */
const CLIENT_LIST = `("?${ADDR}(?:[",\\s]+${ADDR})*"?)`;

/**
 * The tolerant Apache pattern behind `apache_common` and `apache_combined`, as Filebeat's apache
 * module reads them: an optional virtual host before the client, and the referrer and user agent
 * optional, so common and combined lines (and mixtures) parse with either preset.
 */
function apacheTolerant(): Segment[] {
  return [
    optional(field('server_domain_port', '%v', VHOST_PREFIX), literal(' ')),
    // Never '-': with a vhost prefix the ident dash would otherwise pass for the client.
    field('client', '%h', '([^\\s-]\\S*)'),
    literal(' '),
    field('ident', '%l', '(\\S+)'),
    literal(' '),
    field('user', '%u'),
    literal(' '),
    field('time_http', '%t', '\\[([^\\]]*)\\]'),
    literal(' "'),
    field('request', '%r', QUOTED),
    literal('" '),
    field('status', '%>s'),
    literal(' '),
    field('body_bytes_clf', '%b'),
    optional(literal(' "'), field('referrer', '%{Referer}i', QUOTED), literal('"'), optional(literal(' "'), field('user_agent', '%{User-Agent}i', LAST_QUOTED))),
  ];
}

/**
 * The nginx combined pattern as Filebeat's nginx module reads it: an optional `host[:port]` before
 * the client, and the client position may hold the X-Forwarded-For chain followed by the peer
 * (`10.0.0.2, 10.0.0.1, 127.0.0.1 - - […]`, `"a, b" c - - […]`), from `real_ip`-style formats.
 */
function nginxTolerant(): Segment[] {
  return [
    optional(field('server_domain_port', '$host', VHOST_PREFIX), literal(' ')),
    field('client_list', '$remote_addr', CLIENT_LIST),
    literal(' - '),
    field('user', '$remote_user'),
    literal(' ['),
    field('time_http', '$time_local', '([^\\]]*)'),
    literal('] "'),
    field('request', '$request', QUOTED),
    literal('" '),
    field('status', '$status'),
    literal(' '),
    field('body_bytes', '$body_bytes_sent'),
    optional(literal(' "'), field('referrer', '$http_referer', QUOTED), literal('"'), optional(literal(' "'), field('user_agent', '$http_user_agent', LAST_QUOTED))),
  ];
}

/** Segments and module of a preset other than `json`. */
export function presetSegments(preset: Exclude<AccessLogPreset, 'json'>): { module: AccessLogModule; segments: Segment[] } {
  switch (preset) {
    case 'apache_common':
    case 'apache_combined':
      return { module: 'apache', segments: apacheTolerant() };
    case 'apache_vhost_combined':
      return { module: 'apache', segments: parseApacheLogFormat(PRESET_FORMAT_STRINGS.apache_vhost_combined) };
    case 'nginx_combined':
      return { module: 'nginx', segments: nginxTolerant() };
    case 'nginx_main':
      return { module: 'nginx', segments: parseNginxLogFormat(PRESET_FORMAT_STRINGS.nginx_main) };
  }
}

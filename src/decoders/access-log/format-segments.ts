/**
 * The intermediate form every access-log format compiles to: a sequence of literal text and fields,
 * each field naming the meaning of its value (its {@link FieldKind}). Apache `LogFormat` strings,
 * nginx `log_format` strings and the presets all become segments, and one compiler
 * (`compile-line-regex.ts`) turns segments into a single anchored regular expression.
 */

/**
 * What a captured value means. The document builder maps each kind to its ECS field(s);
 * `other` values go to `<module>.access.<name>` unchanged.
 */
export type FieldKind =
  | 'client' // %h, $remote_addr: host name or IP of the peer (nginx preset: a forwarded-for list may precede it)
  | 'client_list' // a list of addresses in the client position ("a, b c"), as Filebeat's nginx pattern accepts
  | 'client_ip' // %a: the client IP address
  | 'client_port' // %{remote}p, $remote_port
  | 'ident' // %l: identd name
  | 'user' // %u, $remote_user
  | 'time_http' // %t, $time_local: dd/Mon/yyyy:HH:MM:SS +zzzz
  | 'time_iso' // $time_iso8601
  | 'time_epoch_s' // %{sec}t, $msec (seconds with optional fraction)
  | 'time_epoch_ms' // %{msec}t
  | 'time_epoch_us' // %{usec}t
  | 'request' // %r, $request: the request line
  | 'method' // %m, $request_method
  | 'url_original' // $request_uri
  | 'url_path' // %U, $uri
  | 'url_query' // %q (with its '?'), $args, $query_string
  | 'protocol' // %H, $server_protocol: HTTP/1.1
  | 'status' // %>s, $status: final status
  | 'status_original' // %s, %<s: original status (before internal redirects)
  | 'body_bytes' // %B, $body_bytes_sent
  | 'body_bytes_clf' // %b: like %B but '-' for zero
  | 'response_bytes' // %O, $bytes_sent: whole response with headers
  | 'request_bytes' // %I, $request_length
  | 'transfer_bytes' // %S: bytes received and sent
  | 'referrer' // %{Referer}i, $http_referer
  | 'user_agent' // %{User-Agent}i, $http_user_agent
  | 'forwarded_for' // %{X-Forwarded-For}i, $http_x_forwarded_for
  | 'duration_us' // %D, %{us}T
  | 'duration_ms' // %{ms}T
  | 'duration_s' // %T, %{s}T, $request_time (seconds, fraction allowed)
  | 'server_domain' // %v, %V, $host, $server_name
  | 'server_domain_port' // 'host' or 'host:port' before the client (vhost prefixes)
  | 'server_ip' // %A, $server_addr
  | 'server_port' // %p, %{local}p, %{canonical}p, $server_port
  | 'scheme' // $scheme
  | 'pid' // %P, $pid
  | 'tid' // %{tid}P
  | 'tls_protocol' // %{SSL_PROTOCOL}x, $ssl_protocol
  | 'tls_cipher' // %{SSL_CIPHER}x, $ssl_cipher
  | 'other'; // anything else: kept as a string under <module>.access.<name>

/** One field of a format. */
export interface FieldSegment {
  readonly type: 'field';
  readonly kind: FieldKind;
  /**
   * For `other`: the name under `<module>.access.` (dotted for nesting, e.g. `request_header.host`).
   * For the rest: the directive or variable as written, used in messages.
   */
  readonly name: string;
  /**
   * A regular expression source with exactly one capturing group, matching the value as logged.
   * When absent the compiler chooses one from the kind and the surrounding literals.
   */
  readonly pattern?: string;
}

/** Literal text of a format ('"', ' [', ' - '…). */
export interface LiteralSegment {
  readonly type: 'literal';
  readonly text: string;
}

/** Segments that may be absent as a whole (presets only: Filebeat-style tolerance). */
export interface OptionalSegment {
  readonly type: 'optional';
  readonly segments: readonly Segment[];
}

/** A piece of a compiled access-log format. */
export type Segment = FieldSegment | LiteralSegment | OptionalSegment;

/** A literal segment. */
export function literal(text: string): LiteralSegment {
  return { type: 'literal', text };
}

/** A field segment. */
export function field(kind: FieldKind, name: string, pattern?: string): FieldSegment {
  return pattern === undefined ? { type: 'field', kind, name } : { type: 'field', kind, name, pattern };
}

/** An optional group of segments. */
export function optional(...segments: Segment[]): OptionalSegment {
  return { type: 'optional', segments };
}

/** Appends a literal, merging it with a literal just before (so the compiler sees whole literals). */
export function pushLiteral(out: Segment[], text: string): void {
  if (text === '') return;
  const last = out[out.length - 1];
  if (last !== undefined && last.type === 'literal') out[out.length - 1] = literal(last.text + text);
  else out.push(literal(text));
}

/** Field names of `other` values: lower case, anything but letters, digits and '_' becomes '_'. */
export function fieldName(raw: string): string {
  return raw.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'field';
}

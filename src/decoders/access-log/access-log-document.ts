import type { MalformedRequestReason } from './parse-request-line.js';

/** The web server family a format belongs to: `event.module`, and the namespace of its own fields. */
export type AccessLogModule = 'apache' | 'nginx';

/**
 * One access-log line as a nested ECS document (the shape Filebeat's apache/nginx modules produce;
 * see docs/reference/access-logs.md). Every line gives one: a line that does not parse has
 * `event.kind: 'pipeline_error'`, `error.message` and the line in `event.original`.
 *
 * Enrichers read `source.ip` (GeoIP, threat), `user_agent.original` (user agent, bots) and
 * `url.original` / `http.request.*` (threat); they add their own fields.
 */
export interface AccessLogDocument {
  '@timestamp'?: string;
  ecs: { version: string };
  event: {
    kind: 'event' | 'pipeline_error';
    category: ['web'];
    type: ['access'];
    module: AccessLogModule;
    dataset: 'apache.access' | 'nginx.access';
    /** The line as read, without its line ending. */
    original: string;
    outcome?: 'success' | 'failure';
    /** The UTC offset the server wrote (`+01:00`). */
    timezone?: string;
    /** Request duration in nanoseconds. */
    duration?: number;
  };
  log: { offset: number };
  source?: { address?: string; ip?: string; domain?: string; port?: number };
  destination?: { address?: string; ip?: string; domain?: string; port?: number };
  user?: { name: string };
  http?: {
    version?: string;
    request?: { method?: string; referrer?: string; bytes?: number };
    response?: { status_code?: number; bytes?: number; body?: { bytes: number } };
  };
  url?: { original?: string; path?: string; query?: string; extension?: string; fragment?: string; scheme?: string; domain?: string; port?: number };
  user_agent?: { original: string };
  tls?: { version?: string; version_protocol?: string; cipher?: string };
  process?: { pid?: number; thread?: { id: number } };
  related?: { ip?: string[]; user?: string[] };
  tags?: string[];
  error?: { message: string };
  sluice?: { access: { malformed?: MalformedRequestReason; request?: string } };
  apache?: { access: Record<string, unknown> };
  nginx?: { access: Record<string, unknown> };
}

/** Counters of one parser instance (plain numbers, read them whenever). */
export interface AccessLogStats {
  /** Lines that matched the format (including those with a malformed request or a bad time). */
  parsed: number;
  /** Lines that did not match: indexed with `error.message` and `event.original`. */
  unparsed: number;
  /** Parsed lines whose request line was malformed (`sluice.access.malformed`). */
  malformed: number;
}

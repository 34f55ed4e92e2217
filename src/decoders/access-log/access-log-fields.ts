import type { FieldKind } from './format-segments.js';
import { unescapeLogValue } from './unescape-log-value.js';

/** How the time value of a line is written. */
export type TimeKind = 'http' | 'iso' | 's' | 'ms' | 'us' | 'auto';

/**
 * The values of one line by meaning, before they become ECS. One instance per parser is reset and
 * refilled for every line (a flat, monomorphic scratch object: no per-line allocation for it).
 * Absent values are undefined; `-` and empty values are absent, except for the request line where
 * they are signals (`no_request`, `empty`).
 */
export class AccessLogFields {
  client: string | undefined;
  clientList: string | undefined;
  clientIp: string | undefined;
  clientPort: string | undefined;
  ident: string | undefined;
  user: string | undefined;
  time: string | undefined;
  timeKind: TimeKind = 'http';
  /** The request line as logged (escaped) and unescaped. */
  requestRaw: string | undefined;
  request: string | undefined;
  method: string | undefined;
  urlOriginal: string | undefined;
  urlPath: string | undefined;
  urlQuery: string | undefined;
  protocol: string | undefined;
  status: string | undefined;
  statusOriginal: string | undefined;
  bodyBytes: string | undefined;
  responseBytes: string | undefined;
  requestBytes: string | undefined;
  referrer: string | undefined;
  userAgent: string | undefined;
  forwardedFor: string | undefined;
  /** Duration value and its unit. */
  duration: string | undefined;
  durationUnit: 's' | 'ms' | 'us' = 's';
  serverDomain: string | undefined;
  serverDomainPort: string | undefined;
  serverIp: string | undefined;
  serverPort: string | undefined;
  scheme: string | undefined;
  pid: string | undefined;
  tid: string | undefined;
  tlsProtocol: string | undefined;
  tlsCipher: string | undefined;
  /** Pairs of (name under `<module>.access.`, value). */
  others: (string | number | boolean | object)[] = [];

  reset(): void {
    this.client = this.clientList = this.clientIp = this.clientPort = this.ident = this.user = undefined;
    this.time = undefined;
    this.timeKind = 'http';
    this.requestRaw = this.request = this.method = this.urlOriginal = this.urlPath = this.urlQuery = this.protocol = undefined;
    this.status = this.statusOriginal = this.bodyBytes = this.responseBytes = this.requestBytes = undefined;
    this.referrer = this.userAgent = this.forwardedFor = this.duration = undefined;
    this.durationUnit = 's';
    this.serverDomain = this.serverDomainPort = this.serverIp = this.serverPort = this.scheme = undefined;
    this.pid = this.tid = this.tlsProtocol = this.tlsCipher = undefined;
    if (this.others.length > 0) this.others = [];
  }

  /**
   * Records the value `raw` (as logged, escapes and all) of a field of kind `kind`; `name` is used
   * for `other` fields.
   */
  set(kind: FieldKind, name: string, raw: string): void {
    if (kind === 'request') {
      this.requestRaw = raw;
      this.request = unescapeLogValue(raw);
      return;
    }
    if (raw === '-' || raw === '') return;
    const v = unescapeLogValue(raw);
    switch (kind) {
      case 'client':
        this.client = v;
        break;
      case 'client_list':
        this.clientList = v;
        break;
      case 'client_ip':
        this.clientIp = v;
        break;
      case 'client_port':
        this.clientPort = v;
        break;
      case 'ident':
        this.ident = v;
        break;
      case 'user':
        this.user = v;
        break;
      case 'time_http':
        this.time = v;
        this.timeKind = 'http';
        break;
      case 'time_iso':
        this.time = v;
        this.timeKind = 'iso';
        break;
      case 'time_epoch_s':
        this.time = v;
        this.timeKind = 's';
        break;
      case 'time_epoch_ms':
        this.time = v;
        this.timeKind = 'ms';
        break;
      case 'time_epoch_us':
        this.time = v;
        this.timeKind = 'us';
        break;
      case 'method':
        this.method = v;
        break;
      case 'url_original':
        this.urlOriginal = v;
        break;
      case 'url_path':
        this.urlPath = v;
        break;
      case 'url_query':
        this.urlQuery = v.startsWith('?') ? v.slice(1) : v;
        break;
      case 'protocol':
        this.protocol = v;
        break;
      case 'status':
        this.status = v;
        break;
      case 'status_original':
        this.statusOriginal = v;
        break;
      case 'body_bytes':
      case 'body_bytes_clf':
        this.bodyBytes = v;
        break;
      case 'response_bytes':
        this.responseBytes = v;
        break;
      case 'request_bytes':
        this.requestBytes = v;
        break;
      case 'transfer_bytes':
        this.others.push('transfer_bytes', v);
        break;
      case 'referrer':
        this.referrer = v;
        break;
      case 'user_agent':
        this.userAgent = v;
        break;
      case 'forwarded_for':
        this.forwardedFor = v;
        break;
      case 'duration_us':
        this.duration = v;
        this.durationUnit = 'us';
        break;
      case 'duration_ms':
        this.duration = v;
        this.durationUnit = 'ms';
        break;
      case 'duration_s':
        this.duration = v;
        this.durationUnit = 's';
        break;
      case 'server_domain':
        this.serverDomain = v;
        break;
      case 'server_domain_port':
        this.serverDomainPort = v;
        break;
      case 'server_ip':
        this.serverIp = v;
        break;
      case 'server_port':
        this.serverPort = v;
        break;
      case 'scheme':
        this.scheme = v;
        break;
      case 'pid':
        this.pid = v;
        break;
      case 'tid':
        this.tid = v;
        break;
      case 'tls_protocol':
        this.tlsProtocol = v;
        break;
      case 'tls_cipher':
        this.tlsCipher = v;
        break;
      default:
        this.others.push(name, v);
    }
  }
}

import { ECS_VERSION } from '../../pipeline/packet-document.js';
import type { AccessLogDocument, AccessLogModule } from './access-log-document.js';
import type { AccessLogFields } from './access-log-fields.js';
import { isIpAddress, pickSourceAddress, splitAddressList } from './client-address.js';
import { parseEpoch, parseHttpDate, parseIsoDate, type LogTime } from './parse-log-time.js';
import { parseRequestLine } from './parse-request-line.js';
import { splitUrlInto } from './split-url.js';

/** Tag of documents whose request line is malformed (with the reason in `sluice.access.malformed`). */
export const MALFORMED_REQUEST_TAG = 'malformed_request';

/**
 * Remembers the last converted time: consecutive lines of a log mostly share their second, and
 * the date arithmetic plus `toISOString` is the most expensive part of a line.
 */
export class TimeCache {
  private lastText: string | undefined;
  private lastKind = '';
  private lastValue: LogTime | undefined;

  convert(text: string, kind: AccessLogFields['timeKind']): LogTime | undefined {
    if (text === this.lastText && kind === this.lastKind) return this.lastValue;
    let t: LogTime | undefined;
    switch (kind) {
      case 'http':
        t = parseHttpDate(text);
        break;
      case 'iso':
        t = parseIsoDate(text);
        break;
      case 'auto':
        t = /^\d+(?:\.\d+)?$/.test(text)
          ? parseEpoch(text, +text < 1e11 ? 's' : +text < 1e14 ? 'ms' : 'us')
          : (parseHttpDate(text) ?? parseIsoDate(text));
        break;
      default:
        t = parseEpoch(text, kind);
    }
    this.lastText = text;
    this.lastKind = kind;
    this.lastValue = t;
    return t;
  }
}

function int(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function stripBrackets(address: string): string {
  return address.length > 2 && address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
}

/** Sets `value` at the dotted `path` under `root`, creating objects on the way. */
function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  let obj = root;
  let start = 0;
  for (let dot = path.indexOf('.'); dot >= 0; dot = path.indexOf('.', start)) {
    const key = path.slice(start, dot);
    let next = obj[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      next = {};
      obj[key] = next;
    }
    obj = next as Record<string, unknown>;
    start = dot + 1;
  }
  obj[path.slice(start)] = value;
}

/** The document of a line that did not match its format. */
export function unparsedDocument(module: AccessLogModule, line: string, offset: number, message: string): AccessLogDocument {
  return {
    ecs: { version: ECS_VERSION },
    event: { kind: 'pipeline_error', category: ['web'], type: ['access'], module, dataset: `${module}.access`, original: line },
    log: { offset },
    error: { message },
  };
}

/**
 * Turns the values of one parsed line into its ECS document (docs/reference/access-logs.md).
 * Rules that follow Filebeat: `-` means absent; `source.address` is the client as written, or for a
 * client list the first public address (`pickSourceAddress`); `source.ip` when that is an IP,
 * `source.domain` otherwise; `event.outcome` is `success` below status 400.
 */
export function buildAccessDocument(
  f: AccessLogFields,
  module: AccessLogModule,
  line: string,
  offset: number,
  times: TimeCache,
  extraFields: Record<string, unknown> | undefined,
): AccessLogDocument {
  const event: AccessLogDocument['event'] = {
    kind: 'event',
    category: ['web'],
    type: ['access'],
    module,
    dataset: module === 'apache' ? 'apache.access' : 'nginx.access',
    original: line,
  };
  const doc: AccessLogDocument = { ecs: { version: ECS_VERSION }, event, log: { offset } };
  // `<module>.access.*`, made when a first value needs it.
  let own: Record<string, unknown> | undefined;
  let error: string | undefined;
  const related: string[] = [];

  // Time.
  if (f.time !== undefined) {
    const t = times.convert(f.time, f.timeKind);
    if (t === undefined) error = `the time ${JSON.stringify(f.time)} is not a valid date; @timestamp is not set`;
    else {
      doc['@timestamp'] = t.timestamp;
      if (t.timezone !== undefined) event.timezone = t.timezone;
    }
  }

  // Client: a list (forwarded-for chain + peer) or one address.
  let list: string[] | undefined;
  if (f.clientList !== undefined) list = splitAddressList(f.clientList);
  if (f.forwardedFor !== undefined) {
    const chain = splitAddressList(f.forwardedFor);
    const peer = f.client ?? f.clientIp;
    list = list !== undefined ? [...chain, ...list] : peer !== undefined ? [...chain, stripBrackets(peer)] : chain;
  }
  let address: string | undefined;
  if (list !== undefined && list.length > 0) {
    if (module === 'nginx' || list.length > 1 || f.forwardedFor !== undefined) (own ??= {}).remote_ip_list = list;
    address = pickSourceAddress(list);
    for (const a of list) if (isIpAddress(a) && !related.includes(a)) related.push(a);
  } else if (f.client !== undefined) {
    address = stripBrackets(f.client);
    if (module === 'nginx') (own ??= {}).remote_ip_list = [address];
  } else if (f.clientIp !== undefined) address = stripBrackets(f.clientIp);
  if (address !== undefined || f.clientPort !== undefined) {
    const source: NonNullable<AccessLogDocument['source']> = {};
    if (address !== undefined) {
      source.address = address;
      if (isIpAddress(address)) source.ip = address;
      else if (f.clientIp !== undefined && isIpAddress(stripBrackets(f.clientIp))) {
        source.ip = stripBrackets(f.clientIp);
        source.domain = address;
      } else source.domain = address;
    }
    const port = int(f.clientPort);
    if (port !== undefined) source.port = port;
    doc.source = source;
    if (source.ip !== undefined && !related.includes(source.ip)) related.unshift(source.ip);
  }

  // Server (destination).
  if (f.serverDomain !== undefined || f.serverDomainPort !== undefined || f.serverIp !== undefined || f.serverPort !== undefined) {
    const dest: NonNullable<AccessLogDocument['destination']> = {};
    let host = f.serverDomain;
    let port = int(f.serverPort);
    if (f.serverDomainPort !== undefined) {
      // host, host:port, [v6]:port; a bare IPv6 address (several colons) has no port.
      const v = f.serverDomainPort;
      const m = v.startsWith('[') ? /^\[([^\]]*)\](?::(\d{1,5}))?$/.exec(v) : /^([^:]*)(?::(\d{1,5}))?$/.exec(v);
      host ??= m !== null ? m[1] : v;
      if (m !== null && m[2] !== undefined) port ??= int(m[2]);
    }
    if (host !== undefined) {
      if (isIpAddress(host)) dest.ip = host;
      else dest.domain = host;
    }
    if (f.serverIp !== undefined) dest.ip = stripBrackets(f.serverIp);
    if (port !== undefined && port <= 65535) dest.port = port;
    doc.destination = dest;
    if (dest.ip !== undefined && !related.includes(dest.ip)) related.push(dest.ip);
  }

  if (f.user !== undefined) {
    doc.user = { name: f.user };
    doc.related = { user: [f.user] };
  }
  if (f.ident !== undefined) (own ??= {}).identity = f.ident;

  // Request.
  let method = f.method;
  let target = f.urlOriginal;
  let version = f.protocol !== undefined ? /^HTTP\/(\d+(?:\.\d+)?)$/i.exec(f.protocol)?.[1] : undefined;
  if (f.request !== undefined) {
    const r = parseRequestLine(f.request);
    method = r.method ?? method;
    target = f.urlOriginal ?? r.target;
    version = r.version ?? version;
    if (r.malformed !== undefined) {
      doc.tags = [MALFORMED_REQUEST_TAG];
      doc.sluice = { access: { malformed: r.malformed, request: f.requestRaw } };
    }
  }
  if (target === undefined && f.urlPath !== undefined) target = f.urlQuery !== undefined ? `${f.urlPath}?${f.urlQuery}` : f.urlPath;
  const http: NonNullable<AccessLogDocument['http']> = {};
  let httpUsed = false;
  if (version !== undefined) {
    http.version = version;
    httpUsed = true;
  }
  const request: NonNullable<NonNullable<AccessLogDocument['http']>['request']> = {};
  let requestUsed = false;
  if (method !== undefined) {
    request.method = method;
    requestUsed = true;
  }
  if (f.referrer !== undefined) {
    request.referrer = f.referrer;
    requestUsed = true;
  }
  const requestBytes = int(f.requestBytes);
  if (requestBytes !== undefined) {
    request.bytes = requestBytes;
    requestUsed = true;
  }
  if (requestUsed) {
    http.request = request;
    httpUsed = true;
  }

  const status = int(f.status ?? f.statusOriginal);
  const bodyBytes = int(f.bodyBytes);
  const responseBytes = int(f.responseBytes);
  if (status !== undefined || bodyBytes !== undefined || responseBytes !== undefined) {
    const response: NonNullable<NonNullable<AccessLogDocument['http']>['response']> = {};
    if (status !== undefined) {
      response.status_code = status;
      event.outcome = status < 400 ? 'success' : 'failure';
    }
    if (responseBytes !== undefined) response.bytes = responseBytes;
    if (bodyBytes !== undefined) response.body = { bytes: bodyBytes };
    http.response = response;
    httpUsed = true;
  }
  if (httpUsed) doc.http = http;

  if (target !== undefined) {
    const url: NonNullable<AccessLogDocument['url']> = { original: target };
    if (f.scheme !== undefined) url.scheme = f.scheme.toLowerCase();
    doc.url = splitUrlInto(target, url, f.urlPath);
  } else if (f.scheme !== undefined) doc.url = { scheme: f.scheme.toLowerCase() };

  if (f.userAgent !== undefined) doc.user_agent = { original: f.userAgent };

  if (f.duration !== undefined) {
    const d = Number(f.duration);
    if (Number.isFinite(d) && d >= 0) event.duration = Math.round(d * (f.durationUnit === 's' ? 1e9 : f.durationUnit === 'ms' ? 1e6 : 1e3));
  }

  if (f.tlsProtocol !== undefined || f.tlsCipher !== undefined) {
    const tls: NonNullable<AccessLogDocument['tls']> = {};
    if (f.tlsProtocol !== undefined) {
      // TLSv1.2 -> tls/1.2, TLSv1 -> tls/1.0, SSLv3 -> ssl/3.0 (Filebeat's apache script).
      const m = /^([A-Za-z]+)v(\d+(?:\.\d+)?)$/.exec(f.tlsProtocol);
      if (m !== null) {
        tls.version_protocol = m[1].toLowerCase();
        tls.version = m[2].includes('.') ? m[2] : `${m[2]}.0`;
      }
      (own ??= {}).ssl = { protocol: f.tlsProtocol };
    }
    if (f.tlsCipher !== undefined) tls.cipher = f.tlsCipher;
    doc.tls = tls;
  }

  const pid = int(f.pid);
  const tid = int(f.tid);
  if (pid !== undefined || tid !== undefined) {
    doc.process = {};
    if (pid !== undefined) doc.process.pid = pid;
    if (tid !== undefined) doc.process.thread = { id: tid };
  }

  const others = f.others;
  for (let i = 0; i < others.length; i += 2) setPath((own ??= {}), others[i] as string, others[i + 1]);
  if (own !== undefined) {
    if (module === 'nginx') doc.nginx = { access: own };
    else doc.apache = { access: own };
  }
  if (extraFields !== undefined) for (const k in extraFields) setPath(doc as unknown as Record<string, unknown>, k, extraFields[k]);

  if (related.length > 0) (doc.related ??= {}).ip = related;
  if (error !== undefined) doc.error = { message: error };
  return doc;
}

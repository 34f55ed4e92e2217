/**
 * Why a logged request line is not a well-formed `METHOD target HTTP/x.y` (the value of
 * `sluice.access.malformed`). Each is a signal worth keeping: scanners, protocol probes sent to a
 * web port, clients that connect and say nothing.
 */
export type MalformedRequestReason =
  /** `""`: the client sent an empty line (nginx logs it with status 400). */
  | 'empty'
  /** `"-"`: no request at all (Apache's 408 after a connection that sent nothing). */
  | 'no_request'
  /** Control or non-text bytes, e.g. `\x16\x03\x01` — a TLS ClientHello sent to a plain-HTTP port. */
  | 'binary'
  /** Another protocol's greeting: `SSH-2.0-…`, `RFB 003.008`, `SIP/2.0 …`, an HTTP status line. */
  | 'protocol_banner'
  /** The method is not an HTTP token (RFC 9110 §5.6.2), e.g. a JSON body sent as the request line. */
  | 'invalid_method'
  /** A method alone (`GET`). */
  | 'missing_target'
  /** A method and target but no `HTTP/x` (HTTP/0.9 style, common in probes). */
  | 'missing_protocol'
  /** A third word that is not `HTTP/x.y` (`RTSP/1.0`, `FOO`). */
  | 'invalid_protocol'
  /** Unencoded spaces in the target (`GET /a b HTTP/1.1`): invalid HTTP, typical of hand-made attacks. */
  | 'space_in_target'
  /** A target longer than {@link LONG_TARGET} characters (overflow attempts, huge injections). */
  | 'long_target';

/** Targets longer than this are flagged `long_target` (8 KiB: Apache's and nginx's default limits). */
export const LONG_TARGET = 8190;

/** The parts of a request line; fields that could not be read are undefined. */
export interface RequestLine {
  method: string | undefined;
  target: string | undefined;
  /** `1.1` from `HTTP/1.1` (ECS `http.version`). */
  version: string | undefined;
  malformed: MalformedRequestReason | undefined;
}

/** RFC 9110 tchar: the characters a method token may contain. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HTTP_VERSION = /^HTTP\/(\d+(?:\.\d+)?)$/;
const OTHER_PROTOCOL = /^[A-Za-z][A-Za-z0-9-]*\/\d+(?:\.\d+)*$/;
/** C0 controls, DEL, C1 controls and the replacement character (bytes that were not text). */
const BINARY = /[\x00-\x1f\x7f-\x9f\ufffd]/;
const BANNER = /^(?:SSH-\d|RFB \d{3}\.\d{3}|SIP\/\d|HTTP\/\d(?:\.\d)? \d{3}|RTSP\/\d(?:\.\d)? \d{3}|220[ -])/;

/**
 * Splits a logged request line (already unescaped) into method, target and version, and says why
 * it is malformed when it is. Never throws; whatever can be read is returned.
 */
export function parseRequestLine(line: string): RequestLine {
  const r: RequestLine = { method: undefined, target: undefined, version: undefined, malformed: undefined };
  if (line === '') {
    r.malformed = 'empty';
    return r;
  }
  if (line === '-') {
    r.malformed = 'no_request';
    return r;
  }
  // Every banner starts with S, R, H or 2: other lines skip the regular expression.
  const c0 = line.charCodeAt(0);
  if ((c0 === 0x53 || c0 === 0x52 || c0 === 0x48 || c0 === 0x32) && BANNER.test(line)) {
    r.malformed = 'protocol_banner';
    return r;
  }
  if (BINARY.test(line)) {
    r.malformed = 'binary';
    return r;
  }
  const s1 = line.indexOf(' ');
  const method = s1 < 0 ? line : line.slice(0, s1);
  if (method !== 'GET' && method !== 'POST' && method !== 'HEAD' && !TOKEN.test(method)) {
    r.malformed = 'invalid_method';
    return r;
  }
  r.method = method;
  if (s1 < 0) {
    r.malformed = 'missing_target';
    return r;
  }
  const rest = line.slice(s1 + 1);
  const s2 = rest.lastIndexOf(' ');
  const last = s2 < 0 ? rest : rest.slice(s2 + 1);
  const version = last === 'HTTP/1.1' ? '1.1' : last === 'HTTP/1.0' ? '1.0' : HTTP_VERSION.exec(last)?.[1];
  if (version !== undefined) {
    r.version = version;
    if (s2 < 0) {
      r.malformed = 'missing_target';
      return r;
    }
    r.target = rest.slice(0, s2);
  } else if (s2 >= 0 && OTHER_PROTOCOL.test(last)) {
    r.target = rest.slice(0, s2);
    r.malformed = 'invalid_protocol';
  } else {
    r.target = rest;
    r.malformed = 'missing_protocol';
  }
  if (r.target.length > LONG_TARGET) r.malformed ??= 'long_target';
  else if (r.target.includes(' ') || r.target === '') r.malformed ??= 'space_in_target';
  return r;
}

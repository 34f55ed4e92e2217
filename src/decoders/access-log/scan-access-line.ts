/**
 * Hand-written scanners for the tolerant presets (`apache_common` / `apache_combined`, and
 * `nginx_combined` with a plain client): the same values as their regular expressions
 * (access-log-presets.ts, `apacheTolerant` / `nginxTolerant`), read in one pass over the line by
 * position, for the lines that make up nearly every real log. It never guesses: when a line
 * has anything the scanner does not settle with certainty (a character outside printable ASCII
 * before the time, a `[` or `"` there, a status that is not digits, text glued to a field…) it
 * answers false and the parser runs the regular expression, which stays the definition of the
 * format. A differential property test (scan-access-line.test.ts) holds the two together.
 */
import type { AccessLogFields } from './access-log-fields.js';

const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DASH = 0x2d;
const COLON = 0x3a;
const COMMA = 0x2c;

/**
 * Index of the quote closing a quoted value that starts at `from` (`[^"\\]*(?:\\.[^"\\]*)*"`);
 * -2 when the line ends first (a last value cut short can still be taken), -1 when it ends on a
 * dangling backslash (`\\.` needs a character after it: nothing matches). `backslash` is the first
 * backslash at or after `from`, or -1.
 */
function closingQuote(line: string, from: number, backslash: number): number {
  const q = line.indexOf('"', from);
  // No backslash from here to the quote (the common case): the native search is all it takes.
  if (backslash < 0 || backslash > q) {
    if (q >= 0) return q;
    return backslash < 0 ? -2 : escapedEnd(line, from);
  }
  return escapedEnd(line, from);
}

function escapedEnd(line: string, from: number): number {
  const n = line.length;
  for (let i = from; i < n; i++) {
    const c = line.charCodeAt(i);
    if (c === QUOTE) return i;
    if (c === BACKSLASH) {
      if (i + 1 >= n) return -1;
      i++;
    }
  }
  return -2;
}

/** True for `-` or one or more ASCII digits (the pattern `(-|\d+)`) in `line[from, to)`. */
function numberOrDash(line: string, from: number, to: number): boolean {
  if (to <= from) return false;
  if (to - from === 1 && line.charCodeAt(from) === DASH) return true;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** True when `line[from, to)` matches the vhost prefix without brackets: `[^\s,:"\[]+(?::\d{1,5})?`. */
function isVhost(line: string, from: number, to: number): boolean {
  let i = from;
  while (i < to) {
    const c = line.charCodeAt(i);
    if (c === COLON) break;
    if (c === COMMA) return false;
    i++;
  }
  if (i === from) return false;
  if (i === to) return true;
  const digits = to - i - 1;
  if (digits < 1 || digits > 5) return false;
  for (let j = i + 1; j < to; j++) {
    const c = line.charCodeAt(j);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * Reads an `apache_common` / `apache_combined` line into `f` (as the regular expression's captures
 * would be, in the same order). Returns false, leaving `f` to be reset, when the line is not one the
 * scanner settles: the caller then runs the regular expression.
 */
export function scanApacheLine(line: string, f: AccessLogFields): boolean {
  // The head before the time: `[vhost ]client ident user`, printable ASCII without '"' or '['.
  const open = line.indexOf('[');
  if (open < 5 || line.charCodeAt(open - 1) !== SPACE) return false;
  const headEnd = open - 1;
  let s1 = -1;
  let s2 = -1;
  let s3 = -1;
  for (let i = 0; i < headEnd; i++) {
    const c = line.charCodeAt(i);
    if (c < SPACE || c > 0x7e || c === QUOTE) return false;
    if (c === SPACE) {
      if (s1 < 0) s1 = i;
      else if (s2 < 0) s2 = i;
      else if (s3 < 0) s3 = i;
    }
  }
  if (s2 < 0) return false;
  // The regular expression tries the vhost prefix first: it holds when the first word is a vhost,
  // and the next two are a client (not starting with '-') and an ident.
  let clientStart = 0;
  if (s3 >= 0 && isVhost(line, 0, s1) && s2 > s1 + 1 && line.charCodeAt(s1 + 1) !== DASH && s3 > s2 + 1) {
    clientStart = s1 + 1;
    s1 = s2;
    s2 = s3;
  }
  // client `[^\s-]\S*`, ident `\S+`, user the rest (lazy, up to the ' [').
  if (s1 === clientStart || line.charCodeAt(clientStart) === DASH || s2 === s1 + 1) return false;
  if (!scanFromTime(line, f, open, APACHE_NAMES)) return false;
  if (clientStart > 0) f.set('server_domain_port', '%v', line.slice(0, clientStart - 1));
  f.set('client', '%h', line.slice(clientStart, s1));
  f.set('ident', '%l', line.slice(s1 + 1, s2));
  f.set('user', '%u', line.slice(s2 + 1, headEnd));
  return true;
}

/** Kinds and names of the fields from the time on (they differ between the Apache and nginx presets). */
interface TailNames {
  readonly time: string;
  readonly request: string;
  readonly status: string;
  readonly bytesKind: 'body_bytes_clf' | 'body_bytes';
  readonly bytes: string;
  readonly referrer: string;
  readonly userAgent: string;
}

const APACHE_NAMES: TailNames = { time: '%t', request: '%r', status: '%>s', bytesKind: 'body_bytes_clf', bytes: '%b', referrer: '%{Referer}i', userAgent: '%{User-Agent}i' };
const NGINX_NAMES: TailNames = { time: '$time_local', request: '$request', status: '$status', bytesKind: 'body_bytes', bytes: '$body_bytes_sent', referrer: '$http_referer', userAgent: '$http_user_agent' };

/**
 * The part both tolerant presets share, from the `[` of the time at `open`:
 * `[time] "request" status bytes[ "referrer"[ "user agent"]]` and anything after a blank.
 */
function scanFromTime(line: string, f: AccessLogFields, open: number, names: TailNames): boolean {
  const n = line.length;
  // The time: `[^\]]*` then `] "`.
  const close = line.indexOf(']', open + 1);
  if (close < 0 || line.charCodeAt(close + 1) !== SPACE || line.charCodeAt(close + 2) !== QUOTE) return false;
  const reqStart = close + 3;
  // The first backslash of the line, if any: quoted values before it need no escape handling.
  let backslash = line.indexOf('\\', reqStart);
  const reqEnd = closingQuote(line, reqStart, backslash);
  if (reqEnd < 0 || line.charCodeAt(reqEnd + 1) !== SPACE) return false;
  const statusStart = reqEnd + 2;
  const statusEnd = line.indexOf(' ', statusStart);
  if (statusEnd < 0 || !numberOrDash(line, statusStart, statusEnd)) return false;
  const bytesStart = statusEnd + 1;
  let bytesEnd = bytesStart;
  while (bytesEnd < n) {
    const c = line.charCodeAt(bytesEnd);
    if (c === SPACE || c === TAB) break;
    bytesEnd++;
  }
  if (!numberOrDash(line, bytesStart, bytesEnd)) return false;

  // Referrer and user agent: each taken only when what follows it lets the whole line match.
  let refStart = -1;
  let refEnd = -1;
  let uaStart = -1;
  let uaEnd = -1;
  if (bytesEnd < n && line.charCodeAt(bytesEnd) === SPACE && line.charCodeAt(bytesEnd + 1) === QUOTE) {
    if (backslash >= 0 && backslash < bytesEnd) backslash = line.indexOf('\\', bytesEnd);
    const q = closingQuote(line, bytesEnd + 2, backslash);
    if (q >= 0) {
      const r = q + 1;
      const after = r < n ? line.charCodeAt(r) : -1;
      if (after === SPACE && line.charCodeAt(r + 1) === QUOTE) {
        refStart = bytesEnd + 2;
        refEnd = q;
        if (backslash >= 0 && backslash < r) backslash = line.indexOf('\\', r);
        const u = closingQuote(line, r + 2, backslash);
        if (u === -2) {
          uaStart = r + 2;
          uaEnd = n;
        } else if (u >= 0) {
          const next = u + 1 < n ? line.charCodeAt(u + 1) : -1;
          if (next === -1 || next === SPACE || next === TAB) {
            uaStart = r + 2;
            uaEnd = u;
          }
        }
      } else if (after === -1 || after === SPACE || after === TAB) {
        refStart = bytesEnd + 2;
        refEnd = q;
      }
    }
  }


  f.set('time_http', names.time, line.slice(open + 1, close));
  f.set('request', names.request, line.slice(reqStart, reqEnd));
  f.set('status', names.status, line.slice(statusStart, statusEnd));
  f.set(names.bytesKind, names.bytes, line.slice(bytesStart, bytesEnd));
  if (refStart >= 0) f.set('referrer', names.referrer, line.slice(refStart, refEnd));
  if (uaStart >= 0) f.set('user_agent', names.userAgent, line.slice(uaStart, uaEnd));
  return true;
}

/** True for a character of Filebeat's address class `[0-9A-Za-z_.:%\[\]-]` (without `[`, which the head never holds). */
function isAddressChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x3a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2e || c === 0x25 || c === 0x5d || c === DASH;
}

/**
 * Reads an `nginx_combined` line into `f` when its head is the plain `client - user` (one address,
 * no vhost prefix, no forwarded-for chain); false otherwise, and the regular expression decides.
 */
export function scanNginxLine(line: string, f: AccessLogFields): boolean {
  const open = line.indexOf('[');
  if (open < 5 || line.charCodeAt(open - 1) !== SPACE) return false;
  const headEnd = open - 1;
  // `client - user`: the client one address (not starting with '-': then neither a vhost prefix
  // nor a longer client list can match, since both need an address where the '-' is).
  const s1 = line.indexOf(' ');
  if (s1 < 1 || s1 + 3 > headEnd || line.charCodeAt(s1 + 1) !== DASH || line.charCodeAt(s1 + 2) !== SPACE || line.charCodeAt(0) === DASH) return false;
  for (let i = 0; i < s1; i++) if (!isAddressChar(line.charCodeAt(i))) return false;
  for (let i = s1 + 3; i < headEnd; i++) {
    const c = line.charCodeAt(i);
    if (c < SPACE || c > 0x7e || c === QUOTE) return false;
  }
  if (!scanFromTime(line, f, open, NGINX_NAMES)) return false;
  f.set('client_list', '$remote_addr', line.slice(0, s1));
  f.set('user', '$remote_user', line.slice(s1 + 3, headEnd));
  return true;
}

import type { DecodedPacket, HttpInfo } from '../decoded-packet.js';

/** Longest start line or header line looked at, and longest value kept. */
const MAX_LINE = 8192;
/** Longest method token accepted (scanner methods such as CCM_POST, PROPPATCH, …). */
const MAX_METHOD = 32;

/** RFC 9110 tchar table: the characters a method token may contain. */
const TCHAR = new Uint8Array(256);
for (let c = 0x21; c < 0x7f; c++) TCHAR[c] = 1;
for (const c of '"(),/:;<=>?@[\\]{}') TCHAR[c.charCodeAt(0)] = 0;

/** Methods recognised even when the start line has no 'HTTP/' version (the list tshark knows). */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'GET', 'PUT', 'POST', 'HEAD', 'COPY', 'LOCK', 'MOVE', 'POLL', 'MKCOL', 'TRACE', 'PATCH', 'DELETE', 'SEARCH',
  'UNLOCK', 'REPORT', 'NOTIFY', 'CONNECT', 'OPTIONS', 'PROPFIND', 'PROPPATCH', 'SUBSCRIBE', 'UNSUBSCRIBE',
  'BCOPY', 'BMOVE', 'BDELETE', 'BPROPFIND', 'BPROPPATCH', 'X-MS-ENUMATTS', 'MERGE', 'CHECKOUT', 'CHECKIN',
  'UNCHECKOUT', 'MKACTIVITY', 'MKWORKSPACE', 'UPDATE', 'LABEL', 'VERSION-CONTROL', 'BASELINE-CONTROL',
  'ORDERPATCH', 'ACL', 'CCM_POST', 'RPC_IN_DATA', 'RPC_OUT_DATA', 'RPC_CONNECT', 'SSTP_DUPLEX_POST',
  'M-SEARCH', 'MKCALENDAR', 'PURGE', 'PRI',
]);

/** Offset of the LF ending the line that starts at `start` (searching at most MAX_LINE bytes), or -1. */
function lineEnd(data: Buffer, start: number, end: number): number {
  const stop = end - start > MAX_LINE ? start + MAX_LINE : end;
  for (let i = start; i < stop; i++) if (data[i] === 0x0a) return i;
  return -1;
}

/** True when `data[p..p+8)` is 'HTTP/d.d'. */
function isHttpVersion(data: Buffer, p: number): boolean {
  return (
    data[p] === 0x48 && data[p + 1] === 0x54 && data[p + 2] === 0x54 && data[p + 3] === 0x50 && data[p + 4] === 0x2f &&
    data[p + 5] >= 0x30 && data[p + 5] <= 0x39 && data[p + 6] === 0x2e && data[p + 7] >= 0x30 && data[p + 7] <= 0x39
  );
}

function text(data: Buffer, start: number, end: number): string {
  return data.toString('latin1', start, end - start > MAX_LINE ? start + MAX_LINE : end);
}

/**
 * Recognises an HTTP/1.x request or response start line at the beginning of the TCP payload
 * `[off, end)`, then reads Host, User-Agent and X-Forwarded-For (case-insensitive names, trimmed
 * values) up to the blank line or the end of the packet. Returns false (and sets nothing) when the
 * payload does not start with a complete start line.
 */
export function decodeHttp(d: DecodedPacket, data: Buffer, off: number, end: number): boolean {
  if (end - off < 4) return false;
  const lf = lineEnd(data, off, end);
  if (lf < 0) return false;
  const eol = lf > off && data[lf - 1] === 0x0d ? lf - 1 : lf;
  let info: HttpInfo;
  if (isHttpVersion(data, off)) {
    // Response: HTTP/x.y SP 3DIGIT [SP reason]
    const p = off + 8;
    if (eol - p < 4 || data[p] !== 0x20) return false;
    const c0 = data[p + 1] - 0x30;
    const c1 = data[p + 2] - 0x30;
    const c2 = data[p + 3] - 0x30;
    if (c0 < 0 || c0 > 9 || c1 < 0 || c1 > 9 || c2 < 0 || c2 > 9) return false;
    if (eol > p + 4 && data[p + 4] !== 0x20) return false;
    info = {
      method: undefined,
      uri: undefined,
      version: text(data, off + 5, off + 8),
      host: undefined,
      userAgent: undefined,
      forwardedFor: undefined,
      statusCode: c0 * 100 + c1 * 10 + c2,
      statusText: eol > p + 5 ? text(data, p + 5, eol) : '',
    };
  } else {
    // Request: method [SP target [SP version]]. Like tshark, the target runs to the next space (it
    // may be empty, as in 'OPTIONS  HTTP/1.1') and the rest of the line is the version. Any token is
    // accepted as a method when the version is 'HTTP/…'; a well-known method also without it
    // (scanners send 'OPTIONS HTTP/1.1', 'GET /HTTP/1.1' or a bare 'OPTIONS').
    let m = off;
    const mStop = eol - off > MAX_METHOD ? off + MAX_METHOD : eol;
    while (m < mStop && TCHAR[data[m]] === 1) m++;
    if (m === off || (m < eol && data[m] !== 0x20)) return false;
    const method = data.toString('latin1', off, m);
    let uri = '';
    let version: string | undefined;
    if (m < eol) {
      const uriStart = m + 1;
      let u = uriStart;
      while (u < eol && data[u] !== 0x20) u++;
      uri = text(data, uriStart, u);
      if (u < eol) {
        const v = u + 1;
        if (eol - v >= 5 && data[v] === 0x48 && data[v + 1] === 0x54 && data[v + 2] === 0x54 && data[v + 3] === 0x50 && data[v + 4] === 0x2f) {
          version = text(data, v + 5, eol);
        }
      }
    }
    if (version === undefined && !KNOWN_METHODS.has(method)) return false;
    info = {
      method,
      uri,
      version,
      host: undefined,
      userAgent: undefined,
      forwardedFor: undefined,
      statusCode: undefined,
      statusText: undefined,
    };
  }
  readHeaders(info, data, lf + 1, end);
  d.http = info;
  d.appProtocol = 'http';
  d.highestProtocol = 'http';
  return true;
}

/** Lower-cases ASCII letters. */
function lower(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

/** True when `data[p..p+name.length)` equals the lower-case ASCII `name`, ignoring case. */
function nameIs(data: Buffer, p: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) if (lower(data[p + i]) !== name.charCodeAt(i)) return false;
  return true;
}

function readHeaders(info: HttpInfo, data: Buffer, p: number, end: number): void {
  while (p < end) {
    let lf = lineEnd(data, p, end);
    const last = lf < 0;
    if (last) lf = end - p > MAX_LINE ? p + MAX_LINE : end;
    let eol = lf > p && data[lf - 1] === 0x0d ? lf - 1 : lf;
    if (eol === p) return; // blank line: end of the header block
    let colon = p;
    while (colon < eol && data[colon] !== 0x3a) colon++;
    if (colon < eol) {
      const nlen = colon - p;
      let which = 0;
      if (nlen === 4 && nameIs(data, p, 'host')) which = 1;
      else if (nlen === 10 && nameIs(data, p, 'user-agent')) which = 2;
      else if (nlen === 15 && nameIs(data, p, 'x-forwarded-for')) which = 3;
      if (which !== 0) {
        let vs = colon + 1;
        while (vs < eol && (data[vs] === 0x20 || data[vs] === 0x09)) vs++;
        while (eol > vs && (data[eol - 1] === 0x20 || data[eol - 1] === 0x09)) eol--;
        const value = text(data, vs, eol);
        if (which === 1) {
          if (info.host === undefined) info.host = value;
        } else if (which === 2) {
          if (info.userAgent === undefined) info.userAgent = value;
        } else if (info.forwardedFor === undefined) info.forwardedFor = value;
      }
    }
    if (last) return;
    p = lf + 1;
  }
}

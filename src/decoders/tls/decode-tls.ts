import type { DecodedPacket, TlsInfo } from '../decoded-packet.js';
import { HEX_LOWER } from '../format/format-mac.js';

/** GREASE values (RFC 8701) are 0x?a?a with equal bytes. */
function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

/** '1.0', '1.2', 'ssl3', … for a protocol version number; 4 hex digits for anything else. */
export function tlsVersionName(v: number): string {
  switch (v) {
    case 0x0300: return 'ssl3';
    case 0x0301: return '1.0';
    case 0x0302: return '1.1';
    case 0x0303: return '1.2';
    case 0x0304: return '1.3';
    case 0x0002: return 'ssl2';
    default: return HEX_LOWER[(v >> 8) & 0xff] + HEX_LOWER[v & 0xff];
  }
}

/**
 * True when `[off, end)` starts with a plausible TLS record header: content type 20–23, major
 * version 3, minor 0–4, length at most 2^14 + 2048.
 */
export function isTlsRecord(data: Buffer, off: number, end: number): boolean {
  if (end - off < 5) return false;
  const type = data[off];
  if (type < 20 || type > 23 || data[off + 1] !== 3 || data[off + 2] > 4) return false;
  return ((data[off + 3] << 8) | data[off + 4]) <= 18432;
}

/**
 * Decodes a TLS handshake record carrying a ClientHello at `off` into `d.tls` (any other record:
 * only `appProtocol`). A ClientHello split over several segments is decoded as far as this packet
 * goes, without an error. Returns false when `[off, end)` is not a TLS record.
 */
export function decodeTls(d: DecodedPacket, data: Buffer, off: number, end: number): boolean {
  if (!isTlsRecord(data, off, end)) return false;
  d.appProtocol = 'tls';
  d.highestProtocol = 'tls';
  if (data[off] !== 22 || end - off < 11 || data[off + 5] !== 1) return true;
  const recEnd = off + 5 + ((data[off + 3] << 8) | data[off + 4]);
  const hsEnd = off + 9 + ((data[off + 6] << 16) | (data[off + 7] << 8) | data[off + 8]);
  let stop = end;
  if (recEnd < stop) stop = recEnd;
  if (hsEnd < stop) stop = hsEnd;
  let p = off + 9;
  const version = (data[p] << 8) | data[p + 1];
  const info: TlsInfo = {
    serverName: undefined,
    clientVersion: tlsVersionName(version),
    supportedVersions: [],
    alpn: [],
    ciphers: [],
    ja3: '',
  };
  d.tls = info;
  let ja3Ciphers = '';
  let ja3Exts = '';
  let ja3Groups = '';
  let ja3Formats = '';
  p += 2 + 32; // version, random
  if (p < stop) {
    p += 1 + data[p]; // session id
    if (p + 2 <= stop) {
      const csEnd = p + 2 + ((data[p] << 8) | data[p + 1]);
      p += 2;
      for (; p + 2 <= csEnd && p + 2 <= stop; p += 2) {
        const cs = (data[p] << 8) | data[p + 1];
        if (isGrease(cs)) continue;
        info.ciphers.push(HEX_LOWER[data[p]] + HEX_LOWER[data[p + 1]]);
        ja3Ciphers = ja3Ciphers === '' ? String(cs) : ja3Ciphers + '-' + cs;
      }
      p = csEnd;
      if (p < stop) {
        p += 1 + data[p]; // compression methods
        if (p + 2 <= stop) {
          const extEnd = p + 2 + ((data[p] << 8) | data[p + 1]);
          p += 2;
          while (p + 4 <= extEnd && p + 4 <= stop) {
            const type = (data[p] << 8) | data[p + 1];
            const len = (data[p + 2] << 8) | data[p + 3];
            const e = p + 4;
            const eEnd = e + len;
            if (!isGrease(type)) ja3Exts = ja3Exts === '' ? String(type) : ja3Exts + '-' + type;
            const vEnd = eEnd < stop ? eEnd : stop; // a split hello: read what is here
            switch (type) {
              case 0: {
                // server_name: list length, then (type, length, name)…
                let q = e + 2;
                while (q + 3 <= vEnd) {
                  const nl = (data[q + 1] << 8) | data[q + 2];
                  if (data[q] === 0 && q + 3 + nl <= vEnd && info.serverName === undefined) {
                    info.serverName = data.toString('latin1', q + 3, q + 3 + nl);
                  }
                  q += 3 + nl;
                }
                break;
              }
              case 10: {
                // supported_groups
                for (let q = e + 2; q + 2 <= vEnd; q += 2) {
                  const g = (data[q] << 8) | data[q + 1];
                  if (!isGrease(g)) ja3Groups = ja3Groups === '' ? String(g) : ja3Groups + '-' + g;
                }
                break;
              }
              case 11: {
                // ec_point_formats
                const fEnd = e + 1 + (e < vEnd ? data[e] : 0);
                for (let q = e + 1; q < fEnd && q < vEnd; q++) {
                  ja3Formats = ja3Formats === '' ? String(data[q]) : ja3Formats + '-' + data[q];
                }
                break;
              }
              case 16: {
                // ALPN: list length, then (length, name)…
                let q = e + 2;
                while (q < vEnd) {
                  const l = data[q];
                  if (q + 1 + l > vEnd) break;
                  info.alpn.push(data.toString('latin1', q + 1, q + 1 + l));
                  q += 1 + l;
                }
                break;
              }
              case 43: {
                // supported_versions (ClientHello form: 1-byte list length)
                const sEnd = e + 1 + (e < vEnd ? data[e] : 0);
                for (let q = e + 1; q + 2 <= sEnd && q + 2 <= vEnd; q += 2) {
                  const sv = (data[q] << 8) | data[q + 1];
                  if (!isGrease(sv)) info.supportedVersions.push(tlsVersionName(sv));
                }
                break;
              }
            }
            p = eEnd;
          }
        }
      }
    }
  }
  info.ja3 = version + ',' + ja3Ciphers + ',' + ja3Exts + ',' + ja3Groups + ',' + ja3Formats;
  return true;
}

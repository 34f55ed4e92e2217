/**
 * Making attacker-controlled strings safe to index and to show, without hiding what was sent.
 *
 * Decisions (see docs/reference/honeypot-events.md):
 * - Control characters: every C0 control except TAB, DEL and every C1 control become the visible
 *   escape `\xNN` (ESC → `\x1b`), so a command line with terminal escape sequences or NULs can be
 *   searched and displayed without driving the analyst's terminal, and it is still clear what the
 *   attacker sent. TAB is kept: it is common in command lines and harmless on screen. LF and CR are
 *   escaped too: a Cowrie field is one line, and a bare newline in a field is how log-injection
 *   works. The untouched line stays in `event.original`.
 * - Lone UTF-16 surrogates (from `\ud800` escapes in the JSON) are replaced with U+FFFD; they cannot
 *   be encoded as UTF-8, and engines reject or mangle them.
 * - Oversized values are cut at `maxBytes` UTF-8 bytes, on a character boundary.
 *
 * Plain loops over char codes: this runs for every string of every event.
 */

/** What {@link sanitizeText} changed. */
export interface SanitizeFlags {
  controlChars: boolean;
  invalidUtf8: boolean;
  truncated: boolean;
}

const HEX = '0123456789abcdef';

function needsWork(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 ? c !== 0x09 : c >= 0x7f && (c <= 0x9f || (c >= 0xd800 && c <= 0xdfff))) return true;
  }
  return false;
}

/**
 * The sanitised `value`: controls escaped, lone surrogates replaced, cut to `maxBytes` UTF-8
 * bytes. Sets the matching `flags` (never clears them, so one flags object can collect a whole
 * event). Returns `value` itself when nothing had to change.
 */
export function sanitizeText(value: string, maxBytes: number, flags: SanitizeFlags): string {
  let out = value;
  if (needsWork(value)) {
    let b = '';
    let start = 0;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x20 ? c !== 0x09 : c >= 0x7f && c <= 0x9f) {
        b += value.slice(start, i) + '\\x' + HEX[c >> 4] + HEX[c & 15];
        start = i + 1;
        flags.controlChars = true;
      } else if (c >= 0xd800 && c <= 0xdbff) {
        const n = i + 1 < value.length ? value.charCodeAt(i + 1) : 0;
        if (n >= 0xdc00 && n <= 0xdfff) {
          i++; // a valid pair
        } else {
          b += value.slice(start, i) + '\ufffd';
          start = i + 1;
          flags.invalidUtf8 = true;
        }
      } else if (c >= 0xdc00 && c <= 0xdfff) {
        b += value.slice(start, i) + '\ufffd';
        start = i + 1;
        flags.invalidUtf8 = true;
      }
    }
    out = b + value.slice(start);
  }
  // A UTF-16 string of n units is at most 3n UTF-8 bytes; measure only when it could be too long.
  if (out.length * 3 > maxBytes && Buffer.byteLength(out, 'utf8') > maxBytes) {
    out = truncateUtf8(out, maxBytes);
    flags.truncated = true;
  }
  return out;
}

/** The longest prefix of `s` whose UTF-8 encoding fits in `maxBytes`, never splitting a character. */
export function truncateUtf8(s: string, maxBytes: number): string {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let size: number;
    let units = 1;
    if (c < 0x80) size = 1;
    else if (c < 0x800) size = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      size = 4;
      units = 2;
    } else size = 3;
    if (bytes + size > maxBytes) return s.slice(0, i);
    bytes += size;
    i += units - 1;
  }
  return s;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

const SIMPLE: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', "'": "'", n: '\n', r: '\r', t: '\t', b: '\b', v: '\v', f: '\f' };

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/**
 * Decodes the escapes web servers write into logged values:
 * Apache (`ap_escape_logitem`: `\"`, `\\`, `\n`, `\t`, … and `\xhh` for other unprintable bytes),
 * nginx (`\xHH` for `"`, `\` and bytes outside 0x20–0x7e) and nginx `escape=json` (`\uXXXX`).
 *
 * A run of `\xhh` bytes is decoded as UTF-8 when it is valid UTF-8 (nginx escapes every byte of a
 * non-ASCII URL), otherwise byte by byte as Latin-1 so that binary input (a TLS ClientHello sent
 * to a plain-text port) keeps one character per byte. Unknown escapes are kept as written.
 * Returns `value` itself when it holds no backslash (the common case: no work, no allocation).
 */
export function unescapeLogValue(value: string): string {
  let i = value.indexOf('\\');
  if (i < 0) return value;
  let out = value.slice(0, i);
  while (i < value.length) {
    const c = value[i];
    if (c !== '\\' || i + 1 >= value.length) {
      out += c;
      i++;
      continue;
    }
    const e = value[i + 1];
    if (e === 'x' || e === 'X') {
      // Collect the run of \xhh escapes.
      const bytes: number[] = [];
      let j = i;
      while (j + 3 < value.length && value[j] === '\\' && (value[j + 1] === 'x' || value[j + 1] === 'X')) {
        const h = hex(value.charCodeAt(j + 2));
        const l = hex(value.charCodeAt(j + 3));
        if (h < 0 || l < 0) break;
        bytes.push(h * 16 + l);
        j += 4;
      }
      if (bytes.length === 0) {
        out += '\\x';
        i += 2;
        continue;
      }
      out += decodeBytes(bytes);
      i = j;
      continue;
    }
    if (e === 'u' && i + 5 < value.length) {
      const code = parseInt(value.slice(i + 2, i + 6), 16);
      if (/^[0-9a-fA-F]{4}$/.test(value.slice(i + 2, i + 6))) {
        out += String.fromCharCode(code);
        i += 6;
        continue;
      }
    }
    const simple = SIMPLE[e];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    out += '\\' + e;
    i += 2;
  }
  return out;
}

function decodeBytes(bytes: number[]): string {
  let ascii = true;
  for (const b of bytes) if (b >= 0x80) ascii = false;
  if (!ascii) {
    try {
      return utf8.decode(Uint8Array.from(bytes));
    } catch {
      // not UTF-8: one character per byte below
    }
  }
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/**
 * Normalisation of request parts before the web-attack rules look at them, so that an encoded,
 * re-encoded or padded payload matches the same rule as the plain one (the transformations of
 * OWASP CRS: t:urlDecodeUni, t:normalizePath, t:htmlEntityDecode, t:removeNulls, t:lowercase).
 *
 * Every function is synchronous and returns its input unchanged (same string) when there is
 * nothing to do, so the common clean request costs one `toLowerCase` per field.
 */

/** Rounds of percent-decoding at most: 4 covers triple encoding (%25252e) and stops decoding bombs. */
export const MAX_DECODE_ROUNDS = 4;

/** Overlong UTF-8 forms of `.`, `/` and `\` (the IIS/Tomcat traversal evasion `%c0%af`). */
const OVERLONG: Readonly<Record<string, number>> = { 'c0ae': 0x2e, 'c0af': 0x2f, 'c19c': 0x5c, 'c1af': 0x2f, 'e080ae': 0x2e, 'e080af': 0x2f };

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * One round of percent-decoding, tolerant like a web server: `%XX` runs are decoded as UTF-8
 * (invalid sequences become U+FFFD, overlong `.`/`/`/`\` become those characters), `%uXXXX` (IIS)
 * becomes that code unit, and a `%` not followed by hex digits is kept.
 */
export function percentDecodeOnce(s: string): string {
  let i = s.indexOf('%');
  if (i === -1) return s;
  let out = s.slice(0, i);
  const bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length === 0) return;
    out += decodeBytes(bytes);
    bytes.length = 0;
  };
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */) {
      const h1 = hexValue(s.charCodeAt(i + 1));
      const h2 = hexValue(s.charCodeAt(i + 2));
      if (h1 >= 0 && h2 >= 0) {
        bytes.push(h1 * 16 + h2);
        i += 3;
        continue;
      }
      const u = s.charCodeAt(i + 1);
      if ((u === 117 || u === 85) /* u U */ && i + 5 < s.length) {
        const a = hexValue(s.charCodeAt(i + 2));
        const b = hexValue(s.charCodeAt(i + 3));
        const d = hexValue(s.charCodeAt(i + 4));
        const e = hexValue(s.charCodeAt(i + 5));
        if (a >= 0 && b >= 0 && d >= 0 && e >= 0) {
          flush();
          out += String.fromCharCode((a << 12) | (b << 8) | (d << 4) | e);
          i += 6;
          continue;
        }
      }
    }
    flush();
    out += s[i];
    i++;
  }
  flush();
  return out;
}

function decodeBytes(bytes: number[]): string {
  let ascii = true;
  for (const b of bytes) if (b >= 0x80) ascii = false;
  if (ascii) {
    let text = '';
    for (const b of bytes) text += String.fromCharCode(b);
    return text;
  }
  const fixed: number[] = [];
  for (let j = 0; j < bytes.length; j++) {
    const b = bytes[j];
    if (b === 0xc0 || b === 0xc1) {
      const two = OVERLONG[hex2(b) + hex2(bytes[j + 1] ?? 0)];
      if (two !== undefined) {
        fixed.push(two);
        j += 1;
        continue;
      }
    } else if (b === 0xe0) {
      const three = OVERLONG[hex2(b) + hex2(bytes[j + 1] ?? 0) + hex2(bytes[j + 2] ?? 0)];
      if (three !== undefined) {
        fixed.push(three);
        j += 2;
        continue;
      }
    }
    fixed.push(b);
  }
  return Buffer.from(fixed).toString('utf8');
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}

/** Percent-decodes until the text stops changing, at most {@link MAX_DECODE_ROUNDS} rounds; `+` is a space when `plusIsSpace`. */
export function decodeRepeatedly(s: string, plusIsSpace: boolean): string {
  let cur = s;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    const plus = plusIsSpace && cur.includes('+') ? cur.replaceAll('+', ' ') : cur;
    const next = percentDecodeOnce(plus);
    if (next === cur) return cur;
    cur = next;
  }
  return plusIsSpace && cur.includes('+') ? cur.replaceAll('+', ' ') : cur;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  lt: '<', gt: '>', quot: '"', apos: "'", amp: '&', colon: ':', lpar: '(', rpar: ')', sol: '/', bsol: '\\',
  semi: ';', equals: '=', tab: '\t', newline: '\n', nbsp: ' ', grave: '`', lsqb: '[', rsqb: ']', lcub: '{', rcub: '}', period: '.', excl: '!', dollar: '$',
};
/** `&lt;` `&#60;` `&#x3c;` (terminating `;` optional, as browsers accept it for numeric references). */
const ENTITY = /&(?:#x([0-9a-f]{1,6});?|#(\d{1,7});?|([a-z]{2,8});)/gi;

/** Decodes HTML character references (named ones that matter for XSS, and all numeric ones). */
export function decodeHtmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (whole, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (name !== undefined) return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
    const cp = hex !== undefined ? parseInt(hex, 16) : Number(dec);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
  });
}

function stripNul(s: string): string {
  return s.includes('\0') ? s.replaceAll('\0', '') : s;
}

/**
 * A URL path as the rules see it: decoded repeatedly, NULs removed, `\` as `/`, runs of `/`
 * collapsed, `/./` segments removed, lower case. `..` segments are kept: they are the evidence.
 */
export function normalizePath(path: string): string {
  let p = stripNul(decodeRepeatedly(path, false));
  if (p.includes('\\')) p = p.replaceAll('\\', '/');
  if (p.includes('//')) p = p.replace(/\/{2,}/g, '/');
  if (p.includes('/./') || p.endsWith('/.') || p.startsWith('./')) {
    let prev: string;
    do {
      prev = p;
      p = p.replaceAll('/./', '/');
    } while (p !== prev);
    if (p.endsWith('/.')) p = p.slice(0, -1);
    if (p.startsWith('./')) p = p.slice(2);
  }
  return decodeHtmlEntities(p).toLowerCase();
}

/** A query string (or any form-encoded text) as the rules see it: `+` as space, decoded repeatedly, entities decoded, NULs removed, lower case. */
export function normalizeQuery(query: string): string {
  return stripNul(decodeHtmlEntities(decodeRepeatedly(query, true))).toLowerCase();
}

/** A header value (user agent, referrer): NULs removed, lower case; no URL decoding (servers do not decode headers). */
export function normalizeHeader(value: string): string {
  return stripNul(value).toLowerCase();
}

/**
 * Splits a request target into path and query (`?` not included); an absolute-form target keeps
 * its scheme and host in the path. A `#` is not cut off: browsers never send fragments, so one in a
 * logged request line is part of what a tool sent (`&#60;`, OGNL `%{(#`, Drupal `[#post_render]`).
 */
export function splitTarget(target: string): { path: string; query: string | undefined } {
  const q = target.indexOf('?');
  return q === -1 ? { path: target, query: undefined } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

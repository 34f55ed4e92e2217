/**
 * JSON string quoting for the hand-built serializers on the hot path.
 *
 * Most values we quote (methods, host names, IPs) need no escaping; checking the characters is
 * several times cheaper than JSON.stringify, which we call only when something must be escaped.
 */

/** Returns `s` as a JSON string literal, quotes included. */
export function jsonString(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Control characters, '"', '\\' and anything outside ASCII (lone surrogates must be escaped,
    // and JSON.stringify handles them) take the slow path.
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return JSON.stringify(s);
  }
  return '"' + s + '"';
}

/** Returns a JSON array of strings. */
export function jsonStringArray(values: readonly string[]): string {
  let out = '[';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    out += jsonString(values[i]);
  }
  return out + ']';
}

/**
 * Reads (possibly compressed) DNS names into text like tshark prints them: labels joined by '.',
 * no trailing dot, the root as '<Root>', bytes that are not printable ASCII escaped the way
 * Wireshark's format_text does (C escapes such as '\n', '\\' for a backslash, octal '\ooo' for the
 * rest; unlike Wireshark, bytes >= 0x80 are always escaped, valid UTF-8 or not).
 */

/** Longest name decoded, in wire bytes (RFC 1035 says 255; longer names are still read but cut). */
const MAX_NAME_BYTES = 255;
/** More compression pointers than this is a loop. */
const MAX_POINTERS = 64;

/** Scratch space for building a name: 255 bytes each escaped to at most 4 characters, plus dots. */
const scratch = Buffer.allocUnsafe(MAX_NAME_BYTES * 4 + 64);

/** Position just after the name in the original byte sequence, set by {@link readDnsName}; -1 on error. */
export let nameEnd = -1;
/** Why {@link readDnsName} failed, when it returned undefined. */
export let nameError = '';

/** Escapes one byte into `scratch` at `n`; returns the new length. */
function putEscaped(b: number, n: number): number {
  if (b >= 0x20 && b < 0x7f) {
    if (b === 0x5c) {
      scratch[n] = 0x5c;
      scratch[n + 1] = 0x5c;
      return n + 2;
    }
    scratch[n] = b;
    return n + 1;
  }
  scratch[n] = 0x5c;
  let c = 0;
  switch (b) {
    case 7: c = 0x61; break; // \a
    case 8: c = 0x62; break; // \b
    case 9: c = 0x74; break; // \t
    case 10: c = 0x6e; break; // \n
    case 11: c = 0x76; break; // \v
    case 12: c = 0x66; break; // \f
    case 13: c = 0x72; break; // \r
  }
  if (c !== 0) {
    scratch[n + 1] = c;
    return n + 2;
  }
  scratch[n + 1] = 0x30 + (b >> 6);
  scratch[n + 2] = 0x30 + ((b >> 3) & 7);
  scratch[n + 3] = 0x30 + (b & 7);
  return n + 4;
}

/**
 * Reads the name at `pos`; pointers are relative to `msgStart` and must stay below `msgEnd`.
 * Returns the text and sets {@link nameEnd}, or returns undefined and sets {@link nameError}.
 */
export function readDnsName(data: Buffer, pos: number, msgStart: number, msgEnd: number): string | undefined {
  let n = 0;
  let wire = 0;
  let end = -1;
  let pointers = 0;
  let p = pos;
  for (;;) {
    if (p >= msgEnd) {
      nameEnd = -1;
      nameError = 'name truncated';
      return undefined;
    }
    const len = data[p];
    if (len === 0) {
      p++;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (p + 1 >= msgEnd) {
        nameEnd = -1;
        nameError = 'name truncated';
        return undefined;
      }
      const target = msgStart + (((len & 0x3f) << 8) | data[p + 1]);
      if (end < 0) end = p + 2;
      if (++pointers > MAX_POINTERS || target === p) {
        nameEnd = -1;
        nameError = 'name contains a pointer that loops';
        return undefined;
      }
      if (target >= msgEnd) {
        nameEnd = -1;
        nameError = 'name pointer out of range';
        return undefined;
      }
      p = target;
      continue;
    }
    if (kind !== 0) {
      nameEnd = -1;
      nameError = 'unsupported label type 0x' + len.toString(16);
      return undefined;
    }
    const labelEnd = p + 1 + len;
    if (labelEnd > msgEnd) {
      nameEnd = -1;
      nameError = 'name truncated';
      return undefined;
    }
    if (wire < MAX_NAME_BYTES) {
      if (n > 0) scratch[n++] = 0x2e;
      for (let i = p + 1; i < labelEnd && wire < MAX_NAME_BYTES; i++, wire++) n = putEscaped(data[i], n);
    }
    p = labelEnd;
  }
  nameEnd = end < 0 ? p : end;
  return n === 0 ? '<Root>' : scratch.toString('latin1', 0, n);
}

/** Text of the character-string bytes `[start, end)` with the same escaping as names. */
export function readDnsText(data: Buffer, start: number, end: number): string {
  let n = 0;
  const stop = end - start > MAX_NAME_BYTES ? start + MAX_NAME_BYTES : end;
  for (let i = start; i < stop; i++) n = putEscaped(data[i], n);
  return scratch.toString('latin1', 0, n);
}

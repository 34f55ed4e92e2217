import type { FieldKind, FieldSegment, Segment } from './format-segments.js';

/** A format compiled to one anchored regular expression; capture group n+1 is `fields[n]`. */
export interface CompiledLineRegex {
  readonly regex: RegExp;
  readonly fields: readonly FieldSegment[];
}

/**
 * A quoted value as Apache and nginx write it: any character but the quote, with backslash escapes
 * (`\"`, `\\`, `\xhh`). Written as an unrolled loop (Friedl) so V8 runs it without per-character
 * alternation and without backtracking.
 */
const QUOTED = '([^"\\\\]*(?:\\\\.[^"\\\\]*)*)';
const BRACKETED = '([^\\]]*)';
const NUMBER_OR_DASH = '(-|\\d+)';
const DECIMAL_OR_DASH = '(-|\\d+(?:\\.\\d+)?)';

/** Kinds whose values have a shape of their own, whatever surrounds them. */
const KIND_PATTERNS: Partial<Record<FieldKind, string>> = {
  status: NUMBER_OR_DASH,
  status_original: NUMBER_OR_DASH,
  body_bytes: NUMBER_OR_DASH,
  body_bytes_clf: NUMBER_OR_DASH,
  response_bytes: NUMBER_OR_DASH,
  request_bytes: NUMBER_OR_DASH,
  transfer_bytes: NUMBER_OR_DASH,
  client_port: NUMBER_OR_DASH,
  server_port: NUMBER_OR_DASH,
  duration_us: NUMBER_OR_DASH,
  duration_ms: NUMBER_OR_DASH,
  duration_s: DECIMAL_OR_DASH,
  pid: NUMBER_OR_DASH,
  time_epoch_s: '(\\d+(?:\\.\\d+)?)',
  time_epoch_ms: '(\\d+)',
  time_epoch_us: '(\\d+)',
  time_iso: '(\\d{4}-\\d\\d-\\d\\dT[^\\s"]+)',
  // A user name may hold spaces (HTTP basic auth allows them; Filebeat uses DATA), but not '"' or '['
  // (Apache escapes quotes in %u), which keeps a short line from being read with the time as user.
  user: '([^"\\[]*?)',
};

/** Regular-expression source matching `text` literally. */
function escapeLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** The pattern of a field from its explicit pattern, its quoting, its kind, or what follows it. */
function fieldPattern(f: FieldSegment, before: string, after: string | undefined): string {
  if (f.pattern !== undefined) return f.pattern;
  if (before.endsWith('"') && after !== undefined && after.startsWith('"')) return QUOTED;
  if (before.endsWith('[') && after !== undefined && after.startsWith(']')) return BRACKETED;
  const own = KIND_PATTERNS[f.kind];
  if (own !== undefined) return own;
  if (f.kind === 'time_http') return '(\\d{1,2}/[A-Za-z]{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d [+-]\\d{4})';
  if (after === undefined || after === '' || /^\s/.test(after)) return '(\\S*)';
  // Followed directly by other text (host:port): the shortest value that lets the rest match.
  return '(\\S*?)';
}

/** The first literal text at or after segment `i` of `segs`, or `outer` when there is none. */
function literalAfter(segs: readonly Segment[], i: number, outer: string | undefined): string | undefined {
  for (let j = i; j < segs.length; j++) {
    const s = segs[j];
    if (s.type === 'literal') return s.text;
    if (s.type === 'field') return '';
    // An optional group: its first literal may or may not be there; either is a valid boundary.
    const inner = literalAfter(s.segments, 0, undefined);
    if (inner !== undefined && inner !== '') return inner;
  }
  return outer;
}

function compileSegments(segs: readonly Segment[], outerAfter: string | undefined, fields: FieldSegment[]): string {
  let src = '';
  let before = '';
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if (s.type === 'literal') {
      src += escapeLiteral(s.text);
      before = s.text;
    } else if (s.type === 'field') {
      fields.push(s);
      src += fieldPattern(s, before, literalAfter(segs, i + 1, outerAfter));
      before = '';
    } else {
      src += `(?:${compileSegments(s.segments, literalAfter(segs, i + 1, outerAfter), fields)})?`;
      before = '';
    }
  }
  return src;
}

/**
 * Compiles segments into one anchored regular expression. Text after the last field, separated by a
 * blank, is accepted and ignored (Filebeat's patterns are not anchored at the end either: extra
 * `"-"` fields from a longer format are common); it stays in `event.original`.
 */
export function compileLineRegex(segments: readonly Segment[]): CompiledLineRegex {
  const fields: FieldSegment[] = [];
  const body = compileSegments(segments, undefined, fields);
  return { regex: new RegExp(`^${body}(?:[ \\t].*)?$`, 's'), fields };
}

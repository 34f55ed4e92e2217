/**
 * A small glob for the tail source (Node 20 has no `fs.glob`, and chokidar is not a dependency).
 *
 * Supported: `*` and `?` within one path segment (a leading `*`/`?` does not match a leading dot,
 * as in the shell), `[abc]`, `[a-z]`, `[!abc]`, and `**` as a whole segment (any number of
 * directories, symbolic links to directories not followed, so no loops). A pattern without
 * wildcards names one file. Relative patterns are resolved against the working directory.
 */
import { readdir } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';

const WILDCARD = /[*?[]/;

/** Compiles one path segment (no `/`) into an anchored regular expression. */
export function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close === -1) {
        re += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  // Shell rule: a wildcard at the start never matches a dot file (editor swap files, .nfs files).
  const noDot = segment.startsWith('*') || segment.startsWith('?') || segment.startsWith('[');
  return new RegExp(`^${noDot ? '(?!\\.)' : ''}${re}$`);
}

/** True when `name` (a base name) matches the one-segment pattern. */
export function matchesSegment(pattern: string, name: string): boolean {
  return segmentRegExp(pattern).test(name);
}

/** The directory a pattern starts from (its leading segments without wildcards). */
export function globBase(pattern: string): string {
  const abs = isAbsolute(pattern) ? pattern : resolve(pattern);
  const parts = abs.split(sep);
  const i = parts.findIndex((p) => WILDCARD.test(p));
  if (i === -1) return parts.slice(0, -1).join(sep) || sep;
  return parts.slice(0, i).join(sep) || sep;
}

/**
 * The files matching any of `patterns` (absolute paths, sorted, without duplicates). Missing
 * directories match nothing; a pattern without wildcards is returned as is (the caller stats it).
 */
export async function expandGlobs(patterns: readonly string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const pattern of patterns) {
    const abs = isAbsolute(pattern) ? pattern : resolve(pattern);
    if (!WILDCARD.test(abs)) {
      out.add(abs);
      continue;
    }
    const base = globBase(abs);
    const rest = abs.slice(base === sep ? 1 : base.length + 1).split(sep).filter((s) => s.length > 0);
    await walk(base, rest.map((s) => (s === '**' ? '**' : segmentRegExp(s))), out);
  }
  return [...out].sort();
}

async function walk(dir: string, segments: (RegExp | '**')[], out: Set<string>): Promise<void> {
  if (segments.length === 0) return;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return; // missing or unreadable directory: nothing matches there (yet)
  }
  const [seg, ...rest] = segments;
  if (seg === '**') {
    await walk(dir, rest, out); // zero directories
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.')) await walk(join(dir, e.name), segments, out);
    return;
  }
  for (const e of entries) {
    if (!seg.test(e.name)) continue;
    const p = join(dir, e.name);
    if (rest.length === 0) {
      if (!e.isDirectory()) out.add(p);
    } else if (e.isDirectory()) await walk(p, rest, out);
  }
}

/**
 * Keeps the reference pages in step with the code:
 * - every option flag that `sluice [command] --help` prints is named in docs/reference/cli.md;
 * - every field path of the documents of examples/sample.pcap is named in
 *   docs/reference/packet-document.md, and its complete example is the real frame 6 document.
 *
 * Field paths are dotted; a member of an array of objects is written `path[].member`
 * (`dns.answers[].name`), an array of scalars is just its path (`dns.header_flags`).
 * A path counts as documented when it appears between backticks: `` `source.ip` ``.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The compiled test lives in dist/test/docs/.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'sluice.js');

function sluice(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function readDoc(name: string): string {
  return readFileSync(join(ROOT, 'docs', 'reference', name), 'utf8');
}

/** The flags (`-c`, `--config`, `--no-progress`…) of the Options section of a commander help text. */
export function helpFlags(help: string): string[] {
  const flags: string[] = [];
  let inOptions = false;
  for (const line of help.split('\n')) {
    if (/^Options:\s*$/.test(line)) {
      inOptions = true;
      continue;
    }
    if (/^\S/.test(line)) inOptions = false; // next section (Commands:, Arguments:)
    if (!inOptions) continue;
    // "  -o, --output <format>  description": the flag part ends at the first run of 2+ spaces.
    const m = /^ {2}(-\S.*?)(?: {2,}|$)/.exec(line);
    if (m === null) continue; // wrapped description line
    for (const f of m[1].split(/[ ,]+/)) if (/^--?[A-Za-z][\w-]*$/.test(f)) flags.push(f);
  }
  return flags;
}

function mentions(doc: string, token: string): boolean {
  const esc = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w-])${esc}(?![\\w-])`).test(doc);
}

const COMMANDS: string[][] = [[], ['ingest'], ['watch'], ['capture'], ['tail'], ['ship'], ['consume'], ['honeypot'], ['honeypot', 'summary'], ['honeypot', 'session'], ['honeypot', 'ingest'], ['honeypot', 'retention'], ['db'], ['db', 'migrate'], ['db', 'status'], ['search'], ['pcap'], ['setup'], ['retention'], ['dlq'], ['dlq', 'list'], ['dlq', 'replay'], ['config'], ['config', 'init'], ['config', 'check'], ['config', 'show']];

test('cli.md names every flag that --help prints, for the root and every command', () => {
  const doc = readDoc('cli.md');
  const missing: string[] = [];
  let total = 0;
  for (const cmd of COMMANDS) {
    const r = sluice([...cmd, '--help']);
    assert.equal(r.status, 0, `sluice ${cmd.join(' ')} --help failed: ${r.stderr}`);
    const flags = helpFlags(r.stdout);
    assert.ok(flags.includes('--help'), `no flags parsed from the help of '${cmd.join(' ')}':\n${r.stdout}`);
    total += flags.length;
    for (const f of flags) if (!mentions(doc, f)) missing.push(`sluice ${[...cmd, f].join(' ')}`);
    if (cmd.length > 0) assert.ok(doc.includes(`sluice ${cmd.join(' ')}`), `cli.md has no section for 'sluice ${cmd.join(' ')}'`);
  }
  assert.ok(total >= 15, `only ${total} flags parsed: is the help format still understood?`);
  assert.deepEqual(missing, [], 'flags printed by --help but not documented in docs/reference/cli.md');
});

test('helpFlags reads commander option lines', () => {
  const help = 'Usage: x\n\nOptions:\n  -o, --output <format>  summary format (choices: "table",\n                         "json")\n  --no-progress          never\n  -h, --help             display help\n\nCommands:\n  show  --not-a-flag\n';
  assert.deepEqual(helpFlags(help), ['-o', '--output', '--no-progress', '-h', '--help']);
});

/** Dotted paths of every leaf of a JSON value; array members that are objects go under `path[]`. */
export function fieldPaths(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    const objects = value.filter((v) => v !== null && typeof v === 'object');
    if (objects.length === 0) out.add(prefix);
    for (const v of objects) fieldPaths(v, prefix + '[]', out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) fieldPaths(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else {
    out.add(prefix);
  }
  return out;
}

test('packet-document.md names every field of the sample capture documents and shows a real one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-docs-'));
  try {
    const ingest = sluice(['--data-dir', dir, 'ingest', 'examples/sample.pcap', '--output', 'json']);
    assert.equal(ingest.status, 0, ingest.stderr + ingest.stdout);
    const search = sluice(['--data-dir', dir, 'search', '--output', 'json']);
    assert.equal(search.status, 0, search.stderr);
    const docs = search.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(docs.length >= 10, `expected the sample's documents, got ${docs.length}`);

    const paths = new Set<string>();
    for (const d of docs) fieldPaths(d, '', paths);
    const page = readDoc('packet-document.md');
    const missing = [...paths].filter((p) => !page.includes('`' + p + '`')).sort();
    assert.deepEqual(missing, [], 'fields of real documents not documented in docs/reference/packet-document.md');

    // The "Complete example" is the HTTP request packet (frame 6), verbatim.
    const example = /## Complete example[\s\S]*?```json\n([\s\S]*?)\n```/.exec(page);
    assert.ok(example, 'packet-document.md has no ```json block under "## Complete example"');
    const frame6 = docs.find((d) => (d.pcap as { frame?: number } | undefined)?.frame === 6);
    assert.ok(frame6, 'no frame 6 in the sample');
    assert.deepEqual(JSON.parse(example[1]), frame6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

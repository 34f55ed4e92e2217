/** The real Cowrie logs of the shared corpus, for the tests (not part of the public API). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** /work/shared/corpus/honeypot, beside the repository (this file runs from dist/src/decoders/honeypot/). */
export const HONEYPOT_CORPUS_DIR = new URL('../../../../../shared/corpus/honeypot/', import.meta.url).pathname;

/** The two Cowrie JSON logs: 2018 (Cowrie 1.x/2.x shape, spaced JSON, `system`/`isError`) and 2026 (current, compact, `uuid`, kex/hassh). */
export const CORPUS_LOGS = ['kareiva__cowrie.json.2018-05-06', 'bilal05tariq__cowrie.json.2026-04'] as const;

/** The lines of a corpus log, each as the Buffer it is in the file (without its LF), with its byte offset. */
export function corpusLines(name: string): { line: Buffer; offset: number }[] {
  const path = join(HONEYPOT_CORPUS_DIR, name);
  if (!existsSync(path)) throw new Error(`the shared corpus is missing at ${path}: CI clones ../shared beside the repository`);
  const data = readFileSync(path);
  const out: { line: Buffer; offset: number }[] = [];
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf(0x0a, start);
    if (end < 0) end = data.length;
    out.push({ line: data.subarray(start, end), offset: start });
    start = end + 1;
  }
  return out;
}

/** The first corpus line (as text) whose eventid is `eventid`, searching both logs (newest first). */
export function corpusLine(eventid: string, log?: string): string {
  for (const name of log ? [log] : [...CORPUS_LOGS].reverse()) {
    for (const { line } of corpusLines(name)) {
      const text = line.toString('utf8');
      if ((JSON.parse(text) as { eventid: string }).eventid === eventid) return text;
    }
  }
  throw new Error(`no ${eventid} line in the corpus`);
}

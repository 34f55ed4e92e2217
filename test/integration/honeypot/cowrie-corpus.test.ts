/**
 * Every line of both real Cowrie logs in the shared corpus parses into a known event, and the
 * counts per event id equal a count made independently (JSON.parse per line, like `jq -r .eventid
 * | sort | uniq -c`). The counts are printed for the report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCowrieLine } from '../../../src/decoders/honeypot/parse-cowrie-line.js';
import { cowrieEventToEcs } from '../../../src/decoders/honeypot/cowrie-ecs.js';
import { HONEYPOT_CORPUS_DIR, CORPUS_LOGS, corpusLines } from '../../../src/decoders/honeypot/test-support.js';

function independentCounts(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const l of readFileSync(join(HONEYPOT_CORPUS_DIR, file), 'utf8').split('\n')) {
    if (l.trim() === '') continue;
    const id = (JSON.parse(l) as { eventid: string }).eventid;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

for (const log of CORPUS_LOGS) {
  test(`${log}: every line parses, counts per eventid match, nothing flagged`, () => {
    const counts = new Map<string, number>();
    const rejects: string[] = [];
    let lines = 0;
    for (const { line, offset } of corpusLines(log)) {
      if (line.length === 0) continue;
      lines++;
      const r = parseCowrieLine(line, { offset, terminated: true });
      if (!r.ok) {
        rejects.push(`${offset}: ${r.reason}`);
        continue;
      }
      assert.equal(r.event.known, true, `${r.event.eventid} is in the table`);
      assert.deepEqual(r.event.flags, [], `offset ${offset} is clean`);
      assert.ok(r.event.src_ip, `offset ${offset} has src_ip`);
      assert.ok(r.event.session, `offset ${offset} has a session`);
      const doc = cowrieEventToEcs(r.event) as { '@timestamp': string; event: { original: string } };
      assert.equal(doc.event.original, line.toString('utf8'));
      counts.set(r.event.eventid, (counts.get(r.event.eventid) ?? 0) + 1);
    }
    assert.deepEqual(rejects, []);
    const expected = independentCounts(log);
    assert.deepEqual(new Map([...counts].sort()), new Map([...expected].sort()));
    console.log(`# ${log}: ${lines} lines, 0 rejects: ${[...counts].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  });
}

test('both logs: every Cowrie event with a protocol has it (2018 lines get it from system)', () => {
  for (const log of CORPUS_LOGS) {
    for (const { line } of corpusLines(log)) {
      if (line.length === 0) continue;
      const r = parseCowrieLine(line);
      assert.ok(r.ok && r.event.protocol === 'ssh', `${log}: ${line.subarray(0, 60)}`);
    }
  }
});

test('a log being written: the unterminated last line is incomplete, every line before it parses', () => {
  const data = readFileSync(join(HONEYPOT_CORPUS_DIR, CORPUS_LOGS[1]));
  const cut = data.subarray(0, data.length - 150); // the file mid-write
  const lastNl = cut.lastIndexOf(0x0a);
  const results = cut
    .subarray(0, lastNl)
    .toString('utf8')
    .split('\n')
    .map((l) => parseCowrieLine(l, { terminated: true }));
  assert.ok(results.every((r) => r.ok));
  const tail = parseCowrieLine(cut.subarray(lastNl + 1), { offset: lastNl + 1, terminated: false });
  assert.equal(!tail.ok && tail.reason, 'incomplete');
});

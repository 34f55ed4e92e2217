/**
 * Pins what the detector reports — rule id, request part and matching text of every hit — on the
 * real 10,000-line Apache log (parsed by the access-log decoder, as the pipeline does) and on every
 * labelled sample, so that speed work on the matcher cannot change a single result.
 *
 * The pinned files were written by the detector before its prefilter was rebuilt (issue 6). After a
 * deliberate rule change, rewrite them with SLUICE_UPDATE_PINS=1 and review the diff.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../config/test-support.js';
import { createAccessLogParser } from '../../decoders/access-log/index.js';
import fc from 'fast-check';
import { normalizeHeader, normalizePath, normalizeQuery, splitTarget } from './normalize-request.js';
import type { RuleField, WebAttackRule } from './rule-file.js';
import { WebAttackDetector, type ThreatHit, type WebRequestView } from './web-attack-detector.js';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/web-attacks');
const LOG = '/work/shared/corpus/access-logs/elastic-examples-apache_logs.log';
const UPDATE = process.env.SLUICE_UPDATE_PINS === '1';

const detector = WebAttackDetector.load();

/** `SLW-0401 url "/etc/passwd"` per hit, strongest first, joined by tabs (JSON keeps tabs and quotes readable). */
function describeHits(hits: readonly ThreatHit[]): string {
  return hits.map((h) => `${h.rule.id} ${h.field} ${JSON.stringify(h.match)}`).join('\t');
}

function comparePinned(file: string, header: string, rows: string[]): void {
  const path = join(FIXTURES, file);
  const text = `${header}\n${rows.join('\n')}\n`;
  if (UPDATE) writeFileSync(path, text);
  const pinned = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  // Row by row first, so that a failure names the lines that changed rather than one huge diff.
  const changed: string[] = [];
  const byKey = (list: string[]): Map<string, string> => new Map(list.map((l) => [l.slice(0, l.indexOf('\t')), l]));
  const want = byKey(pinned);
  const got = byKey(rows);
  for (const [key, line] of want) if (got.get(key) !== line) changed.push(`- ${line}\n+ ${got.get(key) ?? '(no hit)'}`);
  for (const [key, line] of got) if (!want.has(key)) changed.push(`- (no hit)\n+ ${line}`);
  assert.deepEqual(changed, [], `${file} differs (SLUICE_UPDATE_PINS=1 rewrites it after a deliberate rule change)`);
  assert.equal(rows.length, pinned.length);
}

describe('the detector gives exactly the pinned results', () => {
  it('on every line of the real 10,000-line Apache log, parsed by the access-log decoder', () => {
    const parser = createAccessLogParser({ format: 'apache_combined' });
    const lines = readFileSync(LOG, 'utf8').split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 10_000);
    const rows: string[] = [];
    lines.forEach((line, i) => {
      const doc = parser.parseLine(line, 0);
      const hits = detector.enrich(doc);
      if (hits.length > 0) rows.push(`${i + 1}\t${describeHits(hits)}`);
    });
    assert.equal(rows.length, 53, 'the log has 53 flagged lines');
    comparePinned('apache-log-hits.tsv', '# line number in elastic-examples-apache_logs.log <TAB> rule field "match", one per hit (written by web-attack-detector-pinned.test.ts)', rows);
  });

  it('on every labelled positive and benign sample', () => {
    const rows: string[] = [];
    for (const file of ['positive.tsv', 'benign.tsv']) {
      readFileSync(join(FIXTURES, file), 'utf8')
        .split('\n')
        .forEach((text, i) => {
          if (text === '' || text.startsWith('#')) return;
          const [, field, ...rest] = text.split('\t');
          const hits = detector.detect(request(field, rest.join('\t')));
          rows.push(`${file}:${i + 1}\t${describeHits(hits)}`);
        });
    }
    comparePinned('sample-hits.tsv', '# sample file:line <TAB> rule field "match", one per hit, empty when none (written by web-attack-detector-pinned.test.ts)', rows);
  });
});

/**
 * The detector as it was before the literal scan (every rule in turn, `includes` per literal, every
 * regex), kept as the reference for the property test below.
 */
function referenceDetect(rules: readonly WebAttackRule[], r: WebRequestView): string {
  const ordered = [...rules].sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  const byField = new Map<RuleField, WebAttackRule[]>();
  for (const rule of ordered) for (const f of rule.fields) byField.set(f, [...(byField.get(f) ?? []), rule]);
  const parts: Partial<Record<RuleField, string>> = {};
  let path = r.url?.path;
  let query = r.url?.query;
  if (r.url?.original !== undefined && r.url.original !== '') ({ path, query } = splitTarget(r.url.original));
  const p = path !== undefined ? normalizePath(path) : undefined;
  const q = query !== undefined ? normalizeQuery(query) : undefined;
  if (p !== undefined) parts.path = p;
  if (q !== undefined) parts.query = q;
  if (p !== undefined || q !== undefined) parts.url = q === undefined ? p : `${p ?? ''}?${q}`;
  if (r.user_agent?.original !== undefined) parts.user_agent = normalizeHeader(r.user_agent.original);
  const ref = r.http?.request?.referrer;
  if (ref !== undefined && ref !== '-') parts.referrer = normalizeQuery(ref);
  if (r.http?.request?.method !== undefined) parts.method = r.http.request.method.toLowerCase();
  const hits: { rule: WebAttackRule; field: RuleField; match: string }[] = [];
  const fired = new Set<string>();
  for (const [field, list] of byField) {
    const text = parts[field];
    if (text === undefined || text === '') continue;
    for (const rule of list) {
      if (fired.has(rule.id)) continue;
      if (rule.prefilter !== undefined && !rule.prefilter.some((l) => text.includes(l.toLowerCase()))) continue;
      let match: string | undefined;
      if (rule.equals?.some((e) => e.toLowerCase() === text)) match = text.slice(0, 120);
      match ??= rule.contains?.map((l) => l.toLowerCase()).find((l) => text.includes(l));
      if (match === undefined) {
        for (const source of rule.regex ?? []) {
          const m = new RegExp(source, 'i').exec(text);
          if (m !== null) {
            match = m[0].slice(0, 120);
            break;
          }
        }
      }
      if (match === undefined) continue;
      fired.add(rule.id);
      hits.push({ rule, field, match });
    }
  }
  hits.sort((a, b) => b.rule.score - a.rule.score || a.rule.id.localeCompare(b.rule.id));
  return describeHits(hits);
}

describe('the detector agrees with checking every rule in turn (property)', () => {
  it('on requests assembled from rule literals, payload pieces and encodings', () => {
    const rules = detector.ruleSet.rules;
    const literals = [...new Set(rules.flatMap((r) => [...(r.prefilter ?? []), ...(r.contains ?? []), ...(r.equals ?? [])]))];
    const samples = readFileSync(join(FIXTURES, 'positive.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.split('\t').slice(2).join('\t'));
    // Pieces of real payloads (cut at random places) and literals, upper-cased or percent-encoded at times.
    const piece = fc.oneof(
      fc.constantFrom(...literals),
      fc.tuple(fc.constantFrom(...samples), fc.nat(), fc.nat()).map(([s, a, b]) => s.slice(Math.min(a, b) % (s.length + 1), Math.max(a, b) % (s.length + 1))),
      fc.constantFrom('/', '?', '&', '=', ' ', '%2f', '%252e', '%27', '+', '..', '%00', '&#60;', 'a', '1', '(', ')', ';', 'é'),
    );
    const vary = (s: string, how: number): string => (how === 1 ? s.toUpperCase() : how === 2 ? encodeURIComponent(s) : s);
    const text = fc.array(fc.tuple(piece, fc.integer({ min: 0, max: 5 })), { maxLength: 8 }).map((a) => a.map(([p, how]) => vary(p, how)).join(''));
    const req = fc.record(
      { url: text.map((t) => (t.startsWith('/') ? t : `/${t}`)), ua: text, referrer: text, method: fc.constantFrom('GET', 'POST', 'TRACE', 'connect', 'debug') },
      { requiredKeys: ['url'] },
    );
    let flagged = 0;
    fc.assert(
      fc.property(req, (r) => {
        const view: WebRequestView = { url: { original: r.url }, http: { request: { method: r.method, referrer: r.referrer } }, user_agent: r.ua !== undefined ? { original: r.ua } : undefined };
        const got = describeHits(detector.detect(view));
        if (got !== '') flagged++;
        assert.equal(got, referenceDetect(rules, view), JSON.stringify(view));
      }),
      { numRuns: 4000 },
    );
    assert.ok(flagged > 1000, `only ${flagged} flagged requests: the property tested too little`);
  });
});

function request(field: string, value: string): WebRequestView {
  switch (field) {
    case 'url':
      return { url: { original: value } };
    case 'user_agent':
      return { user_agent: { original: value } };
    case 'referrer':
      return { http: { request: { referrer: value } } };
    case 'method':
      return { http: { request: { method: value } } };
    default:
      throw new Error(`unknown fixture field ${field}`);
  }
}

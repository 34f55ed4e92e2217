import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isSluiceError } from '../../errors.js';
import { builtinRulesPath, loadWebAttackRules } from './rule-file.js';
import { WebAttackDetector } from './web-attack-detector.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-rules-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function rulesError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isSluiceError(err, 'SLUICE_RULES_INVALID'), String(err));
    return err.message;
  }
  assert.fail('expected SLUICE_RULES_INVALID');
}

const MITRE = 'mitre:\n  tactics: { TA0001: Initial Access }\n  techniques: { T1190: { name: Exploit Public-Facing Application, tactics: [TA0001] } }\n';

describe('rule files', () => {
  it('finds the bundled rules at the repository root from dist/src/enrichers/threat', () => {
    assert.ok(existsSync(builtinRulesPath()), builtinRulesPath());
    assert.match(builtinRulesPath(), /rules[\\/]web-attacks\.yaml$/);
    const set = loadWebAttackRules();
    assert.ok(set.rules.length >= 30);
    assert.equal(new Set(set.rules.map((r) => r.id)).size, set.rules.length);
    for (const c of ['sqli', 'xss', 'path_traversal', 'lfi', 'rfi', 'command_injection', 'scanner', 'exploit_probe', 'webshell', 'log4shell']) {
      assert.ok(set.rules.some((r) => r.category === c), c);
    }
  });

  it('names the file, the rule and the field of every problem', () => {
    const bad = file(
      'bad.yaml',
      `${MITRE}rules:\n` +
        '  - { id: X-0001, name: a, category: sqli, severity: high, score: 150, mitre: [T1190], fields: [url], contains: [x] }\n' +
        "  - { id: X-0002, name: b, category: sqli, severity: high, score: 50, mitre: [T1190], fields: [url], regex: ['(unclosed'] }\n" +
        '  - { id: X-0003, name: c, category: sqli, severity: extreme, score: 50, mitre: [T1190], fields: [cookie], contains: [x] }\n' +
        '  - { id: X-0004, name: d, category: sqli, severity: low, score: 5, mitre: [T1190], fields: [url] }\n' +
        '  - { id: X-0005, name: e, category: sqli, severity: low, score: 5, mitre: [T1190], fields: [url], contains: [x], colour: red }\n',
    );
    const message = rulesError(() => loadWebAttackRules({ builtin: false, rulesPaths: [bad] }));
    assert.match(message, /bad\.yaml is invalid/);
    assert.match(message, /rule X-0001 \(rules\.0\): score: Number must be less than or equal to 100/);
    assert.match(message, /rule X-0002 \(rules\.1\): regex\.0: Invalid regular expression/);
    assert.match(message, /rule X-0003 \(rules\.2\): severity: /);
    assert.match(message, /rule X-0003 \(rules\.2\): fields\.0: /);
    assert.match(message, /rule X-0004 \(rules\.3\): \(rule\): needs at least one of contains, equals or regex/);
    assert.match(message, /rule X-0005 \(rules\.4\): \(rule\): Unrecognized key\(s\) in object: 'colour'/);
  });

  it('rejects unknown techniques, bad YAML and missing files', () => {
    const unknown = file('unknown.yaml', "rules:\n  - { id: X-0001, name: a, category: sqli, severity: high, score: 50, mitre: [T9999], fields: [url], contains: [x] }\n");
    assert.match(rulesError(() => loadWebAttackRules({ builtin: false, rulesPaths: [unknown] })), /rule X-0001: mitre: T9999 is not in any file's mitre\.techniques table/);
    const yaml = file('broken.yaml', 'rules: [ {');
    assert.match(rulesError(() => loadWebAttackRules({ builtin: false, rulesPaths: [yaml] })), /broken\.yaml is not valid YAML/);
    assert.match(rulesError(() => loadWebAttackRules({ rulesPaths: [join(dir, 'none.yaml')] })), /none\.yaml cannot be read \(ENOENT\)/);
  });

  it('lets a user file replace, switch off and add rules on top of the bundled ones', () => {
    const user = file(
      'local.yaml',
      'ruleset: acme-local\nversion: 3\n' +
        `${MITRE}rules:\n` +
        '  - { id: SLW-1002, enabled: false }\n' +
        "  - { id: SLW-0901, name: 'Scanner (local list)', category: scanner, severity: low, score: 10, mitre: [T1190], fields: [user_agent], contains: [acme-scanner] }\n" +
        '  - { id: ACME-0001, name: Internal admin path, category: exploit_probe, severity: medium, score: 45, mitre: [T1190], fields: [path], equals: [/internal/admin] }\n',
    );
    const detector = WebAttackDetector.load({ rulesPaths: [user] });
    assert.deepEqual(detector.detect({ url: { original: '/wp-login.php' } }), [], 'SLW-1002 switched off');
    assert.deepEqual(detector.detect({ user_agent: { original: 'sqlmap/1.5' } }), [], 'SLW-0901 replaced');
    const acme = detector.detect({ user_agent: { original: 'ACME-Scanner 1.0' } });
    assert.equal(acme[0]?.rule.score, 10);
    assert.equal(acme[0]?.rule.ruleset, 'acme-local');
    assert.equal(acme[0]?.rule.version, '3');
    assert.equal(detector.detect({ url: { original: '/Internal//Admin' } })[0]?.rule.id, 'ACME-0001');
    assert.equal(detector.detect({ url: { original: '/?x=${jndi:ldap://a/b}' } })[0]?.rule.id, 'SLW-0801', 'other bundled rules stay');
    const off = file('off.yaml', 'rules:\n  - { id: NOPE-0001, enabled: false }\n');
    assert.match(rulesError(() => loadWebAttackRules({ rulesPaths: [off] })), /there is no earlier rule NOPE-0001 to switch off/);
  });
});

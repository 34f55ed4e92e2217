import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { requiredLiterals } from './required-literals.js';
import { loadWebAttackRules } from './rule-file.js';

const sorted = (a: string[] | undefined): string[] | undefined => a?.slice().sort();

describe('requiredLiterals', () => {
  it('takes literals, alternations, optional parts and small classes as exact sets', () => {
    assert.deepEqual(sorted(requiredLiterals('abc')), ['abc']);
    assert.deepEqual(sorted(requiredLiterals('(?:foo|bar)baz')), ['barbaz', 'foobaz']);
    assert.deepEqual(sorted(requiredLiterals('zgrab2?')), ['zgrab', 'zgrab2']);
    assert.deepEqual(sorted(requiredLiterals('[/\\\\]x')), ['/x', '\\x']);
    assert.deepEqual(sorted(requiredLiterals('\\bUNION\\b')), ['union'], 'lower case (the text is lower-cased)');
    assert.deepEqual(sorted(requiredLiterals('^/shell\\?cd\\b')), ['/shell?cd']);
  });

  it('keeps the most selective required piece when the expression has gaps', () => {
    assert.deepEqual(sorted(requiredLiterals('\\bunion\\s+select\\b')), ['select']);
    assert.deepEqual(sorted(requiredLiterals('a\\s*(?:x|yy)\\d+bcd')), ['bcd']);
    assert.deepEqual(sorted(requiredLiterals('(?:ab)+')), ['ab']);
    assert.deepEqual(sorted(requiredLiterals('x{2,}')), ['x']);
  });

  it('ignores lookarounds and anchors (they consume nothing)', () => {
    assert.deepEqual(sorted(requiredLiterals('(?<![a-z])id(?=$|[\\s;])')), ['id']);
    assert.deepEqual(sorted(requiredLiterals('(?!abc)def')), ['def']);
  });

  it('gives up (undefined) where a match needs no particular literal', () => {
    for (const re of ['.*', '\\d+', 'a?', '(?:abc)*', '[^x]y?', '(\\w)\\1', 'a|\\d', '[a-z]+', '\\u00e9', 'é', '[\\u00ad-]', '(?:x|)']) {
      assert.equal(requiredLiterals(re), undefined, re);
    }
  });

  it('never gives a set that a match can avoid (property, over the bundled rules)', () => {
    const rules = loadWebAttackRules().rules;
    const regexes = rules.flatMap((r) => r.regex ?? []).map((source) => ({ source, re: new RegExp(source, 'i'), guard: requiredLiterals(source) }));
    // Texts made of the rules' own literals and payload pieces, so that many of them match.
    const pieces = [...new Set(regexes.flatMap((r) => r.guard ?? []))];
    const extra = ["'", '"', '`', ' ', '(', ')', '=', '&', ';', '|', '/', '\\', '.', '..', '<', '>', '{', '}', '$', '#', '-', '--', '1', '0x4a', ':', '?', ' or ', ' and ', 'a', 'x', '\n', '\u00ad'];
    const text = fc.array(fc.constantFrom(...pieces, ...extra), { maxLength: 12 }).map((a) => a.join('').toLowerCase());
    let matched = 0;
    fc.assert(
      fc.property(text, (t) => {
        for (const r of regexes) {
          if (!r.re.test(t)) continue;
          matched++;
          if (r.guard !== undefined) assert.ok(r.guard.some((g) => t.includes(g)), `${r.source} matches ${JSON.stringify(t)} without any of ${JSON.stringify(r.guard)}`);
        }
      }),
      { numRuns: 3000 },
    );
    assert.ok(matched > 500, `only ${matched} regex matches: the property tested too little`);
  });

  it('derives a set for every regex of the bundled rules that can be derived by hand', () => {
    const missing = loadWebAttackRules()
      .rules.flatMap((r) => (r.regex ?? []).map((source) => ({ id: r.id, source })))
      .filter((r) => requiredLiterals(r.source) === undefined);
    assert.deepEqual(missing, []);
  });
});

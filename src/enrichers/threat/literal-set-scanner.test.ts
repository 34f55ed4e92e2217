import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LiteralSetScanner } from './literal-set-scanner.js';

function found(scanner: LiteralSetScanner, text: string): string[] {
  const marks = new Uint32Array(scanner.literals.length);
  scanner.scan(text, marks, 7);
  return scanner.literals.filter((_, i) => marks[i] === 7);
}

describe('LiteralSetScanner', () => {
  it('finds overlapping, nested and repeated literals in one pass', () => {
    const s = new LiteralSetScanner(['he', 'she', 'his', 'hers', 'e', 'union', 'on', '..', '../']);
    assert.deepEqual(found(s, 'ushers'), ['he', 'she', 'hers', 'e']);
    assert.deepEqual(found(s, 'union select'), ['e', 'union', 'on']);
    assert.deepEqual(found(s, '/a/.../b'), ['..', '../']);
    assert.deepEqual(found(s, 'nothing here!'), ['he', 'e']);
    assert.deepEqual(found(s, ''), []);
  });

  it('marks with the stamp given and leaves other marks alone (no clearing between scans)', () => {
    const s = new LiteralSetScanner(['ab', 'cd']);
    const marks = new Uint32Array(2);
    assert.equal(s.scan('xxabxx', marks, 1), 1);
    assert.equal(s.scan('cd', marks, 2), 1);
    assert.deepEqual([...marks], [1, 2]);
  });

  it('refuses an empty literal', () => {
    assert.throws(() => new LiteralSetScanner(['a', '']), RangeError);
  });

  it('agrees with String.prototype.includes on any literals and text (property)', () => {
    // A small alphabet makes overlaps and shared prefixes/suffixes common; non-ASCII and a
    // code unit above 0xff exercise the class table.
    const char = fc.constantFrom('a', 'b', 'c', '/', '.', '%', 'é', '\u2028', '\0');
    const str = (min: number, max: number) => fc.array(char, { minLength: min, maxLength: max }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.uniqueArray(str(1, 5), { minLength: 1, maxLength: 30 }), fc.array(str(0, 40), { minLength: 1, maxLength: 5 }), (literals, texts) => {
        const s = new LiteralSetScanner(literals);
        for (const text of texts) assert.deepEqual(found(s, text), literals.filter((l) => text.includes(l)));
      }),
      { numRuns: 500 },
    );
  });
});

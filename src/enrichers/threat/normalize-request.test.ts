import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeHtmlEntities, decodeRepeatedly, normalizeHeader, normalizePath, normalizeQuery, percentDecodeOnce, splitTarget } from './normalize-request.js';

describe('request normalisation', () => {
  it('percent-decodes once, tolerating malformed escapes and decoding UTF-8 runs', () => {
    assert.equal(percentDecodeOnce('%2e%2E%2f'), '../');
    assert.equal(percentDecodeOnce('100%'), '100%');
    assert.equal(percentDecodeOnce('%zz%4'), '%zz%4');
    assert.equal(percentDecodeOnce('caf%C3%A9'), 'café');
    assert.equal(percentDecodeOnce('%u002e%u002E/'), '../');
    assert.equal(percentDecodeOnce('..%c0%af..%c0%ae'), '../...');
    assert.equal(percentDecodeOnce('%e0%80%ae'), '.');
    assert.equal(percentDecodeOnce('%ff'), '\ufffd');
    const s = 'no escapes';
    assert.equal(percentDecodeOnce(s), s);
  });

  it('decodes repeatedly until stable, at most four rounds', () => {
    assert.equal(decodeRepeatedly('%252e%252e%252f', false), '../');
    assert.equal(decodeRepeatedly('%25252e', false), '.');
    // Five levels: stops after four rounds with one level left.
    assert.equal(decodeRepeatedly('%252525252e', false), '%2e');
    assert.equal(decodeRepeatedly('a+b%2Bc', true), 'a b c');
    assert.equal(decodeRepeatedly('a+b', false), 'a+b');
  });

  it('decodes the HTML character references that matter for XSS', () => {
    assert.equal(decodeHtmlEntities('&lt;script&gt;&#x61;&#108;ert&lpar;1&rpar;'), '<script>alert(1)');
    assert.equal(decodeHtmlEntities('&#60img&#62'), '<img>');
    assert.equal(decodeHtmlEntities('&unknown; &amp;'), '&unknown; &');
  });

  it('normalises paths: separators, dot segments, NULs and case; .. is kept', () => {
    assert.equal(normalizePath('/A//B/./c/.'), '/a/b/c/');
    assert.equal(normalizePath('/a\\..\\..\\Windows'), '/a/../../windows');
    assert.equal(normalizePath('./x/%2E/y'), 'x/y');
    assert.equal(normalizePath('/etc/passwd%00.jpg'), '/etc/passwd.jpg');
    assert.equal(normalizePath('/%2e%2e/%2E%2E/'), '/../../');
  });

  it('normalises queries and headers', () => {
    assert.equal(normalizeQuery('Q=O%27Brien+%26+Sons'), "q=o'brien & sons");
    assert.equal(normalizeQuery('x=%253Cscript%253E'), 'x=<script>');
    assert.equal(normalizeHeader('Mozilla\u0000/5.0 ${JNDI:'), 'mozilla/5.0 ${jndi:');
    assert.deepEqual(splitTarget('/a?b=c?d#e'), { path: '/a', query: 'b=c?d#e' });
    assert.deepEqual(splitTarget('/a'), { path: '/a', query: undefined });
  });

  it('never throws and leaves no NUL, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const p = normalizePath(s);
        const q = normalizeQuery(s);
        assert.equal(typeof p, 'string');
        assert.equal(typeof q, 'string');
        assert.ok(!p.includes('\0') && !q.includes('\0'));
      }),
      { numRuns: 2000 },
    );
  });
});

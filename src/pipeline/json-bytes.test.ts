import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JsonBytes } from './json-bytes.js';

const RUNS = Number(process.env.SLUICE_FUZZ_RUNS ?? 300);

test('str() writes exactly what JSON.stringify writes, for any well-formed string', () => {
  const out = new JsonBytes(16); // small, so that growing is exercised too
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 50 }), (a, b) => {
      for (const s of [a, b.replace(/[\ud800-\udfff]/g, '')]) {
        out.reset();
        out.str(s);
        assert.equal(JSON.parse(out.view().toString('utf8')), s);
      }
    }),
    { seed: 42, numRuns: RUNS },
  );
});

test('str() escapes quotes, backslashes and control characters, and replaces lone surrogates', () => {
  const out = new JsonBytes(4);
  out.str('a"b\\c\n\u0000\u007f\u00e9\ud83d\ude00');
  assert.equal(out.view().toString('utf8'), '"a\\"b\\\\c\\u000a\\u0000\\u007fé😀"');
  out.reset();
  out.str('x\ud800y');
  assert.equal(JSON.parse(out.view().toString('utf8')), 'x\ufffdy');
});

test('int() prints integers like String(), including 0, negatives and 2^32 - 1', () => {
  const out = new JsonBytes(8);
  fc.assert(
    fc.property(fc.oneof(fc.integer(), fc.constantFrom(0, 9, 10, 4294967295, -1, Number.MAX_SAFE_INTEGER)), (n) => {
      out.reset();
      out.int(n);
      assert.equal(out.view().toString('latin1'), String(n));
    }),
    { seed: 7, numRuns: RUNS },
  );
});

test('the unchecked writers agree with the checked ones', () => {
  const out = new JsonBytes(64);
  fc.assert(
    fc.property(fc.oneof(fc.nat(), fc.constantFrom(0, 9, 10, 99, 100, 999, 2147483647, 2147483648, 4294967295, Number.MAX_SAFE_INTEGER)), fc.string({ maxLength: 40 }), (n, s) => {
      out.reset();
      out.ensure(64);
      out.rawUint(n);
      assert.equal(out.view().toString('latin1'), String(n));
      out.reset();
      out.ensure(64);
      out.rawBytes(Buffer.from('0123456789abcdefghij'));
      out.rawBytes(Buffer.from('xy'));
      out.rawByte(44);
      out.rawPlain('1.2.3.4');
      assert.equal(out.view().toString('latin1'), '0123456789abcdefghijxy,1.2.3.4');
      out.reset();
      out.strReserve(s);
      assert.equal(JSON.parse(out.view().toString('utf8')), s.replace(/[\ud800-\udfff]/g, '\ufffd'));
      assert.ok(out.buf.length - out.pos >= out.slack);
    }),
    { seed: 11, numRuns: RUNS },
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineSplitter, type LineReceiver } from './line-splitter.js';

interface Got {
  text: string;
  offset: number;
  next: number;
  truncated: boolean;
}

function collector(stopAfter = Infinity): LineReceiver & { got: Got[] } {
  const got: Got[] = [];
  return {
    got,
    line(data, offset, next, truncated) {
      got.push({ text: data.toString('latin1'), offset, next, truncated });
      return got.length < stopAfter;
    },
  };
}

test('lines with exact offsets; CRLF stripped; the partial last line is held', () => {
  const s = new LineSplitter(0);
  const r = collector();
  s.push(Buffer.from('a\r\nbb\n\nccc'), r);
  assert.deepEqual(r.got, [
    { text: 'a', offset: 0, next: 3, truncated: false },
    { text: 'bb', offset: 3, next: 6, truncated: false },
    { text: '', offset: 6, next: 7, truncated: false },
  ]);
  assert.equal(s.lineStart, 7);
  assert.equal(s.pendingBytes, 3);
  s.push(Buffer.from('c'), r);
  assert.equal(r.got.length, 3, 'no newline yet: nothing emitted');
  s.push(Buffer.from('\nd'), r);
  assert.deepEqual(r.got[3], { text: 'cccc', offset: 7, next: 12, truncated: false });
  assert.equal(s.flushPartial(r), true);
  assert.deepEqual(r.got[4], { text: 'd', offset: 12, next: 13, truncated: false });
  assert.equal(s.flushPartial(r), false);
});

test('a line split across many chunks (even inside CRLF) is whole', () => {
  const s = new LineSplitter(100);
  const r = collector();
  for (const piece of ['{"eventid":', '"cowrie.login', '.failed"}\r', '\n']) s.push(Buffer.from(piece), r);
  assert.deepEqual(r.got, [{ text: '{"eventid":"cowrie.login.failed"}', offset: 100, next: 135, truncated: false }]);
});

test('non-UTF-8 bytes are kept as they are', () => {
  const s = new LineSplitter(0);
  const got: Buffer[] = [];
  s.push(Buffer.from([0x47, 0x45, 0x54, 0x20, 0xff, 0xfe, 0x00, 0x0a]), { line: (d) => (got.push(Buffer.from(d)), true) });
  assert.deepEqual([...got[0]], [0x47, 0x45, 0x54, 0x20, 0xff, 0xfe, 0x00]);
});

test('lines longer than maxLineBytes are cut and flagged; offsets span the whole line', () => {
  const s = new LineSplitter(0, 4);
  const r = collector();
  s.push(Buffer.from('abcdefgh\nxy\nlong'), r);
  s.push(Buffer.from('erstill'), r);
  s.push(Buffer.from('\nz\n'), r);
  assert.deepEqual(r.got, [
    { text: 'abcd', offset: 0, next: 9, truncated: true },
    { text: 'xy', offset: 9, next: 12, truncated: false },
    { text: 'long', offset: 12, next: 24, truncated: true },
    { text: 'z', offset: 24, next: 26, truncated: false },
  ]);
});

test('the receiver can stop the splitter after a line (backpressure); the rest is pushed again', () => {
  const s = new LineSplitter(0);
  const r = collector(2);
  const chunk = Buffer.from('1\n2\n3\n4\n');
  const used = s.push(chunk, r);
  assert.equal(used, 4);
  assert.equal(s.fedEnd, 4);
  const r2 = collector();
  s.push(chunk.subarray(used), r2);
  assert.deepEqual(r2.got.map((g) => [g.text, g.offset]), [['3', 4], ['4', 6]]);
});

test('property: any chunking yields the same lines, and offsets tile the input', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('a', 'b', '\n', '\r', '\xff'), { maxLength: 200 }), fc.array(fc.nat(20), { maxLength: 30 }), (chars, cuts) => {
      const input = Buffer.from(chars.join(''), 'latin1');
      const whole = collector();
      const s1 = new LineSplitter(0, 8);
      s1.push(input, whole);
      s1.flushPartial(whole);
      const pieces = collector();
      const s2 = new LineSplitter(0, 8);
      let at = 0;
      for (const c of cuts) {
        const end = Math.min(input.length, at + c);
        s2.push(input.subarray(at, end), pieces);
        at = end;
      }
      s2.push(input.subarray(at), pieces);
      s2.flushPartial(pieces);
      assert.deepEqual(pieces.got, whole.got);
      let expect = 0;
      for (const g of whole.got) {
        assert.equal(g.offset, expect);
        assert.ok(g.text.length <= 8);
        expect = g.next;
      }
      assert.equal(expect, input.length);
    }),
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCowrieLine } from './parse-cowrie-line.js';
import { cowrieEventToEcs, cowrieRejectToEcs } from './cowrie-ecs.js';
import { corpusLine } from './test-support.js';

/** Parse + map must never throw, and what they produce must serialise. */
function roundTrip(input: string | Buffer, terminated?: boolean): void {
  const r = parseCowrieLine(input, terminated === undefined ? undefined : { offset: 0, terminated }, { maxFieldBytes: 256 });
  if (r.ok) {
    const doc = cowrieEventToEcs(r.event);
    const json = JSON.stringify(doc);
    // Every string in the document is well-formed UTF-16 (so valid UTF-8 on the wire) and has no raw controls but TAB.
    for (let i = 0; i < json.length; i++) assert.ok(json.charCodeAt(i) >= 0x20, 'JSON.stringify escapes controls');
    assert.ok(!/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/.test(r.event.input ?? ''), 'no raw control characters in input');
  } else {
    cowrieRejectToEcs(r, '2026-01-01T00:00:00Z');
    assert.equal(typeof r.error, 'string');
  }
}

const real = corpusLine('cowrie.client.kex');

test('parseCowrieLine never throws: arbitrary strings, bytes and JSON objects', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.option(fc.boolean()), (s, t) => roundTrip(s, t ?? undefined)), { numRuns: 2000 });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (b) => roundTrip(Buffer.from(b))), { numRuns: 2000 });
  fc.assert(
    fc.property(fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 })), fc.constantFrom('cowrie.login.failed', 'cowrie.x', undefined), (obj, eventid) => {
      const o: Record<string, unknown> = { ...obj, timestamp: '2026-01-01T00:00:00.123Z' };
      if (eventid) o.eventid = eventid;
      roundTrip(JSON.stringify(o));
    }),
    { numRuns: 1000 },
  );
});

test('parseCowrieLine never throws on real lines cut, mutated or with bytes flipped', () => {
  const bytes = Buffer.from(real);
  fc.assert(
    fc.property(fc.nat({ max: bytes.length }), fc.array(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), (cut, flips) => {
      const b = Buffer.from(bytes.subarray(0, cut));
      for (const [at, v] of flips) if (at < b.length) b[at] = v;
      roundTrip(b, false);
      roundTrip(b, true);
    }),
    { numRuns: 2000 },
  );
});

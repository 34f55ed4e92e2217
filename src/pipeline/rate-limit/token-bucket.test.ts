import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TokenBucket } from './token-bucket.js';

test('drop: a full bucket gives its burst, then the rate, whole tokens only', () => {
  const b = new TokenBucket(10, 5, 0);
  assert.equal(b.takeUpTo(8, 0), 5, 'starts full: the burst');
  assert.equal(b.takeUpTo(1, 0), 0, 'empty');
  assert.equal(b.takeUpTo(10, 250), 2, '250 ms at 10/s = 2.5 tokens: 2 whole ones');
  assert.equal(b.takeUpTo(10, 300), 1, 'the half token left plus 0.5 more');
  assert.equal(b.takeUpTo(100, 10_000), 5, 'never more than the burst after a long pause');
});

test('delay: a reservation goes into debt and says how long to wait; the next caller waits for the debt too', () => {
  const b = new TokenBucket(100, 50, 0);
  assert.equal(b.reserve(50, 0), 0, 'the burst is there');
  assert.equal(b.reserve(100, 0), 1000, '100 more at 100/s: 1 s');
  assert.equal(b.reserve(1, 0), 1010, 'one more waits for the whole debt');
  assert.equal(b.reserve(1, 1020), 0, 'after the debt is paid');
  assert.ok(Math.abs(b.available(1020) - 0) < 1e-9);
});

test('a clock that steps back adds nothing and takes nothing', () => {
  const b = new TokenBucket(10, 10, 1000);
  assert.equal(b.takeUpTo(10, 1000), 10);
  assert.equal(b.takeUpTo(10, 500), 0);
  assert.equal(b.takeUpTo(10, 1100), 1, 'counts from the latest time seen');
});

test('bad settings are refused', () => {
  assert.throws(() => new TokenBucket(0, 1, 0), RangeError);
  assert.throws(() => new TokenBucket(1, 0.5, 0), RangeError);
  assert.throws(() => new TokenBucket(Number.POSITIVE_INFINITY, 1, 0), RangeError);
});

test('property: over any run, drop mode grants at most burst + rate·t, and delay mode schedules at most that', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1000 }),
      fc.integer({ min: 1, max: 500 }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 300 })), { minLength: 1, maxLength: 60 }),
      (rate, burst, steps) => {
        const drop = new TokenBucket(rate, burst, 0);
        const delay = new TokenBucket(rate, burst, 0);
        let now = 0;
        let granted = 0;
        const releases: { at: number; n: number }[] = [];
        for (const [dt, n] of steps) {
          now += dt;
          granted += drop.takeUpTo(n, now);
          assert.ok(granted <= burst + (rate * now) / 1000 + 1e-6, `drop granted ${granted} by ${now} ms`);
          releases.push({ at: now + delay.reserve(n, now), n });
        }
        // Delay: events released by time T never exceed burst + rate·T (ms rounding up only delays).
        releases.sort((a, b) => a.at - b.at);
        let released = 0;
        for (const r of releases) {
          released += r.n;
          assert.ok(released <= burst + (rate * r.at) / 1000 + 1e-6, `delay released ${released} by ${r.at} ms`);
        }
      },
    ),
    { numRuns: 300 },
  );
});

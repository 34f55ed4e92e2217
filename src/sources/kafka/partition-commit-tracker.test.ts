import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartitionCommitTracker } from './partition-commit-tracker.js';

test('commits only past a contiguous run of delivered batches, whatever order they finish in', () => {
  const t = new PartitionCommitTracker();
  const a = t.track('t', 0, 1, 0n, 99n);
  const b = t.track('t', 0, 1, 100n, 199n);
  const c = t.track('t', 1, 1, 0n, 9n);
  t.done(b); // finished first, but a (before it) is still on its way
  assert.deepEqual(t.takeCommits(1), []);
  t.done(c);
  assert.deepEqual(t.takeCommits(1), [{ topic: 't', partition: 1, offset: 10n }]);
  t.done(a);
  assert.deepEqual(t.takeCommits(1), [{ topic: 't', partition: 0, offset: 200n }]);
  assert.equal(t.inFlight, 0);
});

test('a rewind (re-read from the committed offset) starts a new run held back until the old run is delivered', () => {
  const t = new PartitionCommitTracker();
  const old = t.track('t', 0, 1, 100n, 199n);
  // The stream went back to offset 100 after a broker restart: the same records again.
  const again = t.track('t', 0, 1, 100n, 199n);
  const next = t.track('t', 0, 1, 200n, 299n);
  t.done(again);
  t.done(next);
  assert.deepEqual(t.takeCommits(1), [], 'held back while the old run is in flight');
  t.done(old);
  assert.deepEqual(t.takeCommits(1), [{ topic: 't', partition: 0, offset: 300n }]);
});

test('points of another generation are never committed (the partition may belong to another member now)', () => {
  const t = new PartitionCommitTracker();
  const r = t.track('t', 3, 4, 0n, 49n);
  t.done(r);
  assert.deepEqual(t.takeCommits(5), []);
  const s = t.track('t', 3, 5, 50n, 99n);
  t.done(s);
  assert.deepEqual(t.takeCommits(5), [{ topic: 't', partition: 3, offset: 100n }]);
});

test('after reset, batches still in flight never commit', () => {
  const t = new PartitionCommitTracker();
  const r = t.track('t', 0, 1, 0n, 9n);
  t.reset();
  t.done(r);
  assert.deepEqual(t.takeCommits(1), []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool } from './buffer-pool.js';

test('a buffer given back is handed out again when it is large enough, a too-small one is not', () => {
  const pool = new BufferPool();
  const big = new ArrayBuffer(4096);
  const small = new ArrayBuffer(512);
  pool.give(big);
  pool.give(small);
  const a = pool.take(1000);
  assert.equal(a.buffer, big);
  assert.equal(a.length, 4096);
  assert.equal(pool.size, 1);
  const b = pool.take(1000); // only the 512-byte one is left: a new buffer
  assert.notEqual(b.buffer, small);
  assert.equal(b.length, 1000);
  assert.equal(pool.take(100).buffer, small);
  assert.equal(pool.size, 0);
});

test('keeps at most maxBuffers, and never a detached (transferred) buffer', () => {
  const pool = new BufferPool(2);
  for (let i = 0; i < 5; i++) pool.give(new ArrayBuffer(64));
  assert.equal(pool.size, 2);
  const gone = new ArrayBuffer(64);
  structuredClone(gone, { transfer: [gone] }); // detaches it: byteLength 0
  const empty = new BufferPool();
  empty.give(gone);
  assert.equal(empty.size, 0);
});

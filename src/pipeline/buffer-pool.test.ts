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

test('the smallest kept buffer that is large enough is handed out (a small request never takes the large one)', () => {
  // A batch's packet-bytes buffer (256 KiB) and documents buffer (4 MiB) share the pool: taking
  // the large one for the packet bytes would leave none for the documents and allocate anyway.
  const pool = new BufferPool();
  const data = new ArrayBuffer(256 * 1024);
  const docs = new ArrayBuffer(4 * 1024 * 1024);
  pool.give(data);
  pool.give(docs);
  assert.equal(pool.take(256 * 1024).buffer, data);
  assert.equal(pool.take(4 * 1024 * 1024).buffer, docs);
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

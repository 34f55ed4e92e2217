import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headRelation, headsCompatible, newFileId, readHead } from './file-fingerprint.js';
import { expandGlobs, globBase, matchesSegment } from './glob.js';

test('heads compare as prefixes: a grown file is the same file, different bytes are not', () => {
  const a = Buffer.from('seq=1\n');
  assert.equal(headRelation(a, Buffer.from('seq=1\n')), 'equal');
  assert.equal(headRelation(a, Buffer.from('seq=1\nseq=2\n')), 'prefix');
  assert.equal(headRelation(Buffer.from('seq=1\nseq=2\n'), a), 'extends');
  assert.equal(headRelation(a, Buffer.from('seq=2\n')), 'different');
  assert.equal(headsCompatible(a, Buffer.from('seq=10\n')), false);
  // Identical first lines, different first bytes later: different files.
  const h1 = Buffer.from('#Fields: date time cs-uri\nA1\n');
  const h2 = Buffer.from('#Fields: date time cs-uri\nB1\n');
  assert.equal(headRelation(h1, h2), 'different');
});

test('readHead reads min(size, N) bytes; a small file is identified by what it has', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-tail-fp-'));
  try {
    const p = join(dir, 'x.log');
    writeFileSync(p, 'x'.repeat(5000));
    const fh = await open(p, 'r');
    assert.equal((await readHead(fh, 5000, 1024)).length, 1024);
    assert.equal((await readHead(fh, 10, 1024)).toString(), 'xxxxxxxxxx');
    assert.equal((await readHead(fh, 0, 1024)).length, 0);
    await fh.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file ids: same head on different inodes or at different times never collide; stable inputs give a stable id', () => {
  const head = Buffer.from('Starting service\n');
  const a = newFileId(head, 1n, 100n, 1_000n);
  assert.equal(a, newFileId(head, 1n, 100n, 1_000n));
  assert.match(a, /^[0-9a-f]{20}$/);
  assert.notEqual(a, newFileId(head, 1n, 101n, 1_000n), 'same first line, other inode');
  assert.notEqual(a, newFileId(head, 1n, 100n, 1_001n), 'same first line, same (reused) inode, later');
  assert.notEqual(a, newFileId(Buffer.from('Starting service\nX'), 1n, 100n, 1_000n));
});

test('glob: *, ?, [..], ** and the dot-file rule', async () => {
  assert.ok(matchesSegment('*.log', 'access.log'));
  assert.ok(!matchesSegment('*.log', '.access.log'));
  assert.ok(matchesSegment('x.log*', 'x.log.1'));
  assert.ok(matchesSegment('x.log.[0-9]', 'x.log.3'));
  assert.ok(!matchesSegment('x.log.[!0-9]', 'x.log.3'));
  assert.ok(matchesSegment('a?c', 'abc'));
  assert.ok(!matchesSegment('a.c', 'abc'), 'a dot is literal');
  const dir = mkdtempSync(join(tmpdir(), 'sluice-tail-glob-'));
  try {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'a/b'), { recursive: true });
    for (const f of ['x.log', 'x.log.1', 'a/y.log', 'a/b/z.log', 'a/b/z.txt', '.hidden.log']) writeFileSync(join(dir, f), '');
    assert.deepEqual(await expandGlobs([join(dir, '*.log*')]), [join(dir, 'x.log'), join(dir, 'x.log.1')]);
    assert.deepEqual(await expandGlobs([join(dir, '**/*.log')]), [join(dir, 'a/b/z.log'), join(dir, 'a/y.log'), join(dir, 'x.log')]);
    assert.deepEqual(await expandGlobs([join(dir, 'missing/*.log')]), []);
    assert.equal(globBase(join(dir, 'a/*/z.log')), join(dir, 'a'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

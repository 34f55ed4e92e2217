import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openLocalStore } from './local-store.js';
import { truncateLargeWal } from './wal-limit.js';

test('a WAL kept from restarting by a reader is truncated once the reader lets go; a small one is left alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-wal-'));
  const store = openLocalStore({ dataDir: dir });
  try {
    store.db.exec('CREATE TABLE t (x BLOB)');
    const insert = store.db.prepare('INSERT INTO t VALUES (?)');
    const row = Buffer.alloc(4096, 1);
    const fill = (rows: number) => store.db.transaction(() => {
      for (let i = 0; i < rows; i++) insert.run(row);
    })();
    fill(10);
    assert.equal(truncateLargeWal(store, 1 << 20, 50), 'small');

    // A reader in a transaction on an old snapshot: automatic checkpoints cannot start the WAL over.
    const reader = new Database(join(dir, 'sluice.db'), { readonly: true });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM t').get();
    for (let i = 0; i < 20; i++) fill(100);
    const grown = statSync(join(dir, 'sluice.db-wal')).size;
    assert.ok(grown > 4 << 20, `WAL ${grown} bytes`);
    assert.equal(truncateLargeWal(store, 1 << 20, 50), 'busy');
    assert.equal(statSync(join(dir, 'sluice.db-wal')).size, grown);

    reader.exec('COMMIT');
    assert.equal(truncateLargeWal(store, 1 << 20, 50), 'truncated');
    assert.equal(statSync(join(dir, 'sluice.db-wal')).size, 0);
    assert.equal((reader.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 2010);
    reader.close();
    // The connection's own busy timeout is back.
    assert.equal(store.db.pragma('busy_timeout', { simple: true }), 10000);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

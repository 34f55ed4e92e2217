/**
 * The `sluice honeypot …` and `sluice db …` command functions against PostgreSQL and SQLite:
 * ingest, every query in JSON (equal on both) and as a table, migrate/status, retention dry run
 * then --apply.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runDbCommand } from '../../../src/cli/commands/db-command.js';
import { runHoneypotIngest, runHoneypotQuery, runHoneypotRetention, type HoneypotQueryKind } from '../../../src/cli/commands/honeypot-command.js';
import type { HoneypotDbOptions } from '../../../src/sinks/relational/index.js';
import { createTestDatabase, skipWithoutPostgres } from '../../support/postgres.js';
import { captureIO, tempDir } from '../../support/temp.js';

const CORPUS = new URL('../../../../../shared/corpus/honeypot/', import.meta.url).pathname;
const FILES = [join(CORPUS, 'bilal05tariq__cowrie.json.2026-04'), join(CORPUS, 'kareiva__cowrie.json.2018-05-06')];

describe('sluice honeypot / sluice db commands', { skip: skipWithoutPostgres() }, () => {
  const tmp = tempDir('sluice-honeypot-cli-');
  let drop: () => Promise<void> = async () => {};
  let dbs: HoneypotDbOptions[] = [];

  before(async () => {
    const pg = await createTestDatabase('sluice_hp_cli');
    drop = pg.drop;
    dbs = [{ dialect: 'postgres', url: pg.url }, { dialect: 'sqlite', path: join(tmp.dir, 'honeypot.db') }];
  });
  after(async () => {
    await drop();
    tmp.cleanup();
  });

  it('db status reports pending before migrate (exit 3) and nothing pending after', async () => {
    for (const database of dbs) {
      const c = captureIO();
      assert.equal(await runDbCommand({ database, action: 'status', output: 'table' }, c.io), 3);
      assert.match(c.out(), /PENDING {2}0001_initial/);
      const m = captureIO();
      assert.equal(await runDbCommand({ database, action: 'migrate', output: 'json' }, m.io), 0);
      assert.deepEqual(JSON.parse(m.out()).applied, ['0001_initial', '0002_incremental_rollups']);
      const again = captureIO();
      assert.equal(await runDbCommand({ database, action: 'migrate', output: 'table' }, again.io), 0);
      assert.match(again.out(), /Already up to date/);
    }
  });

  it('ingests, then answers every query identically on both databases', async () => {
    for (const database of dbs) {
      const c = captureIO();
      await runHoneypotIngest({ database, files: FILES, output: 'json' }, c.io);
      assert.equal(JSON.parse(c.out()).inserted, 707);
    }
    const kinds: HoneypotQueryKind[] = ['summary', 'credentials', 'usernames', 'passwords', 'commands', 'downloads', 'patterns'];
    for (const what of kinds) {
      const outs = [];
      for (const database of dbs) {
        const c = captureIO();
        assert.equal(await runHoneypotQuery({ database, what, output: 'json', limit: 5, since: '2018-01-01', until: 'now', now: Date.parse('2026-05-01T00:00:00Z') }, c.io), 0);
        outs.push(JSON.parse(c.out()));
        const t = captureIO();
        await runHoneypotQuery({ database, what, output: 'table' }, t.io);
        assert.ok(t.out().length > 0);
      }
      assert.deepStrictEqual(outs[0], outs[1], what);
    }
    const c = captureIO();
    await runHoneypotQuery({ database: dbs[1], what: 'summary', output: 'table' }, c.io);
    assert.match(c.out(), /Sessions: 134 from 20 addresses/);
    const s = captureIO();
    assert.equal(await runHoneypotQuery({ database: dbs[0], what: 'session', session: '12f62330fdbd', output: 'table' }, s.io), 0);
    assert.match(s.out(), /Session 12f62330fdbd {2}35\.179\.124\.8:58516/);
    const missing = captureIO();
    assert.equal(await runHoneypotQuery({ database: dbs[0], what: 'session', session: 'nope', output: 'json' }, missing.io), 1);
  });

  it('retention: the dry run lists and keeps, --apply deletes', async () => {
    const now = Date.parse('2026-04-30T00:00:00Z');
    for (const database of dbs) {
      const dry = captureIO();
      await runHoneypotRetention({ database, olderThan: '30d', apply: false, output: 'table', now }, dry.io);
      assert.match(dry.out(), /dry run, nothing deleted/);
      assert.match(dry.out(), /sessions\s+64/);
      const applied = captureIO();
      await runHoneypotRetention({ database, olderThan: '30d', apply: true, output: 'json', now }, applied.io);
      assert.equal(JSON.parse(applied.out()).dryRun, false);
      const after = captureIO();
      await runHoneypotQuery({ database, what: 'summary', output: 'json' }, after.io);
      assert.equal(JSON.parse(after.out()).sessions, 70);
      const nothing = captureIO();
      await runHoneypotRetention({ database, olderThan: '30d', apply: false, output: 'table', now }, nothing.io);
      assert.match(nothing.out(), /^Nothing in /);
    }
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCowrieLine } from './parse-cowrie-line.js';
import { CowrieSessionContext } from './cowrie-session-context.js';
import { corpusLines, CORPUS_LOGS } from './test-support.js';

test('later events of a session get the destination and protocol of its connect, also after session.closed', () => {
  for (const log of CORPUS_LOGS) {
    const ctx = new CowrieSessionContext();
    let filled = 0;
    for (const { line } of corpusLines(log)) {
      if (line.length === 0) continue;
      const r = parseCowrieLine(line);
      assert.ok(r.ok);
      const hadPort = r.event.dst_port !== undefined;
      ctx.apply(r.event);
      assert.equal(r.event.dst_port, 2222, `${log}: ${r.event.eventid} of ${r.event.session}`);
      assert.ok(r.event.src_port !== undefined);
      assert.equal(r.event.protocol, 'ssh');
      if (!hadPort) filled++;
    }
    assert.ok(filled > 100, `${log}: ${filled} events filled`);
  }
  const ctx = new CowrieSessionContext();
  const ts = '"timestamp":"2026-01-01T00:00:00Z","session":"s1","sensor":"h"';
  const connect = parseCowrieLine(`{"eventid":"cowrie.session.connect","src_ip":"192.0.2.1","src_port":1,"dst_ip":"10.0.0.1","dst_port":22,"protocol":"ssh",${ts}}`);
  const closed = parseCowrieLine(`{"eventid":"cowrie.session.closed","duration":"1",${ts}}`);
  const late = parseCowrieLine(`{"eventid":"cowrie.log.closed","ttylog":"t",${ts}}`);
  const fwd = parseCowrieLine(`{"eventid":"cowrie.direct-tcpip.request","dst_ip":"198.51.100.1","dst_port":443,${ts}}`);
  for (const r of [connect, closed, late, fwd]) ctx.apply(r.ok ? r.event : assert.fail());
  assert.ok(late.ok && late.event.dst_ip === '10.0.0.1' && late.event.dst_port === 22, 'an event after close is filled');
  assert.ok(fwd.ok && fwd.event.dst_ip === '198.51.100.1' && fwd.event.src_port === undefined, 'forwarding targets are not overwritten');
  const other = parseCowrieLine(`{"eventid":"cowrie.login.failed","timestamp":"2026-01-01T00:00:00Z","session":"s1","sensor":"other"}`);
  ctx.apply(other.ok ? other.event : assert.fail());
  assert.ok(other.ok && other.event.dst_ip === undefined, 'sessions are per sensor');
});

test('the memory is bounded: the oldest sessions are forgotten', () => {
  const ctx = new CowrieSessionContext(2);
  for (const s of ['a', 'b', 'c']) {
    const r = parseCowrieLine(`{"eventid":"cowrie.session.connect","dst_port":22,"timestamp":"2026-01-01T00:00:00Z","session":"${s}"}`);
    ctx.apply(r.ok ? r.event : assert.fail());
  }
  assert.equal(ctx.size, 2);
  const old = parseCowrieLine('{"eventid":"cowrie.login.failed","timestamp":"2026-01-01T00:00:00Z","session":"a"}');
  ctx.apply(old.ok ? old.event : assert.fail());
  assert.ok(old.ok && old.event.dst_port === undefined);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCowrieLine } from './parse-cowrie-line.js';
import type { CowrieEvent, CowrieParseResult } from './cowrie-event.js';
import { corpusLine, CORPUS_LOGS } from './test-support.js';

function ok(r: CowrieParseResult): CowrieEvent {
  if (!r.ok) assert.fail(`expected an event, got ${r.reason}: ${r.error}`);
  return r.event;
}

const OLD = CORPUS_LOGS[0];
const NEW = CORPUS_LOGS[1];

// ---- one test per event id, on real corpus lines ----

test('session.connect (2018 and 2026): addresses, ports, protocol, sensor, µs timestamp', () => {
  const a = ok(parseCowrieLine(corpusLine('cowrie.session.connect', OLD)));
  assert.equal(a.eventid, 'cowrie.session.connect');
  assert.equal(a.known, true);
  assert.equal(a.format, 'cowrie');
  assert.equal(a.timestamp, '2018-05-06T17:44:05.866769Z');
  assert.equal(a.src_ip, '88.223.26.58');
  assert.equal(a.src_port, 52577);
  assert.equal(a.dst_ip, '172.17.0.3');
  assert.equal(a.dst_port, 2222);
  assert.equal(a.protocol, 'ssh');
  assert.equal(a.session, '173332e506ca');
  assert.equal(a.sensor, '920497a79896');
  assert.equal(a.system, 'cowrie.ssh.factory.CowrieSSHFactory');
  assert.equal(a.isError, false);
  assert.deepEqual(a.flags, []);
  assert.equal(a.extra, undefined);
  const b = ok(parseCowrieLine(corpusLine('cowrie.session.connect', NEW)));
  assert.equal(b.timestamp, '2026-04-18T12:46:33.693407Z');
  assert.equal(b.uuid, '1d52d3b8-39a5-11f1-b943-1322d20a92f2');
  assert.equal(b.sensor, 'ip-172-31-41-217');
});

test('client.version: the 2018 line carries the algorithm lists, protocol inferred from system', () => {
  const e = ok(parseCowrieLine(corpusLine('cowrie.client.version', OLD)));
  assert.equal(e.version, 'SSH-2.0-OpenSSH_7.7');
  assert.equal(e.protocol, 'ssh', '2.x lines have no protocol: taken from system (HoneyPotSSHTransport)');
  assert.equal(e.kexAlgs?.[0], 'curve25519-sha256@libssh.org');
  assert.equal(e.encCS?.length, 7);
  assert.deepEqual(e.compCS, ['none', 'zlib@openssh.com', 'zlib']);
  const n = ok(parseCowrieLine(corpusLine('cowrie.client.version', NEW)));
  assert.equal(n.version, 'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.14');
});

test('client.kex: hassh, hasshAlgorithms and the lists (langCS [""] kept)', () => {
  const e = ok(parseCowrieLine(corpusLine('cowrie.client.kex')));
  assert.equal(e.hassh, 'e1d88fdd485f9c710074daa1fcce80a6');
  assert.ok(e.hasshAlgorithms?.startsWith('curve25519-sha256,'));
  assert.equal(e.kexAlgs?.length, 12);
  assert.equal(e.keyAlgs?.length, 16);
  assert.deepEqual(e.langCS, ['']);
});

test('login.success / login.failed: username and password', () => {
  const s = ok(parseCowrieLine(corpusLine('cowrie.login.success', OLD)));
  assert.equal(s.username, 'root');
  assert.equal(s.password, 'password');
  const f = ok(parseCowrieLine(corpusLine('cowrie.login.failed', NEW)));
  assert.equal(f.username, 'root');
  assert.equal(f.password, 'root');
});

test('session.closed: 2018 duration is a number, 2026 a string of seconds', () => {
  const a = ok(parseCowrieLine(corpusLine('cowrie.session.closed', OLD)));
  assert.equal(a.duration, 0.07313299179077148);
  const b = ok(parseCowrieLine(corpusLine('cowrie.session.closed', NEW)));
  assert.equal(b.duration, 88.7);
});

test('client.size, client.var, session.params', () => {
  const size = ok(parseCowrieLine(corpusLine('cowrie.client.size')));
  assert.equal(size.width, 56);
  assert.equal(size.height, 121);
  const v = ok(parseCowrieLine(corpusLine('cowrie.client.var', OLD)));
  assert.equal(v.name, 'LC_ALL');
  assert.equal(v.value, 'lt_LT.UTF-8');
  const p = ok(parseCowrieLine(corpusLine('cowrie.session.params')));
  assert.equal(p.arch, 'linux-x64-lsb');
  assert.equal(p.message, undefined, 'message [] is no message');
});

test('command.input / command.failed', () => {
  const i = ok(parseCowrieLine(corpusLine('cowrie.command.input', NEW)));
  assert.equal(i.input, 'whoami');
  const f = ok(parseCowrieLine(corpusLine('cowrie.command.failed')));
  assert.equal(f.input, 'find /');
  assert.equal(f.message, 'Command not found: find /');
});

test('log.open / log.closed: ttylog, size, shasum, duplicate', () => {
  const o = ok(parseCowrieLine(corpusLine('cowrie.log.open')));
  assert.equal(o.ttylog, 'log/tty/20180506-174452-ef410359268d-0i.log');
  const c = ok(parseCowrieLine(corpusLine('cowrie.log.closed', NEW)));
  assert.equal(c.size, 7);
  assert.equal(c.shasum, 'f25297859cf0a70af5c053a5464a5fa647a35ceee1d91397331903846d79ffc1');
  assert.equal(c.duplicate, true);
  assert.equal(c.duration, 0);
  const old = ok(parseCowrieLine(corpusLine('cowrie.log.closed', OLD)));
  assert.equal(old.size, 656);
  assert.equal(old.duration, 14.724617004394531);
});

// ---- ids the corpus does not have: lines in the shape docs/OUTPUT.rst and the emitters give ----

const base = '"timestamp":"2026-04-18T12:50:00.000001Z","session":"abcdef012345","src_ip":"203.0.113.7","sensor":"hp1","protocol":"ssh"';

test('session.file_download / .failed / file_upload', () => {
  const d = ok(
    parseCowrieLine(
      `{"eventid":"cowrie.session.file_download","url":"http://198.51.100.9:8080/bins/x86.sh","outfile":"var/lib/cowrie/downloads/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","shasum":"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08","message":"Downloaded URL",${base}}`,
    ),
  );
  assert.equal(d.url, 'http://198.51.100.9:8080/bins/x86.sh');
  assert.equal(d.shasum, '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', 'hashes are lower-cased');
  assert.ok(d.outfile?.startsWith('var/lib/cowrie/downloads/'));
  const failed = ok(parseCowrieLine(`{"eventid":"cowrie.session.file_download.failed","url":"http://198.51.100.9/m",${base}}`));
  assert.equal(failed.known, true);
  assert.equal(failed.url, 'http://198.51.100.9/m');
  const up = ok(parseCowrieLine(`{"eventid":"cowrie.session.file_upload","filename":"a.bin","outfile":"dl/x","shasum":"${'ab'.repeat(32)}",${base}}`));
  assert.equal(up.filename, 'a.bin');
  assert.equal(up.shasum, 'ab'.repeat(32));
});

test('client.fingerprint, direct-tcpip.request/data, virustotal.scanfile', () => {
  const fp = ok(parseCowrieLine(`{"eventid":"cowrie.client.fingerprint","username":"root","fingerprint":"ab:cd","key":"AAAAB3Nza","type":"ssh-rsa",${base}}`));
  assert.equal(fp.fingerprint, 'ab:cd');
  assert.equal(fp.keyType, 'ssh-rsa');
  assert.equal(fp.key, 'AAAAB3Nza');
  const rq = ok(parseCowrieLine(`{"eventid":"cowrie.direct-tcpip.request","dst_ip":"192.0.2.80","dst_port":80,"src_port":5556,${base}}`));
  assert.equal(rq.dst_ip, '192.0.2.80');
  assert.equal(rq.dst_port, 80);
  const data = ok(parseCowrieLine(`{"eventid":"cowrie.direct-tcpip.data","dst_ip":"192.0.2.80","dst_port":80,"data":"b'GET / HTTP/1.1\\\\r\\\\n'","id":3,${base}}`));
  assert.equal(data.data, "b'GET / HTTP/1.1\\r\\n'");
  assert.deepEqual(data.extra, { id: 3 });
  const vt = ok(parseCowrieLine(`{"eventid":"cowrie.virustotal.scanfile","sha256":"${'cd'.repeat(32)}","is_new":"false","positives":12,"total":60,${base}}`));
  assert.equal(vt.shasum, 'cd'.repeat(32));
  assert.equal(vt.positives, 12);
  assert.equal(vt.isNew, false);
});

// ---- version traps ----

test('duration "12.3" (string seconds) and duration_ms 12300 give the same 12.3 s', () => {
  const a = ok(parseCowrieLine(`{"eventid":"cowrie.session.closed","duration":"12.3",${base}}`));
  const b = ok(parseCowrieLine(`{"eventid":"cowrie.session.closed","duration_ms":12300,${base}}`));
  assert.equal(a.duration, 12.3);
  assert.equal(b.duration, 12.3);
  const both = ok(parseCowrieLine(`{"eventid":"cowrie.session.closed","duration":"12.3","duration_ms":12345,${base}}`));
  assert.equal(both.duration, 12.345, 'duration_ms is the more precise one');
  const bad = ok(parseCowrieLine(`{"eventid":"cowrie.session.closed","duration":"soon",${base}}`));
  assert.equal(bad.duration, undefined);
  assert.ok(bad.flags.includes('invalid_field'));
});

test('an array message (2.x) is joined; other JSON is kept as text', () => {
  const e = ok(parseCowrieLine(`{"eventid":"cowrie.command.input","input":"ls","message":["CMD:","ls"],${base}}`));
  assert.equal(e.message, 'CMD: ls');
  const o = ok(parseCowrieLine(`{"eventid":"cowrie.command.input","input":"ls","message":{"a":1},${base}}`));
  assert.equal(o.message, '{"a":1}');
});

test('missing protocol, src_port and password are simply absent', () => {
  const e = ok(parseCowrieLine('{"eventid":"cowrie.login.failed","username":"admin","timestamp":"2026-01-01T00:00:00.5Z","session":"s1","src_ip":"2001:db8::7"}'));
  assert.equal(e.protocol, undefined);
  assert.equal(e.src_port, undefined);
  assert.equal(e.password, undefined);
  assert.equal(e.username, 'admin');
  assert.equal(e.src_ip, '2001:db8::7');
  assert.deepEqual(e.flags, []);
});

test('an event after session.closed parses like any other (the parser has no session state)', () => {
  const closed = ok(parseCowrieLine(`{"eventid":"cowrie.session.closed","duration":"1.0",${base}}`));
  const late = ok(parseCowrieLine(`{"eventid":"cowrie.log.closed","ttylog":"tty/x","size":10,"duration":"0.9",${base.replace('50:00.000001', '50:00.000002')}}`));
  assert.equal(closed.session, late.session);
  assert.equal(late.eventid, 'cowrie.log.closed');
  assert.equal(late.timestamp, '2026-04-18T12:50:00.000002Z');
});

// ---- sanitisation ----

test('control characters are escaped as \\xNN (TAB kept), the original stays untouched', () => {
  const line = `{"eventid":"cowrie.command.input","input":"echo \\u001b[2J\\u0000\\ttab\\r\\nnext\\u007f\\u0085",${base}}`;
  const e = ok(parseCowrieLine(line));
  assert.equal(e.input, 'echo \\x1b[2J\\x00\ttab\\x0d\\x0anext\\x7f\\x85');
  assert.ok(e.flags.includes('control_chars'));
  assert.equal(e.original, line);
  // Raw control bytes inside a JSON string are invalid JSON; they are escaped and the event kept.
  const raw = ok(parseCowrieLine(Buffer.from(`{"eventid":"cowrie.command.input","input":"a\u0007b",${base}}`)));
  assert.equal(raw.input, 'a\\x07b');
  assert.ok(raw.flags.includes('control_chars'));
});

test('a 1 MB field is cut at the limit on a character boundary and flagged', () => {
  const big = 'é'.repeat(512 * 1024); // 1 MiB of UTF-8
  const e = ok(parseCowrieLine(`{"eventid":"cowrie.command.input","input":"${big}",${base}}`, undefined, { maxFieldBytes: 1001 }));
  assert.equal(Buffer.byteLength(e.input!, 'utf8'), 1000, 'two-byte characters: 500 of them fit in 1001 bytes');
  assert.ok(e.flags.includes('truncated'));
  assert.deepEqual(e.truncatedFields, ['event.original', 'input']);
  assert.ok(Buffer.byteLength(e.original, 'utf8') <= 1001);
  const def = ok(parseCowrieLine(`{"eventid":"cowrie.command.input","input":"${big}",${base}}`));
  assert.equal(Buffer.byteLength(def.input!, 'utf8'), 65_536);
});

test('invalid UTF-8 bytes are replaced with U+FFFD and flagged', () => {
  const head = Buffer.from('{"eventid":"cowrie.login.failed","username":"r');
  const tail = Buffer.from(`oot","password":"x",${base}}`);
  const e = ok(parseCowrieLine(Buffer.concat([head, Buffer.from([0xff, 0xc3]), tail])));
  assert.equal(e.username, 'r\ufffd\ufffdoot');
  assert.ok(e.flags.includes('invalid_utf8'));
  const lone = ok(parseCowrieLine(`{"eventid":"cowrie.login.failed","username":"a\\ud800b",${base}}`));
  assert.equal(lone.username, 'a\ufffdb');
  assert.ok(lone.flags.includes('invalid_utf8'));
});

test('invalid IPs and ports are left out and flagged, the rest of the event is kept', () => {
  const e = ok(parseCowrieLine(`{"eventid":"cowrie.session.connect","src_ip":"999.1.1.1","src_port":70000,"dst_ip":"10.0.0.1","dst_port":"22","timestamp":"2026-01-01T00:00:00Z"}`));
  assert.equal(e.src_ip, undefined);
  assert.equal(e.src_port, undefined);
  assert.equal(e.dst_ip, '10.0.0.1');
  assert.equal(e.dst_port, 22);
  assert.deepEqual(e.flags, ['invalid_field']);
  assert.equal((e.raw as { src_ip: string }).src_ip, '999.1.1.1');
});

// ---- rejects ----

test('a truncated last line is incomplete, not an error; a cut line followed by a newline is an error', () => {
  const full = corpusLine('cowrie.session.connect', NEW);
  const cut = full.slice(0, 120);
  const r = parseCowrieLine(cut, { offset: 1000, terminated: false });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'incomplete');
  const unknown = parseCowrieLine(cut);
  assert.equal(!unknown.ok && unknown.reason, 'incomplete', 'without a position the shape decides');
  const terminated = parseCowrieLine(cut + '\n', { offset: 1000, line: 7, terminated: true });
  assert.equal(!terminated.ok && terminated.reason, 'invalid_json');
  assert.match(!terminated.ok ? terminated.error : '', /^line 7: .*cut short/);
  const garbage = parseCowrieLine('{"a":1}} trailing', { terminated: false });
  assert.equal(!garbage.ok && garbage.reason, 'invalid_json', 'a closed object followed by junk is not a prefix');
});

test('other rejects: empty, not JSON, not an object, no eventid, no timestamp', () => {
  const reasons = ['', '   \r\n', 'hello', '[1,2]', '{"foo":1}', '{"eventid":"cowrie.login.failed","timestamp":"yesterday"}'].map((l) => {
    const r = parseCowrieLine(l);
    return r.ok ? 'ok' : r.reason;
  });
  assert.deepEqual(reasons, ['empty', 'empty', 'invalid_json', 'not_an_object', 'no_eventid', 'invalid_timestamp']);
});

test('unknown event ids are kept with their raw fields, tagged unknown', () => {
  const e = ok(parseCowrieLine(`{"eventid":"cowrie.future.thing","answer":42,"nested":{"x":"y\\u0001"},${base}}`));
  assert.equal(e.known, false);
  assert.ok(e.flags.includes('unknown_eventid'));
  assert.deepEqual(e.extra, { answer: 42, nested: { x: 'y\\x01' } });
  assert.equal((e.raw as { answer: number }).answer, 42);
  assert.equal(e.src_ip, '203.0.113.7');
});

// ---- the HP_TI flat shape ----

test('HP_TI lines are detected per line and mapped onto Cowrie names', () => {
  const e = ok(
    parseCowrieLine(
      '{"timestamp":"2024-03-01 10:00:00.123456","level":"INFO","component":"ssh","event_type":"login_failed","session_id":"S9","source_ip":"198.51.100.4","source_port":40000,"username":"pi","password":"raspberry"}',
    ),
  );
  assert.equal(e.format, 'hp_ti');
  assert.equal(e.eventid, 'cowrie.login.failed');
  assert.equal(e.known, true);
  assert.equal(e.timestamp, '2024-03-01T10:00:00.123456Z');
  assert.equal(e.session, 'S9');
  assert.equal(e.src_ip, '198.51.100.4');
  assert.equal(e.src_port, 40000);
  assert.equal(e.username, 'pi');
  assert.equal(e.password, 'raspberry');
  assert.equal(e.level, 'INFO');
  assert.equal(e.component, 'ssh');
  const cmd = ok(parseCowrieLine('{"timestamp":"2024-03-01T10:00:01+01:00","event_type":"command","session_id":"S9","source_ip":"198.51.100.4","command":"uname -a"}'));
  assert.equal(cmd.eventid, 'cowrie.command.input');
  assert.equal(cmd.input, 'uname -a');
  assert.equal(cmd.timestamp, '2024-03-01T09:00:01Z');
  const attempt = ok(parseCowrieLine('{"timestamp":1709287200.5,"event_type":"login_attempt","success":true,"username":"a"}'));
  assert.equal(attempt.eventid, 'cowrie.login.success');
  assert.equal(attempt.timestamp, '2024-03-01T10:00:00.500000Z');
  const other = ok(parseCowrieLine('{"timestamp":"2024-03-01T10:00:00Z","event_type":"Port Scan","ports":[22,23]}'));
  assert.equal(other.eventid, 'hp_ti.port_scan');
  assert.equal(other.known, false);
  assert.deepEqual(other.extra, { ports: [22, 23] });
});

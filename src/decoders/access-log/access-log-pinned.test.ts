/**
 * Pins the documents of the access-log pipeline before speed work (issue 6, item 10), so that no
 * optimisation of the parsers, the document builder or the enrichers can change an output byte:
 *
 * - every line of every access log of the shared corpus (the 10,000-line Elastic example, the
 *   Filebeat fixtures, and the Apache error log as input that must stay unparsed) under every
 *   preset and two custom formats;
 * - a set of edge-case lines written here (escapes, IPv6, vhost prefixes, client lists, lines cut
 *   short, extra fields, tabs, impossible dates, banners…);
 *
 * each through `parse` (the JSON of the parsed document, what `sluice ship` sends) and through
 * `process` (parse + GeoIP + user agent + attack rules, the encoded body: what reaches a sink),
 * with the parser and pipeline counters. Small inputs are stored whole under their natural formats
 * and as hashes under the others; the large ones as a hash per line (natural format) or per block
 * of 100 lines (other formats). Written by the code as it was
 * before the speed work; SLUICE_UPDATE_PINS=1 rewrites it (review the diff: it must be empty unless
 * an output change is intended, or the GeoIP database package was updated).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { REPO_ROOT } from '../../config/test-support.js';
import { GeoIpEnricher } from '../../enrichers/geoip/geoip-enricher.js';
import { WebAttackDetector } from '../../enrichers/threat/web-attack-detector.js';
import { UserAgentEnricher } from '../../enrichers/user-agent/user-agent-enricher.js';
import { AccessLogPipeline } from '../../pipeline/logs/access-log-pipeline.js';
import type { AccessLogParserOptions } from './access-log-parser.js';

const PINNED = join(REPO_ROOT, 'test/fixtures/access-log/pinned-documents.json');
const CORPUS = '/work/shared/corpus/access-logs';
const UPDATE = process.env.SLUICE_UPDATE_PINS === '1';

const FILES: [file: string, natural: string][] = [
  ['elastic-examples-apache_logs.log', 'apache_combined'],
  ['filebeat-apache-access-test.log', 'apache_combined'],
  ['filebeat-apache-darwin-2.4.23.log', 'apache_combined'],
  ['filebeat-nginx-access-test.log', 'nginx_combined'],
  ['filebeat-nginx-access.log', 'nginx_combined'],
  ['loghub-Apache_2k-ERRORLOG.log', 'apache_combined'],
];

const FORMATS: Record<string, AccessLogParserOptions> = {
  apache_common: { format: 'apache_common' },
  apache_combined: { format: 'apache_combined' },
  apache_vhost_combined: { format: 'apache_vhost_combined' },
  nginx_combined: { format: 'nginx_combined' },
  nginx_main: { format: 'nginx_main' },
  custom_apache: { apacheLogFormat: '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D' },
  custom_nginx: { nginxLogFormat: '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_time' },
  json: { format: 'json' },
};

const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
const T = '[26/Dec/2016:16:16:29 +0200]';

/** Edge cases of the text formats, each run through every format. */
const SYNTHETIC: string[] = [
  `203.0.113.10 - frank ${T} "GET /apache_pb.gif?x=1 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "${UA}"`,
  `192.0.2.1 - - ${T} "GET /favicon.ico HTTP/1.1" 404 209`,
  `192.0.2.1 - - ${T} "GET / HTTP/1.1" 200 1 "-" "${UA}"`,
  `vhost1.example.org 198.51.100.2 - - ${T} "GET / HTTP/1.1" 200 3 "-" "x"`,
  `vhost1.example.org:8443 198.51.100.2 - - ${T} "GET / HTTP/1.1" 200 3 "-" "x"`,
  `[2001:db8::1]:443 198.51.100.2 - - ${T} "GET / HTTP/1.1" 200 3 "-" "x"`,
  `203.0.113.5:80 198.51.100.2 - - ${T} "GET / HTTP/1.1" 200 3 "-" "x"`,
  `198.51.100.7 - - ${T} "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03" 400 226 "-" "-"`,
  `198.51.100.7 - - ${T} "SSH-2.0-libssh2_1.9.0" 400 226 "-" "-"`,
  `127.0.0.1 - - ${T} "" 400 0 "-" "-"`,
  `::1 - - ${T} "-" 408 -`,
  `203.0.113.9 - - ${T} "GET /q?x=\\"1\\" HTTP/1.1" 200 5 "-" "Mozilla \\"quoted\\" (\\\\evil)"`,
  `2001:db8:85a3::8a2e:370:7334 - - ${T} "GET / HTTP/1.1" 200 5 "-" "x"`,
  `crawler.example.net - - ${T} "GET / HTTP/1.1" 200 5`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 304 - "-" "-"`,
  `192.0.2.4 - John Smith ${T} "GET / HTTP/1.1" 200 1`,
  `192.0.2.4 - - [31/Feb/2016:16:16:48 +0200] "GET / HTTP/1.1" 200 1`,
  `192.0.2.4 - - [26/Dec/2016:16:16:48 +2400] "GET / HTTP/1.1" 200 1`,
  `192.0.2.4 - - [26/dec/2016:16:16:48 -0000] "GET / HTTP/1.1" 200 1`,
  `192.0.2.4 - - [6/Dec/2016:6:6:8 +0530] "GET / HTTP/1.1" 200 1`,
  `192.0.2.4 - - [26/Dec/2016:16:16:48.123 +0200] "GET / HTTP/1.1" 200 1`,
  `192.0.2.4 - - [26/Dec/2016:16:16:48] "GET / HTTP/1.1" 200 1`,
  `192.0.2.4 - - [] "GET / HTTP/1.1" 200 1`,
  `192.0.2.4 - - ${T} "GET http://example.com:8080/x.txt HTTP/1.1" 404 1`,
  `192.0.2.4 - - ${T} "CONNECT example.com:443 HTTP/1.1" 400 1`,
  `192.0.2.4 - - ${T} "OPTIONS * HTTP/1.1" 200 1`,
  `192.0.2.4 - - ${T} "GET /a/b.PHP?x=1#frag HTTP/1.1" 200 1`,
  `192.0.2.4 - - ${T} "GET /a/b. HTTP/1.1" 200 1`,
  `192.0.2.4 - - ${T} "GET /a b HTTP/1.1" 200 1`,
  `192.0.2.4 - - ${T} "GET /a" 200 1`,
  `192.0.2.4 - - ${T} "GET" 200 1`,
  `192.0.2.4 - - ${T} "GET /a RTSP/1.0" 200 1`,
  `192.0.2.4 - - ${T} "{\\"a\\":1} / HTTP/1.1" 200 1`,
  `192.0.2.4 - - ${T} "GET /%E4%BD%A0 HTTP/1.1" 200 1`,
  `192.0.2.4 - - ${T} "GET /\\xe4\\xbd\\xa0\\xff HTTP/1.1" 200 1`,
  `192.0.2.4 - - ${T} "GET /?q=<script>alert(1)</script> HTTP/1.1" 200 1 "-" "sqlmap/1.5.2#stable"`,
  `192.0.2.4 - - ${T} "GET /index.php?id=1' UNION SELECT 1,2-- HTTP/1.1" 200 1 "-" "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"`,
  `192.0.2.4 - - ${T} "GET /../../etc/passwd HTTP/1.1" 404 1 "http://evil/\${jndi:ldap://x}" "curl/8.0"`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 200 1 "-" "Mozilla/5.0 (compatible; Googlebot/2.1`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 200 1 "-"`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 200 1 "-" "x" "203.0.113.7, 10.0.0.1"`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 200 1 "-" "x" 0.004`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 200 1 "-" "x" 1234`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 200 1 "-" "x"\t"extra"`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 200 1 "-" "x"extra`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 200 1 "-" "x" `,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 200 1\r`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 200 1\r\n`,
  `192.0.2.4 - - ${T}  "GET / HTTP/1.1" 200 1`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 2000000000000000000 99999999999999999999`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" abc 1`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 200 1 "ref with \\\\ backslash" "ua \\t tab"`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 200 1 "\\"" "\\\\"`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1\\" 200 1`,
  `10.0.0.2, 10.0.0.1, 127.0.0.1 - - ${T} "GET / HTTP/1.1" 200 5 "-" "x"`,
  `"203.0.113.1, 10.0.0.1" 127.0.0.1 - - ${T} "GET / HTTP/1.1" 200 5 "-" "x"`,
  `10.0.0.2,203.0.113.9 - - ${T} "GET / HTTP/1.1" 200 5 "-" "x"`,
  `unknown, 10.0.0.1 - - ${T} "GET / HTTP/1.1" 200 5 "-" "x"`,
  `- - - ${T} "GET / HTTP/1.1" 200 5 "-" "x"`,
  `192.0.2.4 ident user ${T} "GET / HTTP/1.1" 200 5 "-" "x"`,
  `192.0.2.4 - "quoted" ${T} "GET / HTTP/1.1" 200 5 "-" "x"`,
  `192.0.2.4 - [bracket ${T} "GET / HTTP/1.1" 200 5 "-" "x"`,
  `192.0.2.4  - - ${T} "GET / HTTP/1.1" 200 5 "-" "x"`,
  ` 192.0.2.4 - - ${T} "GET / HTTP/1.1" 200 5 "-" "x"`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 200 5 "-" "x" "-"`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 200 5 "-" "x" "2001:db8::5"`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 200`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1"`,
  `192.0.2.4 - - ${T}`,
  `[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6`,
  `2016/10/25 14:49:34 [error] 54053#0: *1 open() "/x" failed (2: No such file or directory)`,
  '',
  '   ',
  'garbage \u0000\u00ff line',
  `192.0.2.4 - - ${T} "GET /caf\u00e9 HTTP/1.1" 200 1 "-" "\u00fcber \ud83d\ude00"`,
  `192.0.2.4 - - ${T} "get / http/1.1" 200 1`,
  `192.0.2.4 - - ${T} "GET / HTTP/2" 200 1`,
  `192.0.2.4 - - ${T} "GET / HTTP/2.0" 200 1`,
  `192.0.2.4 - - ${T} "GET //double//slash.tar.gz HTTP/1.1" 200 1`,
  `192.0.2.4 - - ${T} "GET /x?a=1?b=2 HTTP/1.1" 200 1`,
  `192.0.2.4 - - ${T} "GET ? HTTP/1.1" 200 1`,
  `192.0.2.4 - - ${T} "GET /${'A'.repeat(9000)} HTTP/1.1" 414 0`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 200 1 "-" "Wget/1.21"`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 200 1 "" ""`,
  `192.0.2.4 - - ${T} "GET / HTTP/1.1" 200 1 "-" "  "`,
  `fe80::1%eth0 - - ${T} "GET / HTTP/1.1" 200 1`,
  `::ffff:203.0.113.9 - - ${T} "GET / HTTP/1.1" 200 1`,
  `[2001:db8::9] - - ${T} "GET / HTTP/1.1" 200 1`,
  `8.8.8.8 - - ${T} "GET / HTTP/1.1" 200 1 "-" "${UA}"`,
  `2a00:1450:4001:81d::200e - - ${T} "GET / HTTP/1.1" 200 1 "-" "${UA}"`,
  JSON.stringify({ time_iso8601: '2016-12-07T11:05:07+01:00', remote_addr: '8.8.4.4', request: 'GET /a.php?id=1%27 HTTP/1.1', status: 500, body_bytes_sent: '12', request_time: 0.5, http_user_agent: 'sqlmap/1.7', upstream: { addr: '10.9.9.9:80' } }),
  '{"ts":1481105107.5,"ip":"198.51.100.3","method":"PUT","uri":"/x","status_code":"201","ua":"curl"}',
  '{"truncated": ',
];

interface Pinned {
  /** file → format → per-line hashes (natural format) or per-100-line block hashes. */
  files: Record<string, Record<string, { stats: unknown; lines?: string[]; blocks?: string[]; docs?: [string, string][] }>>;
  /** format → [parse JSON, process body] per synthetic line, and the counters. */
  synthetic: Record<string, { stats: unknown; docs: [string, string][] }>;
}

let geoip: GeoIpEnricher;
let userAgent: UserAgentEnricher;
let threat: WebAttackDetector;

function pipelineFor(format: string): AccessLogPipeline {
  return new AccessLogPipeline({ parser: FORMATS[format], geoip, userAgent, threat });
}

/** Lines with their byte offsets, as the tail source hands them over (line endings removed but CR). */
function linesOf(path: string): { line: string; offset: number }[] {
  const buf = readFileSync(path);
  const out: { line: string; offset: number }[] = [];
  let start = 0;
  while (start < buf.length) {
    let end = buf.indexOf(0x0a, start);
    if (end < 0) end = buf.length;
    out.push({ line: buf.toString('utf8', start, end), offset: start });
    start = end + 1;
  }
  return out;
}

function run(format: string, lines: { line: string; offset: number }[], fileId: string): { docs: [string, string][]; stats: unknown } {
  const p = pipelineFor(format);
  const docs: [string, string][] = [];
  for (const { line, offset } of lines) {
    const position = { fileId, offset, path: `/var/log/${fileId}` };
    const parsed = JSON.stringify(p.parse(line, position));
    const body = p.process(line, position, 1_700_000_000_000).body.toString('utf8');
    docs.push([keep(parsed), keep(body)]);
  }
  return { docs, stats: { pipeline: p.stats, parser: p.parser.stats } };
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** Formats whose edge-case documents are stored whole (the others as hashes: a smaller fixture). */
const WHOLE = new Set(['apache_combined', 'nginx_combined', 'json']);

function hashed(docs: [string, string][]): [string, string][] {
  return docs.map(([a, b]) => [a.startsWith('sha256:') ? a : `sha256:${hash(a)}`, b.startsWith('sha256:') ? b : `sha256:${hash(b)}`]);
}

/** A document as stored: whole when short, its hash when long (keeps the fixture small). */
function keep(json: string): string {
  return json.length <= 3000 ? json : `sha256:${hash(json)}`;
}

function compute(): Pinned {
  const out: Pinned = { files: {}, synthetic: {} };
  for (const [file, natural] of FILES) {
    const lines = linesOf(join(CORPUS, file));
    out.files[file] = {};
    for (const format of Object.keys(FORMATS)) {
      const { docs, stats } = run(format, lines, file);
      if (lines.length <= 50) out.files[file][format] = { stats, docs: format === natural ? docs : hashed(docs) };
      else if (format === natural) out.files[file][format] = { stats, lines: docs.map(([a, b]) => hash(`${a}\n${b}`)) };
      else {
        const blocks: string[] = [];
        for (let i = 0; i < docs.length; i += 100) blocks.push(hash(docs.slice(i, i + 100).flat().join('\n')));
        out.files[file][format] = { stats, blocks };
      }
    }
  }
  const synthetic = SYNTHETIC.map((line, i) => ({ line, offset: i * 1000 }));
  for (const format of Object.keys(FORMATS)) {
    const r = run(format, synthetic, 'synthetic');
    out.synthetic[format] = WHOLE.has(format) ? r : { stats: r.stats, docs: hashed(r.docs) };
  }
  return out;
}

describe('access-log documents are pinned (parse and process, every format, corpus and edge cases)', () => {
  let actual: Pinned;
  let pinned: Pinned;
  before(async () => {
    geoip = await GeoIpEnricher.open();
    userAgent = new UserAgentEnricher();
    threat = WebAttackDetector.load({});
    actual = compute();
    if (UPDATE) writeFileSync(PINNED, JSON.stringify(actual, null, 1) + '\n');
    pinned = JSON.parse(readFileSync(PINNED, 'utf8')) as Pinned;
  });

  it('the edge-case lines give the pinned documents under every format', () => {
    for (const format of Object.keys(FORMATS)) {
      const a = actual.synthetic[format];
      const p = pinned.synthetic[format];
      assert.deepEqual(a.stats, p.stats, `${format}: counters`);
      for (let i = 0; i < SYNTHETIC.length; i++) {
        assert.equal(a.docs[i][0], p.docs[i][0], `${format}: parse of ${JSON.stringify(SYNTHETIC[i])}`);
        assert.equal(a.docs[i][1], p.docs[i][1], `${format}: process of ${JSON.stringify(SYNTHETIC[i])}`);
      }
    }
  });

  for (const [file] of FILES) {
    it(`${file}: the pinned documents under every format`, () => {
      for (const format of Object.keys(FORMATS)) {
        const a = actual.files[file][format];
        const p = pinned.files[file][format];
        assert.deepEqual(a.stats, p.stats, `${file} ${format}: counters`);
        if (p.docs !== undefined) assert.deepEqual(a.docs, p.docs, `${file} ${format}`);
        if (p.lines !== undefined) {
          for (let i = 0; i < p.lines.length; i++) assert.equal(a.lines?.[i], p.lines[i], `${file} ${format}: line ${i + 1} changed`);
          assert.equal(a.lines?.length, p.lines.length);
        }
        if (p.blocks !== undefined) {
          for (let i = 0; i < p.blocks.length; i++) assert.equal(a.blocks?.[i], p.blocks[i], `${file} ${format}: lines ${i * 100 + 1}–${i * 100 + 100} changed`);
          assert.equal(a.blocks?.length, p.blocks.length);
        }
      }
    });
  }
});

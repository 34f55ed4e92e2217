import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { AccessLogFields } from './access-log-fields.js';
import { presetSegments } from './access-log-presets.js';
import { compileLineRegex } from './compile-line-regex.js';
import { scanApacheLine, scanNginxLine } from './scan-access-line.js';

const PRESETS = {
  apache: { regex: compileLineRegex(presetSegments('apache_combined').segments), scan: scanApacheLine },
  nginx: { regex: compileLineRegex(presetSegments('nginx_combined').segments), scan: scanNginxLine },
};
type Preset = keyof typeof PRESETS;

/** The fields the preset's regular expression gives, or null when it does not match. */
function byRegex(preset: Preset, line: string): AccessLogFields | null {
  const { regex, fields } = PRESETS[preset].regex;
  const m = regex.exec(line);
  if (m === null) return null;
  const f = new AccessLogFields();
  for (let i = 0; i < fields.length; i++) if (m[i + 1] !== undefined) f.set(fields[i].kind, fields[i].name, m[i + 1]);
  return f;
}

/** The scanner's fields, or undefined when it leaves the line to the regular expression. */
function byScanner(preset: Preset, line: string): AccessLogFields | undefined {
  const f = new AccessLogFields();
  return PRESETS[preset].scan(line, f) ? f : undefined;
}

for (const preset of Object.keys(PRESETS) as Preset[]) {
  test(`${preset}: the scanner reads nearly every line of the real logs, exactly as the regular expression`, () => {
    const files =
      preset === 'apache'
        ? ['elastic-examples-apache_logs.log', 'filebeat-apache-access-test.log', 'filebeat-apache-darwin-2.4.23.log', 'filebeat-nginx-access.log']
        : ['elastic-examples-apache_logs.log', 'filebeat-nginx-access-test.log', 'filebeat-nginx-access.log'];
    let scanned = 0;
    let total = 0;
    for (const file of files) {
      for (const line of readFileSync(`/work/shared/corpus/access-logs/${file}`, 'utf8').split('\n')) {
        if (line === '') continue;
        total++;
        const s = byScanner(preset, line);
        if (s === undefined) continue;
        scanned++;
        assert.deepEqual(s, byRegex(preset, line), line);
      }
    }
    assert.ok(scanned / total > 0.99, `scanned ${scanned} of ${total}`);
  });

  test(`${preset}: property: whenever the scanner answers, it answers what the regular expression does`, () => {
    const word = fc.oneof(
      { arbitrary: fc.constantFrom('-', '192.0.2.1', 'frank', 'vhost:8080'), weight: 12 },
      fc.constantFrom('-', '192.0.2.1', 'vhost.example.org', 'vhost:80', 'vhost:123456', 'a,b', 'h:x', '-x', 'frank', 'John Smith', '', ' ', '::1', '[::1]', '[2001:db8::1]:443', 'x"y', 'caf\u00e9', 'a\tb'),
      fc.string({ maxLength: 8, unit: fc.constantFrom('a', '1', ':', ',', '-', ' ', '"', '[', ']', '\\', '\t', '\u00e9', '%', '_', '.') }),
    );
    const quoted = fc.oneof(
      { arbitrary: fc.constantFrom('GET / HTTP/1.1', '-', 'Mozilla/5.0 (X11)'), weight: 6 },
      fc.constantFrom('GET / HTTP/1.1', '-', '', 'GET /q?x=\\"1\\" HTTP/1.1', 'a\\\\', 'a\\', '\\"', 'x" "y', 'Mozilla/5.0 (X11)'),
      fc.string({ maxLength: 12, unit: fc.constantFrom('a', ' ', '"', '\\', 'x', '\t', ']', '[') }),
    );
    const num = fc.oneof({ arbitrary: fc.constantFrom('200', '-', '404'), weight: 8 }, fc.constantFrom('-', '200', '0', '12abc', '', '-5', '1\t', '2 '), fc.nat().map(String));
    const tail = fc.oneof(
      fc.constant(''),
      fc.tuple(quoted, fc.constantFrom('"', '', '" ', '"x', '"\t')).map(([r, e]) => ` "${r}${e}`),
      fc.tuple(quoted, quoted, fc.constantFrom('"', '', '" x', '"x', '"\t"-"', '" "z"')).map(([r, u, e]) => ` "${r}" "${u}${e}`),
      fc.string({ maxLength: 10, unit: fc.constantFrom(' ', '\t', '"', 'x', '-') }),
    );
    const line = fc
      .tuple(fc.option(word, { nil: undefined }), word, word, word, fc.constantFrom('26/Dec/2016:16:16:29 +0200', '26/Dec/2016:16:16:29 +0200', '26/Dec/2016:16:16:29 +0200', '', 'x]y', '[a'), quoted, num, num, tail, fc.constantFrom(' ', ' ', ' ', ' ', '  ', '\t'))
      .map(([v, h, l, u, t, r, s, b, rest, sep]) => `${v !== undefined ? `${v} ` : ''}${h}${sep}${l} ${u} [${t}] "${r}" ${s} ${b}${rest}`);
    let answered = 0;
    fc.assert(
      fc.property(fc.oneof(line, fc.string({ maxLength: 80, unit: 'binary' })), (l) => {
        const s = byScanner(preset, l);
        if (s === undefined) return;
        answered++;
        assert.deepEqual(s, byRegex(preset, l), l);
      }),
      { numRuns: 30_000 },
    );
    assert.ok(answered > 500, `the scanner answered only ${answered} generated lines`);
  });
}

import { SluiceError } from '../../errors.js';
import { field, fieldName, pushLiteral, type FieldSegment, type Segment } from './format-segments.js';

/**
 * Turns an Apache httpd `LogFormat` string (mod_log_config) into segments.
 *
 * Directives follow https://httpd.apache.org/docs/2.4/mod/mod_log_config.html#formats: `%` then
 * optional status conditions (`400,501`, `!200`) and `<`/`>` (original/final request), an optional
 * `{parameter}`, then the letter (or `^ti`/`^to`). A string pasted from httpd.conf — with its
 * escaped quotes (`\"`) or even the whole `LogFormat "…" nickname` line — is accepted too.
 *
 * @throws SluiceError `SLUICE_ACCESS_LOG_FORMAT` when a `%` is not followed by a directive or a `{`
 *   is not closed.
 */
export function parseApacheLogFormat(format: string): Segment[] {
  const text = unwrapLogFormat(format);
  const out: Segment[] = [];
  let lit = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '%') {
      lit += c;
      i++;
      continue;
    }
    const start = i;
    i++;
    // Conditions and the original/final modifier.
    let final = false;
    let original = false;
    while (i < text.length && /[0-9,!<>]/.test(text[i])) {
      if (text[i] === '>') final = true;
      if (text[i] === '<') original = true;
      i++;
    }
    let param: string | undefined;
    if (text[i] === '{') {
      const close = text.indexOf('}', i + 1);
      if (close < 0) throw formatError(format, start, 'a "{" is never closed');
      param = text.slice(i + 1, close);
      i = close + 1;
    }
    if (i >= text.length) throw formatError(format, start, 'the format ends after "%"');
    let letter = text[i];
    i++;
    if (letter === '%') {
      lit += '%';
      continue;
    }
    if (letter === '^') {
      letter = text.slice(i - 1, i + 2); // ^ti / ^to
      i += 2;
    }
    pushLiteral(out, lit);
    lit = '';
    out.push(apacheDirective(letter, param, final, original));
  }
  pushLiteral(out, lit);
  return out;
}

/** The field a directive letter (with its parameter) produces. */
export function apacheDirective(letter: string, param: string | undefined, final = false, original = false): FieldSegment {
  const p = param ?? '';
  const pl = p.toLowerCase();
  const written = `%${param === undefined ? '' : `{${param}}`}${letter}`;
  switch (letter) {
    case 'a':
      return pl === 'c' ? field('other', 'connection_ip') : field('client_ip', written);
    case 'A':
      return field('server_ip', written);
    case 'B':
      return field('body_bytes', written);
    case 'b':
      return field('body_bytes_clf', written);
    case 'C':
      return field('other', `cookie.${fieldName(p)}`);
    case 'D':
      return field('duration_us', written);
    case 'e':
      return field('other', `env.${fieldName(p)}`);
    case 'f':
      return field('other', 'filename');
    case 'h':
      return pl === 'c' ? field('other', 'connection_host') : field('client', written);
    case 'H':
      return field('protocol', written);
    case 'i':
      if (pl === 'referer' || pl === 'referrer') return field('referrer', written);
      if (pl === 'user-agent') return field('user_agent', written);
      if (pl === 'x-forwarded-for') return field('forwarded_for', written);
      return field('other', `request_header.${fieldName(p)}`);
    case 'I':
      return field('request_bytes', written);
    case 'k':
      return field('other', 'keepalive_requests');
    case 'l':
      return field('ident', written);
    case 'L':
      return field('other', 'log_id');
    case 'm':
      return field('method', written);
    case 'n':
      return field('other', `note.${fieldName(p)}`);
    case 'o':
      return field('other', `response_header.${fieldName(p)}`);
    case 'O':
      return field('response_bytes', written);
    case 'p':
      return pl === 'remote' ? field('client_port', written) : field('server_port', written);
    case 'P':
      return pl === 'tid' || pl === 'hextid' ? field('tid', written) : field('pid', written);
    case 'q':
      // %q is empty or the query string with its leading '?'.
      return field('url_query', written, '(\\?[^\\s"]*|)');
    case 'r':
      return field('request', written);
    case 'R':
      return field('other', 'handler');
    case 's':
      // %s is the original status in 2.4 unless '>' is given; LogFormat presets use %>s.
      return field(final && !original ? 'status' : 'status_original', written);
    case 'S':
      return field('transfer_bytes', written);
    case 't':
      return timeDirective(p, written);
    case 'T':
      if (pl === 'ms') return field('duration_ms', written);
      if (pl === 'us') return field('duration_us', written);
      return field('duration_s', written);
    case 'u':
      return field('user', written);
    case 'U':
      return field('url_path', written);
    case 'v':
    case 'V':
      return field('server_domain', written);
    case 'X':
      return field('other', 'connection_status');
    case 'x':
    case 'c':
      if (p.toUpperCase() === 'SSL_PROTOCOL') return field('tls_protocol', written);
      if (p.toUpperCase() === 'SSL_CIPHER') return field('tls_cipher', written);
      return field('other', `ssl.${fieldName(p)}`);
    case '^ti':
      return field('other', `request_trailer.${fieldName(p)}`);
    case '^to':
      return field('other', `response_trailer.${fieldName(p)}`);
    default:
      return field('other', fieldName(param === undefined ? letter : `${letter}_${p}`));
  }
}

/** %t and its parameter forms: the default CLF time, epoch forms, or an strftime format (kept as text). */
function timeDirective(param: string, written: string): FieldSegment {
  const p = param.replace(/^(begin|end):/, '');
  if (p === '') return field('time_http', written, '\\[([^\\]]*)\\]');
  if (p === 'sec') return field('time_epoch_s', written, '(\\d+)');
  if (p === 'msec') return field('time_epoch_ms', written, '(\\d+)');
  if (p === 'usec') return field('time_epoch_us', written, '(\\d+)');
  if (p === '%d/%b/%Y:%H:%M:%S %z') return field('time_http', written);
  // Other strftime formats are kept as text: no @timestamp can be derived from them.
  return field('other', p.startsWith('msec_frac') || p.startsWith('usec_frac') ? 'time_fraction' : 'time', '(.*?)');
}

/** Accepts `LogFormat "…" nick`, a quoted format, or a bare format; resolves httpd.conf escapes. */
function unwrapLogFormat(format: string): string {
  let s = format.trim();
  const directive = /^LogFormat\s+"((?:[^"\\]|\\.)*)"(?:\s+\S+)?$/i.exec(s);
  if (directive !== null) s = directive[1];
  else if (s.length >= 2 && s.startsWith('"') && s.endsWith('"') && !s.slice(1, -1).includes('"')) s = s.slice(1, -1);
  return s.replace(/\\(["\\nt])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

function formatError(format: string, at: number, what: string): SluiceError {
  return new SluiceError(
    'SLUICE_ACCESS_LOG_FORMAT',
    `The Apache LogFormat ${JSON.stringify(format)} cannot be used: ${what} (at character ${at + 1}). ` +
      'Copy the format from the LogFormat line of your httpd.conf, or use a preset (access_log.format).',
  );
}

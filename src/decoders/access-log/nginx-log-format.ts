import { SluiceError } from '../../errors.js';
import { field, fieldName, pushLiteral, type FieldSegment, type Segment } from './format-segments.js';

/** nginx writes lists for every upstream tried: "10.0.0.1:80, 10.0.0.2:80 : 10.0.0.3:80". */
const UPSTREAM_LIST = '(\\S+(?:(?:, | : )\\S+)*)';

/**
 * Turns an nginx `log_format` string (ngx_http_log_module) into segments.
 *
 * Variables are `$name` or `${name}`
 * (https://nginx.org/en/docs/http/ngx_http_log_module.html#log_format,
 * https://nginx.org/en/docs/varindex.html). The whole directive as written in nginx.conf is accepted
 * too — `log_format main escape=json '…' '…';` — its quoted pieces are joined as nginx does.
 *
 * @throws SluiceError `SLUICE_ACCESS_LOG_FORMAT` when the format is empty or a `${` is not closed.
 */
export function parseNginxLogFormat(format: string): Segment[] {
  const text = unwrapLogFormat(format);
  if (text === '') throw formatError(format, 'it is empty');
  const out: Segment[] = [];
  let lit = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '$') {
      lit += c;
      i++;
      continue;
    }
    let name: string;
    if (text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2);
      if (close < 0) throw formatError(format, `"\${" at character ${i + 1} is never closed`);
      name = text.slice(i + 2, close);
      i = close + 1;
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(text.slice(i + 1, i + 65));
      if (m === null) {
        lit += '$';
        i++;
        continue;
      }
      name = m[0];
      i += 1 + name.length;
    }
    pushLiteral(out, lit);
    lit = '';
    out.push(nginxVariable(name));
  }
  pushLiteral(out, lit);
  return out;
}

/** The field an nginx variable produces. */
export function nginxVariable(name: string): FieldSegment {
  const v = name.toLowerCase();
  const written = `$${name}`;
  switch (v) {
    case 'remote_addr':
      return field('client', written);
    case 'remote_user':
      return field('user', written);
    case 'remote_port':
      return field('client_port', written);
    case 'time_local':
      return field('time_http', written);
    case 'time_iso8601':
      return field('time_iso', written);
    case 'msec':
      return field('time_epoch_s', written);
    case 'request':
      return field('request', written);
    case 'request_method':
      return field('method', written);
    case 'request_uri':
      return field('url_original', written);
    case 'uri':
    case 'document_uri':
      return field('url_path', written);
    case 'args':
    case 'query_string':
      return field('url_query', written);
    case 'server_protocol':
      return field('protocol', written);
    case 'status':
      return field('status', written);
    case 'body_bytes_sent':
      return field('body_bytes', written);
    case 'bytes_sent':
      return field('response_bytes', written);
    case 'request_length':
      return field('request_bytes', written);
    case 'http_referer':
      return field('referrer', written);
    case 'http_user_agent':
      return field('user_agent', written);
    case 'http_x_forwarded_for':
      return field('forwarded_for', written);
    case 'request_time':
      return field('duration_s', written);
    case 'host':
    case 'server_name':
      return field('server_domain', written);
    case 'http_host':
      return field('server_domain_port', written);
    case 'server_addr':
      return field('server_ip', written);
    case 'server_port':
      return field('server_port', written);
    case 'scheme':
      return field('scheme', written);
    case 'pid':
      return field('pid', written);
    case 'ssl_protocol':
      return field('tls_protocol', written);
    case 'ssl_cipher':
      return field('tls_cipher', written);
    default:
      return v.startsWith('upstream_') ? field('other', fieldName(v), UPSTREAM_LIST) : field('other', fieldName(v));
  }
}

/** Accepts `log_format name [escape=…] '…' '…';`, a single quoted string, or a bare format. */
function unwrapLogFormat(format: string): string {
  const s = format.trim();
  const directive = /^log_format\s+\S+\s+(?:escape=\S+\s+)?([\s\S]*?);?\s*$/.exec(s);
  const body = directive !== null ? directive[1] : s.replace(/^escape=\S+\s+/, '');
  const pieces = body.match(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g);
  // Only when the whole body is quoted pieces is it nginx.conf syntax; otherwise it is the format.
  if (pieces !== null && pieces.join('').length > 0 && body.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, '').trim() === '') {
    return pieces.map((p) => p.slice(1, -1).replace(/\\(['"\\])/g, '$1')).join('');
  }
  return body;
}

function formatError(format: string, what: string): SluiceError {
  return new SluiceError(
    'SLUICE_ACCESS_LOG_FORMAT',
    `The nginx log_format ${JSON.stringify(format)} cannot be used: ${what}. ` +
      'Copy the format from the log_format line of your nginx.conf, or use a preset (access_log.format).',
  );
}

/** Parsing of one `elasticsearch.urls` entry into a credential-free node address. */
import { SluiceError } from '../../../errors.js';
import { redactUrl } from '../../../config/redact.js';

/** One cluster node as the client uses it; never holds credentials. */
export interface NodeUrl {
  /** `https://es1:9200` — scheme, host and port, what undici's `Pool` connects to. */
  readonly origin: string;
  /** Path prefix when the cluster sits behind a proxy under a sub-path (`/es`), else `''`. */
  readonly basePath: string;
  /** `origin + basePath`: the only form of the URL that appears in messages. */
  readonly display: string;
  /** `true` for `https:`. */
  readonly tls: boolean;
  /** User name given in the URL (`https://user:pass@host`), percent-decoded. */
  readonly username?: string;
  /** Password given in the URL, percent-decoded. Never printed. */
  readonly password?: string;
}

/**
 * `https://user:pass@es1:9200/prefix/` → origin `https://es1:9200`, basePath `/prefix`, and the
 * credentials split off (the client moves them to the `Authorization` header). Throws
 * `SLUICE_ENGINE_OPTIONS` for anything that is not a plain http(s) URL; the message shows the URL
 * with its credentials redacted.
 */
export function parseNodeUrl(raw: string): NodeUrl {
  const shown = redactUrl(raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SluiceError('SLUICE_ENGINE_OPTIONS', `elasticsearch.urls: ${shown} is not a valid URL; write it as https://host:9200`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SluiceError('SLUICE_ENGINE_OPTIONS', `elasticsearch.urls: ${shown} must start with https:// or http://`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new SluiceError('SLUICE_ENGINE_OPTIONS', `elasticsearch.urls: ${redactUrl(`${url.protocol}//${url.username ? 'x@' : ''}${url.host}${url.pathname}`)} must not have a query string or fragment`);
  }
  const basePath = url.pathname.replace(/\/+$/, '');
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return {
    origin: url.origin,
    basePath,
    display: url.origin + basePath,
    tls: url.protocol === 'https:',
    ...(url.username !== '' ? { username: decode(url.username) } : {}),
    ...(url.password !== '' ? { password: decode(url.password) } : {}),
  };
}

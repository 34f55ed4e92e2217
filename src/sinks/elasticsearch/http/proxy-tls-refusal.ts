/**
 * Recognising the HTTP answers a TLS-terminating proxy gives instead of refusing the handshake.
 *
 * nginx with `ssl_verify_client on` lets the handshake finish whatever the client sent (its
 * verification callback always accepts) and then answers the request itself with an HTML 400:
 * "No required SSL certificate was sent" (its internal status 496) or "The SSL certificate error"
 * (495: not signed by `ssl_client_certificate`, expired, revoked). A plain-HTTP request to its TLS
 * port gets "The plain HTTP request was sent to HTTPS port" (497). Read as an engine answer, a 400
 * would look like a bad request (and a bulk 400 like a document problem); these are connection
 * settings, so they become transport failures with `SLUICE_ENGINE_TLS`.
 * Source of the texts: nginx `src/http/ngx_http_special_response.c` (`ngx_http_error_495_page` …).
 */
import type { TransportFailure } from './transport-failure.js';

/** What the user should do when the server wants a client certificate (shared with the handshake failures). */
export const CLIENT_CERT_HINT =
  'give a client certificate signed by a CA the cluster trusts, with its key: elasticsearch.tls.cert_file and elasticsearch.tls.key_file (--elasticsearch-tls-cert-file, --elasticsearch-tls-key-file)';

const NO_CERT = 'No required SSL certificate was sent';
const BAD_CERT = 'The SSL certificate error';
const PLAIN_HTTP = 'The plain HTTP request was sent to HTTPS port';

/** The page title of an nginx error page (`<title>400 …</title>`), or `undefined`. */
function nginxTitle(headers: Readonly<Record<string, string>>, body: Buffer): string | undefined {
  if (!/html/i.test(headers['content-type'] ?? '') || body.length > 4096) return undefined;
  const m = /<title>\s*400\s+([^<]{1,100})<\/title>/i.exec(body.toString('latin1'));
  return m?.[1]?.trim();
}

/**
 * The transport failure a proxy's 400 stands for, or `undefined` when `status`/`body` are an
 * ordinary answer. `node` is the credential-free node URL; `clientCert` whether one was configured.
 * The proxy answered without forwarding the request, so it is `notSent` (safe to send elsewhere).
 */
export function proxyTlsRefusal(
  status: number,
  headers: Readonly<Record<string, string>>,
  body: Buffer,
  node: { display: string; clientCert: boolean },
): TransportFailure | undefined {
  if (status !== 400) return undefined;
  const title = nginxTitle(headers, body);
  if (title === NO_CERT) {
    return {
      kind: 'tls',
      notSent: true,
      headline: `${node.display} requires a client certificate (mutual TLS)`,
      detail: node.clientCert
        ? `it answered HTTP 400 "${NO_CERT}" although one is configured (the server did not ask for it during the handshake)`
        : `none was sent (HTTP 400 "${NO_CERT}")`,
      hint: CLIENT_CERT_HINT,
    };
  }
  if (title === BAD_CERT) {
    return {
      kind: 'tls',
      notSent: true,
      headline: `${node.display} refused the client certificate`,
      detail: `HTTP 400 "${BAD_CERT}": it is not signed by a CA the server trusts for clients, or it has expired or been revoked (the server's error log names the reason)`,
      hint: 'use a client certificate and key issued by the CA the cluster trusts for clients in elasticsearch.tls.cert_file and elasticsearch.tls.key_file (--elasticsearch-tls-cert-file, --elasticsearch-tls-key-file)',
    };
  }
  if (title === PLAIN_HTTP) {
    return {
      kind: 'tls',
      notSent: true,
      headline: `${node.display} serves HTTPS on this port`,
      detail: `a plain HTTP request was refused (HTTP 400 "${PLAIN_HTTP}")`,
      hint: `use https:// in elasticsearch.urls (${node.display.replace(/^http:/, 'https:')})`,
    };
  }
  return undefined;
}

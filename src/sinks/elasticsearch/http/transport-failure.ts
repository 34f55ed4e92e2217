/** Classifying why one attempt on one node failed below HTTP (undici and Node socket/TLS errors). */
import { CLIENT_CERT_HINT } from './proxy-tls-refusal.js';

/** One failed attempt, safe to print (the caller scrubs secrets once more). */
export interface TransportFailure {
  /** `timeout`, `tls` (handshake or certificate), or `unreachable` (refused, reset, DNS, other). */
  readonly kind: 'timeout' | 'tls' | 'unreachable';
  /** `true` when the request cannot have reached the server (refused, DNS, TLS handshake, connect timeout), so resending it elsewhere is always safe. */
  readonly notSent: boolean;
  /** Short sentence, e.g. `connection refused`. */
  readonly detail: string;
  /** Replaces the default start of the message (`TLS verification failed for <node>`, `cannot reach <node>`), naming the node. */
  readonly headline?: string;
  /** What the user should do, when we know; else `undefined`. */
  readonly hint: string | undefined;
}

/** The error and its causes (undici wraps; `net` happy-eyeballs throws an AggregateError). */
function chain(err: unknown): { code?: string; message: string }[] {
  const out: { code?: string; message: string }[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown): void => {
    if (e === null || typeof e !== 'object' || seen.has(e) || out.length > 10) return;
    seen.add(e);
    const x = e as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    out.push({ ...(typeof x.code === 'string' ? { code: x.code } : {}), message: typeof x.message === 'string' ? x.message : String(e) });
    visit(x.cause);
    if (Array.isArray(x.errors)) for (const inner of x.errors) visit(inner);
  };
  visit(err);
  return out;
}

const CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
]);

/** Other OpenSSL verification failures (X509_V_ERR_* without the prefix). */
const OTHER_CERT_CODES = new Set(['INVALID_PURPOSE', 'CERT_REVOKED', 'CERT_REJECTED', 'PATH_LENGTH_EXCEEDED', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD', 'HOSTNAME_MISMATCH']);

/** The hint shared by every "cannot verify the server certificate" failure. */
export const CA_HINT =
  'pass the CA with elasticsearch.tls.ca_file (--elasticsearch-tls-ca-file) or, for testing only, elasticsearch.tls.insecure (--elasticsearch-tls-insecure)';

/** Classify `err`, thrown by undici for one attempt that ran at most `timeoutMs`. */
export function classifyTransportFailure(err: unknown, timedOut: boolean, timeoutMs: number, node: { https: boolean; clientCert: boolean }): TransportFailure {
  const https = node.https;
  const links = chain(err);
  const codes = links.map((l) => l.code).filter((c): c is string => c !== undefined);
  const has = (pred: (c: string) => boolean): string | undefined => codes.find(pred);
  const messageOf = (code: string): string => links.find((l) => l.code === code)?.message ?? code;

  if (timedOut || has((c) => c === 'UND_ERR_HEADERS_TIMEOUT' || c === 'UND_ERR_BODY_TIMEOUT' || c === 'UND_ERR_CONNECT_TIMEOUT' || c === 'ETIMEDOUT')) {
    const connect = has((c) => c === 'UND_ERR_CONNECT_TIMEOUT') !== undefined;
    return {
      kind: 'timeout',
      notSent: connect,
      detail: connect ? `no connection within ${timeoutMs} ms` : `no complete answer within ${timeoutMs} ms`,
      hint: 'check the health and load of the cluster, or raise the request timeout',
    };
  }
  const cert = has((c) => CERT_CODES.has(c));
  if (cert) return { kind: 'tls', notSent: true, detail: messageOf(cert), hint: CA_HINT };
  if (has((c) => c === 'CERT_HAS_EXPIRED' || c === 'CERT_NOT_YET_VALID')) {
    const c = has((x) => x === 'CERT_HAS_EXPIRED' || x === 'CERT_NOT_YET_VALID')!;
    return { kind: 'tls', notSent: true, detail: messageOf(c), hint: 'renew the cluster certificate (or check this machine\'s clock)' };
  }
  const purpose = has((c) => OTHER_CERT_CODES.has(c));
  if (purpose) return { kind: 'tls', notSent: true, detail: messageOf(purpose), hint: 'the cluster certificate cannot be used for a TLS server: re-issue it (serverAuth, not revoked)' };
  const altname = has((c) => c === 'ERR_TLS_CERT_ALTNAME_INVALID');
  if (altname) {
    return { kind: 'tls', notSent: true, detail: messageOf(altname), hint: 'connect with a host name the certificate lists, or re-issue the certificate with this name' };
  }
  const certRequired = has((c) => /CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN/.test(c));
  if (certRequired) {
    return {
      kind: 'tls',
      notSent: false,
      detail: `the server refused the TLS handshake (${certRequired})`,
      hint: node.clientCert
        ? `the cluster did not accept the client certificate: ${CLIENT_CERT_HINT}`
        : `the cluster requires a client certificate (mutual TLS): ${CLIENT_CERT_HINT}`,
    };
  }
  const wrongProto = has((c) => c === 'ERR_SSL_WRONG_VERSION_NUMBER' || c === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || c === 'ERR_SSL_HTTP_REQUEST');
  if (wrongProto) {
    return { kind: 'tls', notSent: true, detail: 'the server does not speak TLS on this port', hint: 'use http:// for this node, or the port where the cluster serves HTTPS' };
  }
  const ssl = has((c) => c.startsWith('ERR_SSL_') || c.startsWith('ERR_TLS_') || c.startsWith('ERR_OSSL_'));
  if (ssl) return { kind: 'tls', notSent: true, detail: messageOf(ssl), hint: undefined };

  if (has((c) => c === 'ECONNREFUSED')) {
    return { kind: 'unreachable', notSent: true, detail: 'connection refused', hint: 'check the host and port in elasticsearch.urls and that the node is running' };
  }
  const dns = has((c) => c === 'ENOTFOUND' || c === 'EAI_AGAIN' || c === 'EAI_NONAME');
  if (dns) return { kind: 'unreachable', notSent: true, detail: 'unknown host name', hint: 'check the host name in elasticsearch.urls' };
  if (has((c) => c === 'EHOSTUNREACH' || c === 'ENETUNREACH' || c === 'EADDRNOTAVAIL')) {
    return { kind: 'unreachable', notSent: true, detail: 'no route to the host', hint: 'check the network and firewalls between here and the cluster' };
  }
  if (has((c) => c === 'ECONNRESET' || c === 'EPIPE' || c === 'UND_ERR_SOCKET' || c === 'UND_ERR_CLOSED')) {
    return {
      kind: 'unreachable',
      notSent: false,
      detail: 'the connection was closed before a complete answer arrived',
      // Elasticsearch 8+ enables TLS by default and silently drops plain-HTTP connections.
      hint: !https
        ? 'if the cluster uses TLS (the default since Elasticsearch 8) use https://'
        : node.clientCert
          ? 'the node may be restarting or overloaded, or it did not accept the client certificate (elasticsearch.tls.cert_file)'
          : // With TLS 1.3 a server that demands a client certificate may just close the connection.
            `the node may be restarting or overloaded, or it requires a client certificate (mutual TLS): ${CLIENT_CERT_HINT}`,
    };
  }
  const first = links[0];
  return { kind: 'unreachable', notSent: false, detail: first ? (first.code ? `${first.code}: ${first.message}` : first.message) : 'unknown transport error', hint: undefined };
}

/** TLS settings of the connection: verification always on unless `insecure`, CA and client certificate read once. */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { SluiceError } from '../../../errors.js';

/** TLS options of {@link EngineClientOptions}. */
export interface EngineTlsOptions {
  /** PEM file of the CA that signed the cluster certificate. Replaces the system trust store for these connections (like `curl --cacert`). */
  readonly caFile?: string;
  /** PEM client certificate for mutual TLS (requires `keyFile`). */
  readonly certFile?: string;
  /** PEM private key of `certFile` (unencrypted). */
  readonly keyFile?: string;
  /** Skip certificate verification. Test clusters only; adds a warning to `client.warnings`. Default `false`. */
  readonly insecure?: boolean;
}

/** What undici's `connect` option needs, plus the warning to show. */
export interface LoadedTls {
  readonly connect: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  readonly warning: string | undefined;
}

function readPem(file: string, option: string, marker: RegExp, kind: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new SluiceError('SLUICE_ENGINE_OPTIONS', `${option}: cannot read ${file}: ${why}`, { cause: err });
  }
  if (!marker.test(text)) {
    throw new SluiceError('SLUICE_ENGINE_OPTIONS', `${option}: ${file} is not a PEM ${kind} (expected a "-----BEGIN ${kind.toUpperCase()}-----" block)`);
  }
  return text;
}

/**
 * Read the CA, client certificate and key at construction so a wrong path fails at start-up, not
 * at the first request, and check they form a usable TLS context (a certificate that does not match
 * its key is reported here). `hasHttps` says whether any node URL uses TLS (the insecure warning is
 * only given then).
 */
export function loadTls(options: EngineTlsOptions | undefined, hasHttps: boolean): LoadedTls {
  const o = options ?? {};
  if ((o.certFile === undefined) !== (o.keyFile === undefined)) {
    throw new SluiceError('SLUICE_ENGINE_OPTIONS', 'elasticsearch.tls: a client certificate needs both the certificate file and its key file');
  }
  const ca = o.caFile !== undefined ? readPem(o.caFile, 'elasticsearch.tls.ca_file', /-----BEGIN CERTIFICATE-----/, 'certificate') : undefined;
  const cert = o.certFile !== undefined ? readPem(o.certFile, 'elasticsearch.tls client certificate', /-----BEGIN CERTIFICATE-----/, 'certificate') : undefined;
  const key = o.keyFile !== undefined ? readPem(o.keyFile, 'elasticsearch.tls client key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private key') : undefined;
  // PKCS#8 "ENCRYPTED PRIVATE KEY" or a legacy PEM with "Proc-Type: 4,ENCRYPTED": OpenSSL would
  // only say "bad decrypt" (there is no passphrase setting, by design: it would be one more secret).
  if (key !== undefined && /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,\s*ENCRYPTED/.test(key)) {
    throw new SluiceError(
      'SLUICE_ENGINE_OPTIONS',
      `elasticsearch.tls.key_file: ${o.keyFile} is encrypted with a passphrase, which sluice does not read; write an unencrypted copy readable only by the sluice user (openssl pkey -in ${o.keyFile} -out client.key && chmod 600 client.key)`,
    );
  }
  try {
    createSecureContext({ ca, cert, key });
  } catch (err) {
    // OpenSSL's message names the problem ("key values mismatch", "no start line"); it never
    // contains the key material.
    throw new SluiceError('SLUICE_ENGINE_OPTIONS', `elasticsearch.tls: the certificate files cannot be used: ${(err as Error).message}`, { cause: err });
  }
  const insecure = o.insecure === true;
  const connect: LoadedTls['connect'] = { rejectUnauthorized: !insecure };
  if (ca !== undefined) connect.ca = ca;
  if (cert !== undefined) connect.cert = cert;
  if (key !== undefined) connect.key = key;
  const warning =
    insecure && hasHttps
      ? 'TLS certificate verification is OFF (elasticsearch.tls.insecure): anyone on the network path can read and change the data and the credentials. Use this for test clusters only; pass the CA with elasticsearch.tls.ca_file instead.'
      : undefined;
  return { connect, warning };
}

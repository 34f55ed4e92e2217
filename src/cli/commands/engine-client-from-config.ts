/** The engine client for a command, from the merged `elasticsearch` configuration. */
import type { SluiceConfig } from '../../config/index.js';
import { SluiceError } from '../../errors.js';
import { EngineClient } from '../../sinks/elasticsearch/http/engine-client.js';
import type { CommandIO } from '../output.js';

/** Builds the client (auth from api_key, bearer_token or username/password; TLS with CA, client certificate, insecure) and prints its warnings once. */
export function engineClientFromConfig(es: SluiceConfig['elasticsearch'], io: CommandIO): EngineClient {
  if (es.urls.length === 0) {
    throw new SluiceError('SLUICE_USAGE', 'this needs at least one Elasticsearch/OpenSearch node URL: --es-url https://host:9200 (or elasticsearch.urls / SLUICE_ELASTICSEARCH__URLS)');
  }
  const auth =
    es.api_key !== undefined
      ? { apiKey: es.api_key }
      : es.bearer_token !== undefined
        ? { bearer: es.bearer_token }
        : es.username !== undefined && es.password !== undefined
          ? { username: es.username, password: es.password }
          : undefined;
  const client = new EngineClient({
    urls: es.urls,
    timeoutMs: es.timeout_secs * 1000,
    compression: es.compression,
    auth,
    tls: { caFile: es.tls.ca_file, certFile: es.tls.cert_file, keyFile: es.tls.key_file, insecure: es.tls.insecure },
  });
  for (const w of client.warnings) io.stderr.write(`sluice: warning: ${w}\n`);
  return client;
}

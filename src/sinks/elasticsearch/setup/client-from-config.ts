/** An {@link EngineClient} from the `elasticsearch` section of the configuration (as `sluice ingest` builds it). */
import { SluiceError } from '../../../errors.js';
import type { SluiceConfig } from '../../../config/index.js';
import { EngineClient } from '../http/engine-client.js';

/** Builds the client; throws SLUICE_USAGE when no node URL is configured (`command` names the command in the message). */
export function engineClientFromConfig(es: SluiceConfig['elasticsearch'] | undefined, command: string): EngineClient {
  if (es === undefined || es.urls.length === 0) {
    throw new SluiceError('SLUICE_USAGE', `${command} needs at least one node URL: --es-url https://host:9200 (or elasticsearch.urls / SLUICE_ELASTICSEARCH__URLS)`);
  }
  const auth = es.api_key !== undefined
    ? { apiKey: es.api_key }
    : es.username !== undefined && es.password !== undefined
      ? { username: es.username, password: es.password }
      : undefined;
  return new EngineClient({
    urls: es.urls,
    timeoutMs: es.timeout_secs * 1000,
    auth,
    tls: { caFile: es.tls.ca_file, insecure: es.tls.insecure },
  });
}

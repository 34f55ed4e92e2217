/** `detectEngine`: ask the cluster what it is, once, at start-up. */
import { SluiceError } from '../../../errors.js';
import { assertAuthorized } from './assert-authorized.js';
import type { EngineClient } from './engine-client.js';
import { engineInfoFromRoot, type EngineInfo } from './engine-info.js';

/**
 * `GET /` on the cluster and read the distribution, version and features from the answer.
 *
 * Throws `SLUICE_ENGINE_AUTH` for 401/403 (`GET /` needs the `monitor` cluster privilege on
 * Elasticsearch), `SLUICE_ENGINE_UNREACHABLE` for 5xx (the cluster is starting or has no master),
 * `SLUICE_ENGINE_UNSUPPORTED` for anything that is not Elasticsearch 7+ or OpenSearch, and the
 * transport errors of {@link EngineClient.request}.
 */
export async function detectEngine(client: EngineClient, signal?: AbortSignal): Promise<EngineInfo> {
  const response = await client.request({ method: 'GET', path: '/', ...(signal ? { signal } : {}) });
  assertAuthorized(response, client.scrub);
  if (response.status >= 500) {
    throw new SluiceError('SLUICE_ENGINE_UNREACHABLE', client.scrub(`${response.node} answered GET / with HTTP ${response.status}: the cluster is starting, has no elected master, or a proxy in front of it cannot reach it. Check the cluster health and try again.`));
  }
  if (response.status < 200 || response.status >= 300) {
    throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', client.scrub(`${response.node} answered GET / with HTTP ${response.status}; an Elasticsearch or OpenSearch node answers 200. Point elasticsearch.urls at the HTTP port of the cluster (usually 9200).`));
  }
  return engineInfoFromRoot(response);
}

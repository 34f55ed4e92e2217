/**
 * Least-privilege API keys for sluice on an Elasticsearch cluster with security on: one to publish
 * packet documents, one to read them. Request bodies of `POST /_security/api_key`; see
 * docs/reference/setup-and-retention.md for the rationale of each privilege.
 */
import { SluiceError } from '../../../errors.js';
import type { EngineClient } from '../http/engine-client.js';
import type { EngineInfo } from '../http/engine-info.js';
import { assertAuthorized } from '../http/assert-authorized.js';
import { templatePattern } from '../index-template.js';

/** Options of {@link apiKeyRequests} and {@link createApiKeys}. */
export interface ApiKeyOptions {
  /** Daily index pattern; the keys cover `templatePattern(indexPattern)` (`sluice-packets-*`) only. */
  readonly indexPattern: string;
  /** Prefix of the key names: `<name>-publish`, `<name>-read`. Default `sluice`. */
  readonly name?: string;
  /**
   * Grant `auto_configure` to the publish key (needed to auto-create data streams; Elasticsearch
   * ≥ 7.9 only, older versions reject the privilege name). Default `true`; `createApiKeys` passes
   * the engine's `features.dataStreams`.
   */
  readonly autoConfigure?: boolean;
}

/**
 * The cluster privilege of `GET /` (engine detection at start-up), and nothing else: the named
 * `monitor` privilege would also expose cluster state, node stats and every index name.
 */
export const ROOT_INFO_PRIVILEGE = 'cluster:monitor/main';

/** Bodies of `POST /_security/api_key` for the publish key and the read key. */
export function apiKeyRequests(options: ApiKeyOptions): { publish: Record<string, unknown>; read: Record<string, unknown> } {
  const prefix = options.name ?? 'sluice';
  const names = [templatePattern(options.indexPattern)];
  const write = ['create_doc', 'create_index', ...(options.autoConfigure === false ? [] : ['auto_configure'])];
  return {
    publish: {
      name: `${prefix}-publish`,
      role_descriptors: {
        sluice_publish: { cluster: [ROOT_INFO_PRIVILEGE], indices: [{ names, privileges: write }] },
      },
    },
    read: {
      name: `${prefix}-read`,
      role_descriptors: {
        sluice_read: { cluster: [ROOT_INFO_PRIVILEGE], indices: [{ names, privileges: ['read', 'view_index_metadata'] }] },
      },
    },
  };
}

/** One created key. Show `encoded` once: Elasticsearch never returns the secret again. */
export interface CreatedApiKey {
  readonly id: string;
  readonly name: string;
  readonly api_key: string;
  /** base64(`id:api_key`): the value for `elasticsearch.api_key` (`Authorization: ApiKey <encoded>`). */
  readonly encoded: string;
}

const NO_API_KEYS_ON_OPENSEARCH =
  'API keys are an Elasticsearch feature; OpenSearch has no /_security/api_key. On OpenSearch use its security plugin instead: ' +
  'create an internal user (PUT _plugins/_security/api/internalusers/<name>) and a role with cluster permissions cluster:monitor/main and ' +
  'indices:data/write/bulk plus index permissions create_index, indices:data/write/index and indices:data/write/bulk* on the sluice indices ' +
  '(or read, for a reader), map the user to the role (PUT _plugins/_security/api/rolesmapping/<role>), then set elasticsearch.username and ' +
  'elasticsearch.password. See docs/reference/setup-and-retention.md.';

/**
 * Creates the publish and read keys with `POST /_security/api_key` (as the configured user, who
 * must hold `manage_api_key` or `manage_own_api_key` and at least the privileges it delegates).
 * Throws `SLUICE_ENGINE_UNSUPPORTED` on OpenSearch or when security is off, `SLUICE_ENGINE_AUTH`
 * for 401/403.
 */
export async function createApiKeys(
  client: EngineClient,
  options: ApiKeyOptions & { engine?: Pick<EngineInfo, 'distribution' | 'features'> },
): Promise<{ publish: CreatedApiKey; read: CreatedApiKey }> {
  if (options.engine?.distribution === 'opensearch') throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', NO_API_KEYS_ON_OPENSEARCH);
  const bodies = apiKeyRequests({ ...options, autoConfigure: options.autoConfigure ?? options.engine?.features.dataStreams ?? true });
  const publish = await createOne(client, bodies.publish);
  const read = await createOne(client, bodies.read);
  return { publish, read };
}

async function createOne(client: EngineClient, body: Record<string, unknown>): Promise<CreatedApiKey> {
  // Not idempotent: a retry on another node would create a second key.
  const res = await client.request({ method: 'POST', path: '/_security/api_key', body, idempotent: false });
  const text = res.text();
  if (res.status === 400 || res.status === 404 || res.status === 405) {
    if (/no handler found|_security|Incorrect HTTP method/i.test(text) && !/security_exception|action_request_validation/i.test(text)) {
      throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', `${res.node} has no API key service (HTTP ${res.status} on POST /_security/api_key). ${NO_API_KEYS_ON_OPENSEARCH}`);
    }
  }
  if (/security must be (explicitly )?enabled|security is (not enabled|disabled)/i.test(text)) {
    throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', `${res.node} has security disabled, so it has no API keys (HTTP ${res.status}: ${client.scrub(text.slice(0, 300))}). Enable xpack.security.enabled, or connect without credentials.`);
  }
  assertAuthorized(res, client.scrub);
  if (res.status >= 300) {
    throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', `creating the API key ${String(body.name)} on ${res.node} failed: HTTP ${res.status} ${client.scrub(text.slice(0, 500))}`);
  }
  const answer = res.json<{ id?: unknown; name?: unknown; api_key?: unknown; encoded?: unknown }>();
  if (typeof answer.id !== 'string' || typeof answer.api_key !== 'string') {
    throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', `${res.node} answered POST /_security/api_key without id and api_key`);
  }
  const encoded = typeof answer.encoded === 'string' ? answer.encoded : Buffer.from(`${answer.id}:${answer.api_key}`).toString('base64');
  return { id: answer.id, name: typeof answer.name === 'string' ? answer.name : String(body.name), api_key: answer.api_key, encoded };
}

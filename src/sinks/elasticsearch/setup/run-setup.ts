/**
 * `sluice setup`: installs the packet index template and the lifecycle policy, idempotently. Each
 * object is read first and only written when it differs, so the report says `created`, `updated`
 * or `unchanged`, and running setup twice leaves the same state.
 */
import { createHash } from 'node:crypto';
import { SluiceError } from '../../../errors.js';
import type { EngineClient } from '../http/engine-client.js';
import type { EngineInfo } from '../http/engine-info.js';
import type { EngineResponse } from '../http/engine-response.js';
import { assertAuthorized } from '../http/assert-authorized.js';
import { detectEngine } from '../http/detect-engine.js';
import { packetIndexTemplate } from '../index-template.js';
import { lifecyclePolicy, policyMatches, type LifecyclePolicyRequest } from './lifecycle-policy.js';

/** What setup did to one object. `skipped`: not applicable on this engine (see `note`). */
export type SetupAction = 'created' | 'updated' | 'unchanged' | 'skipped';

/** Options of {@link runSetup}. */
export interface SetupOptions {
  readonly indexPattern: string;
  /** Delete indices this many days after creation. Default 30. */
  readonly deleteAfterDays?: number;
  /** `index.refresh_interval` of new indices, seconds. Default 5. */
  readonly refreshIntervalSecs?: number;
  /** The engine, when already detected (else `GET /`). */
  readonly engine?: EngineInfo;
  /** A data stream template instead of daily indices (`elasticsearch.data_stream`). */
  readonly dataStream?: boolean;
}

/** What {@link runSetup} did. */
export interface SetupReport {
  readonly engine: { readonly distribution: EngineInfo['distribution']; readonly version: string };
  readonly policy: { readonly kind: 'ilm' | 'ism'; readonly name: string; readonly path: string; readonly deleteAfterDays: number; readonly indexPatterns: readonly string[]; readonly action: SetupAction; readonly note?: string };
  readonly template: { readonly name: string; readonly indexPatterns: readonly string[]; readonly action: SetupAction; readonly lifecycleSetting?: string };
}

/** The body `runSetup` PUTs to `/_index_template/<name>`: the packet template, plus `index.lifecycle.name` on Elasticsearch, plus a fingerprint in `_meta`. */
export function setupTemplate(engine: Pick<EngineInfo, 'features' | 'buildFlavor'>, options: SetupOptions, withLifecycle = true): { name: string; body: Record<string, any>; fingerprint: string; lifecycleSetting?: string } {
  const { name, body } = packetIndexTemplate({ indexPattern: options.indexPattern, refreshIntervalSecs: options.refreshIntervalSecs, dataStream: options.dataStream });
  const b = body as Record<string, any>;
  let lifecycleSetting: string | undefined;
  if (withLifecycle && engine.features.lifecycle === 'ilm' && engine.buildFlavor !== 'serverless') {
    lifecycleSetting = lifecyclePolicy(engine, options).name;
    b.template.settings['index.lifecycle.name'] = lifecycleSetting;
  }
  const fingerprint = createHash('sha256').update(JSON.stringify(b)).digest('hex').slice(0, 16);
  b._meta = { ...b._meta, fingerprint };
  return { name, body: b, fingerprint, ...(lifecycleSetting ? { lifecycleSetting } : {}) };
}

function failed(what: string, res: EngineResponse, client: EngineClient): SluiceError {
  return new SluiceError('SLUICE_ENGINE_UNSUPPORTED', `${what} on ${res.node} failed: HTTP ${res.status} ${client.scrub(res.text().slice(0, 500))}`);
}

/** Installs the lifecycle policy and the template (policy first: the template names it). */
export async function runSetup(client: EngineClient, options: SetupOptions): Promise<SetupReport> {
  const engine = options.engine ?? (await detectEngine(client));
  if (!engine.features.composableTemplates) {
    throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', `Elasticsearch ${engine.version.text} has no composable index templates (7.8+); upgrade the cluster to 7.10 or later.`);
  }
  const desired = lifecyclePolicy(engine, options);
  const policy = await installPolicy(client, engine, desired);
  const template = await installTemplate(client, engine, options, policy.action !== 'skipped');
  return {
    engine: { distribution: engine.distribution, version: engine.version.text },
    policy: { kind: desired.lifecycle, name: desired.name, path: desired.path, deleteAfterDays: desired.deleteAfterDays, indexPatterns: desired.indexPatterns, ...policy },
    template,
  };
}

async function installPolicy(client: EngineClient, engine: EngineInfo, desired: LifecyclePolicyRequest): Promise<{ action: SetupAction; note?: string }> {
  if (desired.lifecycle === 'ilm' && engine.buildFlavor === 'serverless') {
    return { action: 'skipped', note: 'Elastic Cloud Serverless has no ILM; use `sluice retention` or a data stream lifecycle' };
  }
  const current = await client.request({ method: 'GET', path: desired.path });
  assertAuthorized(current, client.scrub);
  if (desired.lifecycle === 'ism' && current.status === 400 && /no handler found/i.test(current.text())) {
    return { action: 'skipped', note: `${current.node} has no Index State Management plugin (opensearch-index-management): no policy installed; install the plugin and run setup again, or delete old indices with \`sluice retention\`` };
  }
  // Elasticsearch without X-Pack (the OSS distribution, or a node built without the ILM module)
  // routes `_ilm/...` to the document APIs, which refuse an index named `_ilm`.
  if (desired.lifecycle === 'ilm' && current.status >= 400 && /(invalid_index_name_exception|index_not_found_exception)[^}]*_ilm/.test(current.text())) {
    return { action: 'skipped', note: `${current.node} has no index lifecycle management (X-Pack ILM): no policy installed; use the default distribution, or delete old indices with \`sluice retention\`` };
  }
  if (current.status !== 404 && current.status >= 300) throw failed(`reading the lifecycle policy ${desired.name}`, current, client);
  let query: Record<string, number> | undefined;
  if (current.status < 300) {
    const answer = current.json<any>();
    if (policyMatches(desired, answer)) return { action: 'unchanged' };
    if (desired.lifecycle === 'ism') {
      // ISM refuses to overwrite a policy without the sequence number of the version it replaces.
      query = { if_seq_no: answer._seq_no, if_primary_term: answer._primary_term };
    }
  }
  const res = await client.request({ method: desired.method, path: desired.path, body: desired.body, ...(query ? { query } : {}) });
  assertAuthorized(res, client.scrub);
  if (res.status === 409) {
    throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', `the lifecycle policy ${desired.name} was changed by someone else while sluice setup updated it (HTTP 409 on ${res.node}); run sluice setup again.`);
  }
  if (res.status >= 300) throw failed(`installing the lifecycle policy ${desired.name}`, res, client);
  return { action: current.status === 404 ? 'created' : 'updated' };
}

async function installTemplate(client: EngineClient, engine: EngineInfo, options: SetupOptions, withLifecycle: boolean): Promise<SetupReport['template']> {
  // No `index.lifecycle.name` when the policy could not be installed (no ILM on the cluster): the
  // setting would be refused as unknown.
  const { name, body, fingerprint, lifecycleSetting } = setupTemplate(engine, options, withLifecycle);
  const path = `/_index_template/${encodeURIComponent(name)}`;
  const base = { name, indexPatterns: body.index_patterns as string[], ...(lifecycleSetting ? { lifecycleSetting } : {}) };
  const current = await client.request({ method: 'GET', path });
  assertAuthorized(current, client.scrub);
  if (current.status !== 404 && current.status >= 300) throw failed(`reading the index template ${name}`, current, client);
  if (current.status < 300) {
    const found = current.json<{ index_templates?: { name?: string; index_template?: { _meta?: { fingerprint?: unknown } } }[] }>();
    const existing = found.index_templates?.find((t) => t.name === name);
    if (existing?.index_template?._meta?.fingerprint === fingerprint) return { ...base, action: 'unchanged' };
  }
  const res = await client.request({ method: 'PUT', path, body });
  assertAuthorized(res, client.scrub);
  if (res.status >= 300) throw failed(`installing the index template ${name}`, res, client);
  return { ...base, action: current.status === 404 ? 'created' : 'updated' };
}

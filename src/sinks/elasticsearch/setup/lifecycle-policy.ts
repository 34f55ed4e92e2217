/**
 * The lifecycle policy that deletes old packet indices: ILM on Elasticsearch, ISM on OpenSearch.
 * Pure request builders plus the semantic comparison `runSetup` uses to report `unchanged`.
 */
import type { EngineInfo } from '../http/engine-info.js';
import { packetIndexTemplate } from '../index-template.js';
import { templatePattern } from '../index-template.js';

/** Days after index creation when the policy deletes an index, when not given. */
export const DEFAULT_DELETE_AFTER_DAYS = 30;

/** Priority of the ISM template (OpenSearch); overlapping ISM templates must differ in priority. */
export const ISM_TEMPLATE_PRIORITY = 100;

/** Options of {@link lifecyclePolicy}. */
export interface LifecyclePolicyOptions {
  /** Daily index pattern (`sluice-packets-%Y.%m.%d`); the policy covers `templatePattern(indexPattern)`. */
  readonly indexPattern: string;
  /** Delete an index this many days after it was created. Default {@link DEFAULT_DELETE_AFTER_DAYS}. */
  readonly deleteAfterDays?: number;
}

/** The request that installs the policy (ISM updates add `if_seq_no`/`if_primary_term`, see runSetup). */
export interface LifecyclePolicyRequest {
  readonly lifecycle: 'ilm' | 'ism';
  /** Policy name (= id): the index template's name, e.g. `sluice-packets`. */
  readonly name: string;
  readonly method: 'PUT';
  /** `/_ilm/policy/<name>` or `/_plugins/_ism/policies/<name>`. */
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly deleteAfterDays: number;
  /** The index name pattern the policy applies to (`sluice-packets-*`). */
  readonly indexPatterns: readonly string[];
}

/** Name of the policy of `indexPattern`: the same as the packet template's (`sluice-packets`). */
export function lifecyclePolicyName(indexPattern: string): string {
  return packetIndexTemplate({ indexPattern }).name;
}

/**
 * The request to install the delete-after-N-days policy on `engine`.
 *
 * - Elasticsearch (ILM): `PUT /_ilm/policy/<name>`, phases hot (no actions) → delete at
 *   `min_age: <N>d`; indices join it through the template setting `index.lifecycle.name`.
 * - OpenSearch (ISM): `PUT /_plugins/_ism/policies/<name>`, states hot → delete on
 *   `min_index_age: <N>d`, with an `ism_template` so every new index matching the pattern attaches
 *   to the policy when it is created.
 */
export function lifecyclePolicy(engine: Pick<EngineInfo, 'features'>, options: LifecyclePolicyOptions): LifecyclePolicyRequest {
  const days = options.deleteAfterDays ?? DEFAULT_DELETE_AFTER_DAYS;
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`deleteAfterDays must be a positive whole number, got ${days}`);
  const name = lifecyclePolicyName(options.indexPattern);
  const indexPatterns = [templatePattern(options.indexPattern)];
  if (engine.features.lifecycle === 'ilm') {
    return {
      lifecycle: 'ilm',
      name,
      method: 'PUT',
      path: `/_ilm/policy/${encodeURIComponent(name)}`,
      deleteAfterDays: days,
      indexPatterns,
      body: {
        policy: {
          phases: {
            hot: { min_age: '0ms', actions: {} },
            delete: { min_age: `${days}d`, actions: { delete: {} } },
          },
        },
      },
    };
  }
  return {
    lifecycle: 'ism',
    name,
    method: 'PUT',
    path: `/_plugins/_ism/policies/${encodeURIComponent(name)}`,
    deleteAfterDays: days,
    indexPatterns,
    body: {
      policy: {
        description: `sluice: delete ${indexPatterns.join(', ')} indices ${days} days after creation`,
        default_state: 'hot',
        states: [
          { name: 'hot', actions: [], transitions: [{ state_name: 'delete', conditions: { min_index_age: `${days}d` } }] },
          { name: 'delete', actions: [{ delete: {} }], transitions: [] },
        ],
        ism_template: [{ index_patterns: indexPatterns, priority: ISM_TEMPLATE_PRIORITY }],
      },
    },
  };
}

type Json = any;

/**
 * True when the policy the engine returned (`GET` answer, parsed) has the same effect as `desired`.
 * Servers add fields (ILM `delete_searchable_snapshot`, ISM `retry`, `last_updated_time`,
 * `schema_version`…), so the comparison is on what the policy does, not on the JSON.
 */
export function policyMatches(desired: LifecyclePolicyRequest, answer: Json): boolean {
  const want = (desired.body as Json).policy;
  if (desired.lifecycle === 'ilm') {
    const phases = answer?.[desired.name]?.policy?.phases;
    if (!phases || typeof phases !== 'object') return false;
    if (Object.keys(phases).sort().join(',') !== 'delete,hot') return false;
    if (Object.keys(phases.hot?.actions ?? {}).length !== 0) return false;
    return phases.delete?.min_age === want.phases.delete.min_age && Object.keys(phases.delete?.actions ?? {}).join(',') === 'delete';
  }
  const policy = answer?.policy;
  if (!policy || typeof policy !== 'object') return false;
  if (policy.description !== want.description || policy.default_state !== 'hot') return false;
  const states: Json[] = Array.isArray(policy.states) ? policy.states : [];
  if (states.map((s) => s?.name).join(',') !== 'hot,delete') return false;
  const [hot, del] = states;
  if ((hot.actions ?? []).length !== 0) return false;
  const t: Json[] = hot.transitions ?? [];
  if (t.length !== 1 || t[0]?.state_name !== 'delete' || t[0]?.conditions?.min_index_age !== `${desired.deleteAfterDays}d` || Object.keys(t[0].conditions).length !== 1) return false;
  const actions: Json[] = del.actions ?? [];
  if (actions.length !== 1 || actions[0]?.delete === undefined || (del.transitions ?? []).length !== 0) return false;
  const templates: Json[] = Array.isArray(policy.ism_template) ? policy.ism_template : policy.ism_template ? [policy.ism_template] : [];
  return (
    templates.length === 1 &&
    [...(templates[0].index_patterns ?? [])].sort().join(',') === [...desired.indexPatterns].sort().join(',') &&
    templates[0].priority === ISM_TEMPLATE_PRIORITY
  );
}

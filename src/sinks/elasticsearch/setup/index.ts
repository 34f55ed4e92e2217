/**
 * Cluster setup and retention for packet indices: the lifecycle policy (ILM / ISM), the index
 * template, least-privilege API keys, and deleting daily indices by the date in their name. See
 * docs/reference/setup-and-retention.md.
 */
export { lifecyclePolicy, lifecyclePolicyName, policyMatches, DEFAULT_DELETE_AFTER_DAYS, ISM_TEMPLATE_PRIORITY, type LifecyclePolicyOptions, type LifecyclePolicyRequest } from './lifecycle-policy.js';
export { runSetup, setupTemplate, type SetupOptions, type SetupReport, type SetupAction } from './run-setup.js';
export { apiKeyRequests, createApiKeys, ROOT_INFO_PRIVILEGE, type ApiKeyOptions, type CreatedApiKey } from './api-keys.js';
export { retentionPlan, applyRetention, type RetentionOptions, type RetentionPlan, type RetentionIndex, type RetentionResult } from './retention.js';
export { indexDay, isDailyPattern, assertDailyPattern, dayIsOlderThan, parseRetentionDuration, msToDays } from './daily-pattern.js';

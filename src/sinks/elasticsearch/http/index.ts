/**
 * One HTTP code path for Elasticsearch 7/8/9 and OpenSearch 1/2/3, built on undici. The bulk writer
 * and the setup commands use {@link EngineClient} and {@link detectEngine}; see
 * docs/reference/elasticsearch-connection.md.
 */
export { EngineClient, type EngineClientOptions } from './engine-client.js';
export type { EngineRequest, EngineResponse } from './engine-response.js';
export type { EngineAuth } from './auth.js';
export type { EngineTlsOptions } from './tls.js';
export { detectEngine } from './detect-engine.js';
export { engineInfoFromRoot, type EngineInfo } from './engine-info.js';
export { assertAuthorized } from './assert-authorized.js';

/**
 * Elasticsearch 7.10.2 for the engine suites (started by scripts/test.js through
 * scripts/stack/elasticsearch7.mjs; the OSS modules only: no X-Pack, so no ILM, no data streams,
 * no point in time).
 */
import { skipWithoutServer, stackServerUrl } from './stack-server.js';

const ENV = 'SLUICE_TEST_ELASTICSEARCH7_URL';

/** Base URL of the Elasticsearch 7 test node, or undefined. */
export function elasticsearch7Url(): string | undefined {
  return stackServerUrl(ENV, 'elasticsearch-7.json', /^https?:\/\//)?.replace(/\/+$/, '');
}

/** The `skip` option for a suite that needs it: false when a node is there; throws under CI=true. */
export function skipWithoutElasticsearch7(): false | string {
  return skipWithoutServer(elasticsearch7Url(), 'Elasticsearch 7.10.2 test server', ENV, 'node scripts/stack/elasticsearch7.mjs start');
}

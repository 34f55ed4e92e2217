/**
 * Elasticsearch 7.10.2 for the engine suites (started by scripts/test.js through
 * scripts/stack/elasticsearch7.mjs; the OSS modules only: no X-Pack, so no ILM, no data streams,
 * no point in time).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../../', import.meta.url).pathname;

/** Base URL of the Elasticsearch 7 test node, or undefined. */
export function elasticsearch7Url(): string | undefined {
  const env = process.env.SLUICE_TEST_ELASTICSEARCH7_URL?.trim();
  if (env) return /^https?:\/\//.test(env) ? env.replace(/\/+$/, '') : undefined;
  const state = join(ROOT, '.stack', 'elasticsearch-7.json');
  if (!existsSync(state)) return undefined;
  try {
    const s = JSON.parse(readFileSync(state, 'utf8')) as { url: string; pid: number };
    process.kill(s.pid, 0);
    return s.url;
  } catch {
    return undefined;
  }
}

/** The `skip` option for a suite that needs it: false when a node is there; throws under CI=true. */
export function skipWithoutElasticsearch7(): false | string {
  if (elasticsearch7Url() !== undefined) return false;
  const msg = 'no Elasticsearch 7.10.2 test server (SLUICE_TEST_ELASTICSEARCH7_URL unset, none running): SKIPPING its tests (start one with `node scripts/stack/elasticsearch7.mjs start`)';
  if (process.env.CI === 'true') throw new Error(`${msg}; under CI=true a skipped suite is a failure`);
  console.error(`\n*** ${msg} ***\n`);
  return msg;
}

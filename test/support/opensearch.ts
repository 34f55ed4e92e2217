/**
 * OpenSearch, the search engine of the integration tests: a real single-node server started by
 * scripts/stack/opensearch.mjs (jars from Maven Central, no Docker).
 *
 * Where the URL comes from, first match wins:
 *   1. the environment the test runner sets: SLUICE_TEST_OPENSEARCH_URL (2.x) and
 *      SLUICE_TEST_OPENSEARCH3_URL (3.x);
 *   2. the state file a running `node scripts/stack/opensearch.mjs start` left in .stack/
 *      (`.stack/opensearch-2.json`, `.stack/opensearch-3.json`), when its process is alive.
 *
 * When no engine is there the suites that need it are skipped with a loud message; under CI=true a
 * skipped suite is a failure (CI must have started the engines).
 */
import { skipWithoutServer, stackState } from './stack-server.js';

/** Major version of an engine the tests know how to start. */
export type OpenSearchMajor = 2 | 3;

/** The repository root (this file runs from dist/test/support/). */

const ENV: Record<OpenSearchMajor, string> = { 2: 'SLUICE_TEST_OPENSEARCH_URL', 3: 'SLUICE_TEST_OPENSEARCH3_URL' };

/** The state file scripts/stack/opensearch.mjs writes for a running node. */
export interface OpenSearchState {
  readonly url: string;
  readonly version: string;
  readonly major: OpenSearchMajor;
  readonly pid: number;
  readonly log: string;
  readonly port: number;
}

/** The state of a node started by scripts/stack/opensearch.mjs, when its process is still alive. */
export function openSearchState(version: OpenSearchMajor = 2): OpenSearchState | undefined {
  return stackState<OpenSearchState>(`opensearch-${version}.json`);
}

/**
 * Base URL (no trailing slash) of the OpenSearch `version`.x test server, or undefined.
 * An environment value that is not an http(s) URL (e.g. `unavailable: no JDK 21`) means "none",
 * and is then the reason given by {@link skipWithoutOpenSearch}.
 */
export function openSearchUrl(version: OpenSearchMajor = 2): string | undefined {
  const fromEnv = process.env[ENV[version]]?.trim();
  if (fromEnv) return /^https?:\/\//i.test(fromEnv) ? fromEnv.replace(/\/+$/, '') : undefined;
  return openSearchState(version)?.url.replace(/\/+$/, '');
}

/**
 * The `skip` option for a suite that needs OpenSearch `version`.x: false when a server is
 * configured; a reason string otherwise. Throws under CI=true, because CI must not pass with the
 * engine missing.
 */
export function skipWithoutOpenSearch(version: OpenSearchMajor = 2): false | string {
  return skipWithoutServer(openSearchUrl(version), `OpenSearch ${version}.x test server`, ENV[version], `node scripts/stack/opensearch.mjs start --version ${version}`);
}

/** A response of {@link osRequest}: status and parsed JSON body (text when not JSON). */
export interface OsResponse {
  readonly status: number;
  readonly body: any;
}

/**
 * One HTTP request to the engine with Node's global fetch. `body` is sent as JSON, or as NDJSON
 * when it is an array of objects (bulk API: one line each, trailing newline).
 */
export async function osRequest(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 30_000,
): Promise<OsResponse> {
  let payload: string | undefined;
  let contentType: string | undefined;
  if (Array.isArray(body)) {
    payload = body.map((line) => JSON.stringify(line)).join('\n') + '\n';
    contentType = 'application/x-ndjson';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    contentType = 'application/json';
  }
  const res = await fetch(baseUrl + path, {
    method,
    headers: contentType ? { 'content-type': contentType } : {},
    body: payload,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed };
}

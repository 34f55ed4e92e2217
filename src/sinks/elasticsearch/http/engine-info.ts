/** What `GET /` says about the cluster, and which features sluice may rely on. */
import { SluiceError } from '../../../errors.js';
import type { EngineResponse } from './engine-response.js';

/** The engine behind `elasticsearch.urls` and the features the setup and bulk code choose by. */
export interface EngineInfo {
  /** `elasticsearch` or `opensearch`. */
  readonly distribution: 'elasticsearch' | 'opensearch';
  /** `version.number` of `GET /`, split; `text` is the original (`8.15.0`, `9.0.0-SNAPSHOT`). */
  readonly version: { readonly major: number; readonly minor: number; readonly patch: number; readonly text: string };
  /** `cluster_name`. */
  readonly clusterName: string;
  /** `version.build_flavor` of Elasticsearch (`default`, `oss`, `serverless`); `undefined` on OpenSearch. */
  readonly buildFlavor: string | undefined;
  readonly features: {
    /** Index lifecycle API: Elasticsearch ILM (`/_ilm/policy`) or OpenSearch ISM (`/_plugins/_ism/policies`). */
    readonly lifecycle: 'ilm' | 'ism';
    /** Data streams: Elasticsearch ≥ 7.9, every OpenSearch. */
    readonly dataStreams: boolean;
    /** Composable index templates (`/_index_template`): Elasticsearch ≥ 7.8, every OpenSearch. */
    readonly composableTemplates: boolean;
    /** The server sent `x-elastic-product: Elasticsearch` (Elasticsearch ≥ 7.14). */
    readonly productHeader: boolean;
  };
}

interface RootBody {
  cluster_name?: unknown;
  version?: { number?: unknown; distribution?: unknown; build_flavor?: unknown };
  tagline?: unknown;
}

const VERSION = /^(\d+)\.(\d+)(?:\.(\d+))?/;

function unsupported(response: EngineResponse, why: string): SluiceError {
  return new SluiceError(
    'SLUICE_ENGINE_UNSUPPORTED',
    `${response.node} is not a supported Elasticsearch (7.x–9.x) or OpenSearch (1.x–3.x) node: ${why}. Point elasticsearch.urls at the HTTP port of the cluster (usually 9200), not at Kibana, OpenSearch Dashboards or a login proxy.`,
  );
}

/**
 * Read `EngineInfo` from the answer to `GET /` (status 2xx, JSON). Throws `SLUICE_ENGINE_UNSUPPORTED`
 * for HTML, JSON without `version.number`, or Elasticsearch before 7.0.
 *
 * How the distributions tell themselves apart (real answers in engine-info.test.ts):
 * - OpenSearch 1.x–3.x: `version.distribution: "opensearch"`, tagline "The OpenSearch Project: …".
 *   With `compatibility.override_main_response_version` OpenSearch 1.x reports `7.10.2`; the
 *   distribution field is still there, and the features do not depend on the number.
 * - Elasticsearch 7.x–9.x: no `distribution`, `version.build_flavor`, tagline "You Know, for
 *   Search"; from 7.14 every answer carries `x-elastic-product: Elasticsearch`.
 */
export function engineInfoFromRoot(response: EngineResponse): EngineInfo {
  const contentType = response.headers['content-type'] ?? '';
  let body: RootBody;
  try {
    body = JSON.parse(response.text()) as RootBody;
  } catch {
    const looksHtml = /html/i.test(contentType) || /^\s*</.test(response.text());
    throw unsupported(response, looksHtml ? 'GET / returned an HTML page' : `GET / did not return JSON (content-type ${contentType || 'none'})`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw unsupported(response, 'GET / did not return a JSON object');
  const number = body.version && typeof body.version === 'object' ? body.version.number : undefined;
  if (typeof number !== 'string') throw unsupported(response, 'the answer to GET / has no version.number');
  const m = VERSION.exec(number);
  if (!m) throw unsupported(response, `version.number ${JSON.stringify(number)} is not a version`);
  const version = { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), text: number };
  const clusterName = typeof body.cluster_name === 'string' ? body.cluster_name : '';
  const productHeader = (response.headers['x-elastic-product'] ?? '').toLowerCase() === 'elasticsearch';
  const distribution = body.version!.distribution;

  if (typeof distribution === 'string' && distribution.toLowerCase() === 'opensearch') {
    return {
      distribution: 'opensearch',
      version,
      clusterName,
      buildFlavor: undefined,
      // OpenSearch forked from Elasticsearch 7.10.2: composable templates and data streams exist in
      // every release; lifecycle is the ISM plugin.
      features: { lifecycle: 'ism', dataStreams: true, composableTemplates: true, productHeader },
    };
  }
  if (typeof distribution === 'string' && distribution !== '') {
    throw unsupported(response, `it reports distribution ${JSON.stringify(distribution)}`);
  }
  if (version.major < 7) {
    throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', `${response.node} runs Elasticsearch ${number}; sluice needs Elasticsearch 7.0 or later (7.10+ recommended) or OpenSearch 1.0 or later. Upgrade the cluster.`);
  }
  const atLeast = (major: number, minor: number): boolean => version.major > major || (version.major === major && version.minor >= minor);
  return {
    distribution: 'elasticsearch',
    version,
    clusterName,
    buildFlavor: typeof body.version!.build_flavor === 'string' ? body.version!.build_flavor : undefined,
    features: { lifecycle: 'ilm', dataStreams: atLeast(7, 9), composableTemplates: atLeast(7, 8), productHeader },
  };
}

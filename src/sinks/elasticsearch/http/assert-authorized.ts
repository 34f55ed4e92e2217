/** Turning 401/403 answers into `SLUICE_ENGINE_AUTH` errors with the server's reason. */
import { SluiceError } from '../../../errors.js';
import type { EngineResponse } from './engine-response.js';

/** `error.reason` (or `error` when it is a string) of an Elasticsearch/OpenSearch error body. */
function reasonOf(response: EngineResponse): string | undefined {
  try {
    const body = JSON.parse(response.text()) as { error?: unknown; message?: unknown };
    if (typeof body.error === 'string') return body.error;
    if (body.error && typeof body.error === 'object') {
      const e = body.error as { reason?: unknown; root_cause?: { reason?: unknown }[] };
      if (typeof e.reason === 'string') return e.reason;
    }
    if (typeof body.message === 'string') return body.message;
  } catch {
    // Not JSON (a proxy's HTML page): no reason to quote.
  }
  return undefined;
}

const CHECK_BASIC_OR_KEY =
  'Check elasticsearch.username and elasticsearch.password, or elasticsearch.api_key (the "encoded" value, or id:api_key); an API key may have expired or been invalidated.';

/** What to check after a 401, by how the request authenticated (basic when a response does not say). */
const CHECK_401: Record<NonNullable<EngineResponse['auth']>, string> = {
  basic: CHECK_BASIC_OR_KEY,
  'api-key': CHECK_BASIC_OR_KEY,
  bearer:
    'Check elasticsearch.bearer_token (SLUICE_ELASTICSEARCH__BEARER_TOKEN): the token may be wrong, expired or revoked, or the cluster may expect another form (elasticsearch.api_key, or elasticsearch.username and elasticsearch.password).',
  none: 'No credentials were sent and the cluster requires them: set elasticsearch.username and elasticsearch.password, elasticsearch.api_key, or elasticsearch.bearer_token.',
};

/**
 * Throw `SLUICE_ENGINE_AUTH` when `response` is a 401 or 403, else do nothing. The message names
 * the node and request, quotes the server's reason (which names the user and the missing
 * privilege, never the password or key) and says what to change. `scrub` removes secret values
 * from the text (pass `client.scrub`); a server never echoes them, but we do not rely on that.
 */
export function assertAuthorized(response: EngineResponse, scrub: (text: string) => string = (t) => t): void {
  if (response.status !== 401 && response.status !== 403) return;
  const reason = reasonOf(response);
  const quoted = reason ? `: ${reason.length > 500 ? `${reason.slice(0, 500)}…` : reason}` : '';
  const message =
    response.status === 401
      ? `${response.node} rejected the credentials for ${response.request} (HTTP 401${quoted}). ${CHECK_401[response.auth ?? 'basic']}`
      : `${response.node} refused ${response.request} (HTTP 403${quoted}). The credentials are valid but the user lacks a privilege: grant the privilege named above to its role (see docs/reference/elasticsearch-connection.md).`;
  throw new SluiceError('SLUICE_ENGINE_AUTH', scrub(message));
}

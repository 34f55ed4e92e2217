/** The `Authorization` header forms Elasticsearch and OpenSearch accept. */
import { SluiceError } from '../../../errors.js';
import { Secret } from '../../../config/secret.js';

/**
 * How the client authenticates; at most one form.
 * - `{ username, password }` → `Authorization: Basic base64(username:password)` (native/file realm,
 *   OpenSearch internal users).
 * - `{ apiKey }` → `Authorization: ApiKey <encoded>`; `apiKey` is either the `encoded` value that
 *   the create-API-key API returns, or `id:api_key`, which is base64-encoded here.
 * - `{ bearer }` → `Authorization: Bearer <token>` (Elasticsearch service-account or OAuth/JWT
 *   tokens).
 */
export type EngineAuth =
  | { readonly username: string; readonly password: Secret }
  | { readonly apiKey: Secret }
  | { readonly bearer: Secret };

/** The resolved header plus every string that must never be printed. */
export interface ResolvedAuth {
  /** `basic`, `api-key`, `bearer` or `none`; safe to print. */
  readonly kind: 'basic' | 'api-key' | 'bearer' | 'none';
  /** Value of the `Authorization` header, or `undefined` for `none`. */
  readonly header: string | undefined;
  /** Secret values and their encodings, to scrub from any text before it is shown. */
  readonly secrets: readonly string[];
}

function nonEmpty(value: string, what: string): string {
  if (value === '') throw new SluiceError('SLUICE_ENGINE_OPTIONS', `${what} is empty`);
  return value;
}

/**
 * Turn the configured credentials (and credentials found in the node URLs) into the one
 * `Authorization` header. URL credentials are used only when `auth` is absent; giving both is an
 * error, as is giving different credentials in different URLs.
 */
export function resolveAuth(auth: EngineAuth | undefined, fromUrls: readonly { username: string; password: string }[]): ResolvedAuth {
  const first = fromUrls[0];
  if (first && fromUrls.some((c) => c.username !== first.username || c.password !== first.password)) {
    throw new SluiceError('SLUICE_ENGINE_OPTIONS', 'elasticsearch.urls: the URLs carry different credentials; put one user name and password in elasticsearch.username and elasticsearch.password instead');
  }
  if (auth && first) {
    throw new SluiceError('SLUICE_ENGINE_OPTIONS', 'elasticsearch.urls: credentials are given both in a URL and in elasticsearch.username/password or elasticsearch.api_key; give them once');
  }
  const effective: EngineAuth | undefined = auth ?? (first ? { username: first.username, password: new Secret(first.password) } : undefined);
  if (effective === undefined) return { kind: 'none', header: undefined, secrets: [] };
  if ('password' in effective) {
    const password = effective.password.reveal();
    const token = Buffer.from(`${nonEmpty(effective.username, 'elasticsearch.username')}:${password}`, 'utf8').toString('base64');
    return { kind: 'basic', header: `Basic ${token}`, secrets: [password, encodeURIComponent(password), token].filter((s) => s !== '') };
  }
  if ('apiKey' in effective) {
    const raw = nonEmpty(effective.apiKey.reveal().trim(), 'elasticsearch.api_key');
    // The `encoded` form is base64 and never contains ':'; `id:api_key` is what the API returns
    // as separate `id` and `api_key` fields (the Elastic clients accept both the same way).
    const encoded = raw.includes(':') ? Buffer.from(raw, 'utf8').toString('base64') : raw;
    // Scrub both forms and the key half (the id alone is not secret, but harmless to hide).
    const plain = raw.includes(':') ? raw : Buffer.from(raw, 'base64').toString('utf8');
    const keyPart = plain.includes(':') ? plain.slice(plain.indexOf(':') + 1) : '';
    return { kind: 'api-key', header: `ApiKey ${encoded}`, secrets: [raw, encoded, plain, keyPart].filter((s) => s.length >= 4) };
  }
  const token = nonEmpty(effective.bearer.reveal().trim(), 'bearer token');
  return { kind: 'bearer', header: `Bearer ${token}`, secrets: [token] };
}

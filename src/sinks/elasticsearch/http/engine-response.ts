/** What {@link EngineClient.request} sends and returns. */

/** One request. `path` is relative to the node URL (its sub-path, if any, is prepended). */
export interface EngineRequest {
  /** HTTP method, e.g. `GET`, `PUT`, `POST`, `DELETE`, `HEAD`. */
  readonly method: string;
  /** Absolute path starting with `/`, e.g. `/_bulk` or `/my-index/_doc/1` (encode the parts yourself). */
  readonly path: string;
  /** Query parameters; `undefined` values are left out. */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Body: a string or Buffer is sent as is; any other object is sent as JSON. */
  readonly body?: string | Buffer | object;
  /** Send `content-type: application/x-ndjson` (the bulk API) instead of `application/json`. Default `false`. */
  readonly ndjson?: boolean;
  /** Extra request headers (lower-case names). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Whether the request may be sent again to another node after a failure that happened after it
   * may have reached the server (reset, timeout, 502–504). Default `true`: sluice's writes are
   * idempotent (`create` with deterministic ids). Set `false` for requests that must not run twice;
   * failures before sending (refused, DNS, TLS, connect timeout) still fail over.
   */
  readonly idempotent?: boolean;
  /** Cancels the request (no failover, the signal's reason is thrown). */
  readonly signal?: AbortSignal;
}

/** The answer of one node. HTTP error statuses are answers too: callers decide. */
export interface EngineResponse {
  /** HTTP status code. */
  readonly status: number;
  /** Response headers, lower-case names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, already decompressed. */
  readonly body: Buffer;
  /** The node that answered, credential-free (`https://es1:9200`). */
  readonly node: string;
  /** The request as `METHOD /path` (no query string), for messages. */
  readonly request: string;
  /**
   * How the request authenticated (`basic`, `api-key`, `bearer`, `none`), so a 401 can name the
   * setting to check. Optional: responses built elsewhere (tests, fakes) may leave it out.
   */
  readonly auth?: 'basic' | 'api-key' | 'bearer' | 'none';
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON; throws `SLUICE_ENGINE_UNSUPPORTED` when it is not JSON. */
  json<T = unknown>(): T;
}

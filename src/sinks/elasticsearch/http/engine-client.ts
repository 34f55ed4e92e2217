/**
 * The one HTTP client for Elasticsearch 7–9 and OpenSearch 1–3: a keep-alive undici `Pool` per
 * node, round-robin failover with a cool-down for failed nodes, per-request timeout, gzip both
 * ways (by default only to nodes that are not on this machine), Basic/ApiKey/Bearer auth, TLS
 * verification always on unless `insecure`.
 *
 * HTTP statuses are never thrown (the bulk writer reads per-item results of a 200, and 409/429 are
 * decisions, not failures); only transport failures on every node are thrown, as `SluiceError`s
 * whose messages never contain a secret.
 */
import { inspect, promisify } from 'node:util';
import { gunzip, gzip, inflate, brotliDecompress } from 'node:zlib';
import { Pool } from 'undici';
import { SluiceError } from '../../../errors.js';
import { REDACTED } from '../../../config/secret.js';
import { resolveAuth, type EngineAuth } from './auth.js';
import { loadTls, type EngineTlsOptions } from './tls.js';
import { parseNodeUrl } from './node-url.js';
import { classifyTransportFailure, type TransportFailure } from './transport-failure.js';
import { proxyTlsRefusal } from './proxy-tls-refusal.js';
import type { ResolvedAuth } from './auth.js';
import type { EngineRequest, EngineResponse } from './engine-response.js';

const gzipAsync = promisify(gzip);
const DECODERS: Record<string, (b: Buffer) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

/** Options of {@link EngineClient}. */
export interface EngineClientOptions {
  /** One or more node URLs (`https://es1:9200`); credentials in a URL are moved to `auth`. */
  readonly urls: readonly string[];
  /** Whole-request timeout per attempt on one node (connect, send, answer), ms. Default 30 000. */
  readonly timeoutMs?: number;
  /** How long a node that failed is skipped (unless every node is down), ms. Default 30 000. */
  readonly cooldownMs?: number;
  /** Maximum keep-alive connections per node. Default 16. */
  readonly connections?: number;
  /**
   * Compression of request bodies larger than {@link EngineClientOptions.gzipMinBytes} (and of the
   * answers, through `accept-encoding`): `gzip`, `none`, or `auto` (the default) = `none` for a
   * node on a loopback address (`localhost`, 127.0.0.0/8, `::1`) and `gzip` for any other. On
   * loopback there is no bandwidth to save, and gzip costs CPU on both sides: on the benchmark's
   * 2-core machine it cost sluice ~2.5 s of CPU for 200,004 documents (half its whole CPU time).
   */
  readonly compression?: EngineCompression;
  /** Deprecated form of {@link EngineClientOptions.compression}: `true` = `gzip`, `false` = `none`; `compression` wins. */
  readonly gzip?: boolean;
  /** Smallest body that is compressed, bytes. Default 1024. */
  readonly gzipMinBytes?: number;
  /** Credentials; see {@link EngineAuth}. Default: none (or the credentials in the URLs). */
  readonly auth?: EngineAuth;
  /** TLS settings; verification is on unless `insecure: true`. */
  readonly tls?: EngineTlsOptions;
  /** `user-agent` header. Default `sluice`. */
  readonly userAgent?: string;
}

/** Request body compression: see {@link EngineClientOptions.compression}. */
export type EngineCompression = 'auto' | 'gzip' | 'none';

/** The values of {@link EngineCompression}, for option validation. */
export const ENGINE_COMPRESSIONS: readonly EngineCompression[] = ['auto', 'gzip', 'none'];

interface Node {
  readonly display: string;
  /** Bodies to this node are gzipped (compression `gzip`, or `auto` and not a loopback host). */
  readonly gzip: boolean;
  readonly basePath: string;
  readonly https: boolean;
  readonly pool: Pool;
  /** Epoch ms until which the node is skipped; 0 when healthy. */
  downUntil: number;
}

/** Marker reason of our own timeout abort. */
class AttemptTimeout extends Error {}

const FAILOVER_STATUSES = new Set([502, 503, 504]);

/** The client. Create one per cluster and reuse it; {@link EngineClient.close} at shutdown. */
export class EngineClient {
  /** Warnings about the configuration (TLS verification off, credentials over plain http). Log them once at start-up. */
  readonly warnings: readonly string[];

  readonly #nodes: Node[];
  readonly #authHeader: string | undefined;
  readonly #authKind: ResolvedAuth['kind'];
  readonly #secrets: readonly string[];
  readonly #timeoutMs: number;
  readonly #cooldownMs: number;
  readonly #compression: EngineCompression;
  readonly #gzipMinBytes: number;
  readonly #userAgent: string;
  readonly #clientCert: boolean;
  #cursor = 0;
  #closed = false;

  /** Reads the TLS files and validates the URLs; throws `SLUICE_ENGINE_OPTIONS` on a problem. */
  constructor(options: EngineClientOptions) {
    if (options.urls.length === 0) throw new SluiceError('SLUICE_ENGINE_OPTIONS', 'elasticsearch.urls is empty: give at least one node URL such as https://localhost:9200');
    const parsed = options.urls.map((u) => parseNodeUrl(u));
    const fromUrls = parsed.filter((p) => p.username !== undefined || p.password !== undefined).map((p) => ({ username: p.username ?? '', password: p.password ?? '' }));
    const auth = resolveAuth(options.auth, fromUrls);
    this.#authHeader = auth.header;
    this.#authKind = auth.kind;
    // Longest first, so a secret that contains another is replaced whole.
    this.#secrets = [...new Set(auth.secrets)].sort((a, b) => b.length - a.length);
    this.#timeoutMs = positive(options.timeoutMs, 30_000, 'timeoutMs');
    this.#cooldownMs = nonNegative(options.cooldownMs, 30_000, 'cooldownMs');
    const compression = options.compression ?? (options.gzip === undefined ? 'auto' : options.gzip ? 'gzip' : 'none');
    if (!ENGINE_COMPRESSIONS.includes(compression)) {
      throw new SluiceError('SLUICE_ENGINE_OPTIONS', `elasticsearch.compression: ${JSON.stringify(compression)} is not one of ${ENGINE_COMPRESSIONS.join(', ')}`);
    }
    this.#compression = compression;
    this.#gzipMinBytes = nonNegative(options.gzipMinBytes, 1024, 'gzipMinBytes');
    this.#userAgent = options.userAgent ?? 'sluice';
    this.#clientCert = options.tls?.certFile !== undefined;
    const connections = positive(options.connections, 16, 'connections');

    const tls = loadTls(options.tls, parsed.some((p) => p.tls));
    const warnings: string[] = [];
    if (tls.warning) warnings.push(tls.warning);
    const plain = parsed.filter((p) => !p.tls).map((p) => p.display);
    if (auth.kind !== 'none' && plain.length > 0) {
      warnings.push(`Credentials are sent unencrypted to ${plain.join(', ')} (http://); use https:// unless the network path is trusted.`);
    }
    this.warnings = Object.freeze(warnings);

    const seen = new Set<string>();
    this.#nodes = parsed.map((p) => {
      if (seen.has(p.display)) throw new SluiceError('SLUICE_ENGINE_OPTIONS', `elasticsearch.urls: ${p.display} is listed twice`);
      seen.add(p.display);
      const pool = new Pool(p.origin, {
        connections,
        pipelining: 1,
        keepAliveTimeout: 4_000,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
        connect: { ...(p.tls ? tls.connect : {}), timeout: this.#timeoutMs },
      });
      const gzip = compression === 'gzip' || (compression === 'auto' && !isLoopbackOrigin(p.origin));
      return { display: p.display, gzip, basePath: p.basePath, https: p.tls, pool, downUntil: 0 };
    });
  }

  /** The node URLs, credential-free, in configuration order. */
  get nodes(): readonly string[] {
    return this.#nodes.map((n) => n.display);
  }

  /** Open keep-alive connections over all nodes (undici's pool stats), for `active_connections`. */
  get openConnections(): number {
    let n = 0;
    for (const node of this.#nodes) n += node.pool.stats.connected;
    return n;
  }

  /** Replace every secret value (password, API key, token and their encodings) in `text` with `[redacted]`. */
  readonly scrub = (text: string): string => {
    let out = text;
    for (const s of this.#secrets) out = out.split(s).join(REDACTED);
    return out;
  };

  /**
   * Send one request, failing over to the next node on a transport failure or 502–504. Resolves
   * with the first node's answer that is not 502–504 (or the last 502–504 when every node gave
   * one); rejects with `SLUICE_ENGINE_TLS`, `SLUICE_ENGINE_TIMEOUT` or `SLUICE_ENGINE_UNREACHABLE`
   * when no node answered at all, and with the signal's reason when `signal` aborts.
   */
  async request(req: EngineRequest): Promise<EngineResponse> {
    if (this.#closed) throw new SluiceError('SLUICE_ENGINE_UNREACHABLE', 'the Elasticsearch client is closed');
    if (!req.path.startsWith('/')) throw new TypeError(`EngineClient.request: path must start with "/" (got ${JSON.stringify(req.path)})`);
    const prepared = this.#prepare(req);
    const label = `${req.method.toUpperCase()} ${req.path}`;
    const failures: { node: Node; failure: TransportFailure }[] = [];
    let lastAnswer: EngineResponse | undefined;
    for (const node of this.#order()) {
      req.signal?.throwIfAborted();
      let response: EngineResponse;
      try {
        const { body, headers } = await prepared.forNode(node.gzip);
        response = await this.#attempt(node, req, label, body, headers);
      } catch (err) {
        if (req.signal?.aborted) throw req.signal.reason;
        if (err instanceof SluiceError) throw err;
        const timedOut = err instanceof AttemptTimeout;
        const failure = classifyTransportFailure(timedOut ? undefined : err, timedOut, this.#timeoutMs, { https: node.https, clientCert: this.#clientCert });
        failures.push({ node, failure });
        node.downUntil = Date.now() + this.#cooldownMs;
        if (req.idempotent === false && !failure.notSent) break;
        continue;
      }
      // A TLS proxy's own 400 for a missing or refused client certificate: a connection setting,
      // not an answer of the engine (see proxy-tls-refusal.ts). The proxy did not forward it.
      const refusal = proxyTlsRefusal(response.status, response.headers, response.body, { display: node.display, clientCert: this.#clientCert });
      if (refusal) {
        failures.push({ node, failure: refusal });
        node.downUntil = Date.now() + this.#cooldownMs;
        continue;
      }
      if (FAILOVER_STATUSES.has(response.status)) {
        node.downUntil = Date.now() + this.#cooldownMs;
        lastAnswer = response;
        if (req.idempotent === false) break;
        continue;
      }
      node.downUntil = 0;
      return response;
    }
    if (lastAnswer) return lastAnswer;
    throw this.#failureError(label, failures);
  }

  /** Close every connection; pending requests finish first. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#nodes.map((n) => n.pool.close()));
  }

  toString(): string {
    return `EngineClient(${this.nodes.join(', ')})`;
  }

  toJSON(): object {
    return { nodes: this.nodes, auth: this.#authKind, warnings: this.warnings };
  }

  [inspect.custom](): string {
    return `EngineClient { nodes: [${this.nodes.join(', ')}], auth: ${this.#authKind === 'none' ? 'none' : `${this.#authKind} ${REDACTED}`}, timeoutMs: ${this.#timeoutMs}, compression: ${this.#compression} }`;
  }

  /** Healthy nodes in round-robin order from a moving start, then cooling-down nodes, soonest back first. */
  #order(): Node[] {
    const n = this.#nodes.length;
    const start = this.#cursor;
    this.#cursor = (this.#cursor + 1) % n;
    const now = Date.now();
    const rotated = Array.from({ length: n }, (_, i) => this.#nodes[(start + i) % n]!);
    const up = rotated.filter((node) => node.downUntil <= now);
    const down = rotated.filter((node) => node.downUntil > now).sort((a, b) => a.downUntil - b.downUntil);
    return [...up, ...down];
  }

  /**
   * The body and headers of `req`, plain or gzipped: the plain form is built once, the gzipped form
   * only when a node that wants it is tried (once, then reused for failover).
   */
  #prepare(req: EngineRequest): { forNode(gzip: boolean): Promise<{ body: Buffer | undefined; headers: Record<string, string> }> } {
    const headers: Record<string, string> = { 'user-agent': this.#userAgent, accept: 'application/json' };
    if (this.#authHeader) headers.authorization = this.#authHeader;
    let body: Buffer | undefined;
    if (req.body !== undefined) {
      body = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body), 'utf8');
      headers['content-type'] = req.ndjson ? 'application/x-ndjson' : 'application/json';
    }
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
    const plain = { body, headers };
    let zipped: Promise<{ body: Buffer | undefined; headers: Record<string, string> }> | undefined;
    const minBytes = this.#gzipMinBytes;
    return {
      forNode(gzip: boolean) {
        if (!gzip) return Promise.resolve(plain);
        zipped ??= (async () => {
          const h: Record<string, string> = { ...headers, 'accept-encoding': 'gzip' };
          if (body === undefined || body.length <= minBytes) return { body, headers: h };
          // Async zlib runs on the libuv thread pool, so big bulk bodies do not block the event loop.
          h['content-encoding'] = 'gzip';
          return { body: await gzipAsync(body), headers: h };
        })();
        return zipped;
      },
    };
  }

  async #attempt(node: Node, req: EngineRequest, label: string, body: Buffer | undefined, headers: Record<string, string>): Promise<EngineResponse> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new AttemptTimeout()), this.#timeoutMs);
    const onAbort = (): void => controller.abort(req.signal?.reason);
    req.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await node.pool.request({
        method: req.method.toUpperCase() as 'GET',
        path: node.basePath + req.path + queryString(req.query),
        headers,
        body,
        signal: controller.signal,
      });
      const raw = Buffer.from(await res.body.arrayBuffer());
      const flat: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
      const decoded = await this.#decode(raw, flat, node, label);
      if (decoded !== raw) {
        delete flat['content-encoding'];
        flat['content-length'] = String(decoded.length);
      }
      return makeResponse(res.statusCode, flat, decoded, node.display, label, this.scrub, this.#authKind);
    } catch (err) {
      if (controller.signal.aborted && controller.signal.reason instanceof AttemptTimeout) throw controller.signal.reason;
      throw err;
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  async #decode(raw: Buffer, headers: Record<string, string>, node: Node, label: string): Promise<Buffer> {
    const encoding = (headers['content-encoding'] ?? '').trim().toLowerCase();
    if (encoding === '' || encoding === 'identity' || raw.length === 0) return raw;
    const decoder = DECODERS[encoding];
    if (!decoder) throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', `${node.display} answered ${label} with content-encoding "${encoding}", which sluice cannot decode`);
    try {
      return await decoder(raw);
    } catch (err) {
      throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', `${node.display} answered ${label} with a corrupt ${encoding} body: ${(err as Error).message}`, { cause: err });
    }
  }

  #failureError(label: string, failures: { node: Node; failure: TransportFailure }[]): SluiceError {
    const kinds = new Set(failures.map((f) => f.failure.kind));
    const code = kinds.has('tls') ? 'SLUICE_ENGINE_TLS' : kinds.size === 1 && kinds.has('timeout') ? 'SLUICE_ENGINE_TIMEOUT' : 'SLUICE_ENGINE_UNREACHABLE';
    const lines = failures.map(({ node, failure }) => {
      const what =
        failure.headline ??
        (failure.kind === 'tls' ? `TLS verification failed for ${node.display}` : failure.kind === 'timeout' ? `${node.display} timed out` : `cannot reach ${node.display}`);
      return `${what}: ${failure.detail}${failure.hint ? `; ${failure.hint}` : ''}`;
    });
    const tried = failures.length < this.#nodes.length ? ` (stopped after ${failures.length} of ${this.#nodes.length} nodes: the request may have reached the server and is not marked idempotent)` : '';
    const message = lines.length === 1 ? lines[0]! : `no Elasticsearch node answered ${label}${tried}:\n${lines.map((l) => `  - ${l}`).join('\n')}`;
    // The undici error is not kept as `cause`: its own fields are outside our control, and the
    // message above already says everything useful.
    return new SluiceError(code, this.scrub(lines.length === 1 && tried === '' ? `${message} (${label})` : message));
  }
}

/**
 * Whether a node origin is on this machine: `localhost`, 127.0.0.0/8 or `::1` (also IPv4-mapped).
 * Host names other than `localhost` are not resolved: they count as remote.
 */
export function isLoopbackOrigin(origin: string): boolean {
  let host: string;
  try {
    host = new URL(origin).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  // IPv4-mapped: the URL parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1.
  if (/^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host)) return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function queryString(query: EngineRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, String(v));
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

function makeResponse(
  status: number,
  headers: Record<string, string>,
  body: Buffer,
  node: string,
  request: string,
  scrub: (t: string) => string,
  auth: ResolvedAuth['kind'],
): EngineResponse {
  return Object.freeze({
    status,
    auth,
    headers: Object.freeze(headers),
    body,
    node,
    request,
    text: () => body.toString('utf8'),
    json<T>(): T {
      try {
        return JSON.parse(body.toString('utf8')) as T;
      } catch {
        const excerpt = body.toString('utf8', 0, Math.min(body.length, 120)).replace(/\s+/g, ' ');
        throw new SluiceError('SLUICE_ENGINE_UNSUPPORTED', scrub(`${node} answered ${request} (HTTP ${status}, ${headers['content-type'] ?? 'no content-type'}) with a body that is not JSON: ${JSON.stringify(excerpt)}`));
      }
    },
  });
}

function positive(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new SluiceError('SLUICE_ENGINE_OPTIONS', `${name} must be a positive number (got ${String(value)})`);
  return v;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0) throw new SluiceError('SLUICE_ENGINE_OPTIONS', `${name} must be zero or more (got ${String(value)})`);
  return v;
}

/**
 * The daemon's HTTP endpoint (fastify): `GET /metrics` for Prometheus, `GET /healthz` (the process
 * answers) and `GET /readyz` (every dependency is usable). Bound to 127.0.0.1 by default: metrics
 * say a lot about a sensor, so exposing them is a decision (`--http-address 0.0.0.0:9599`).
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { SluiceError } from '../errors.js';
import type { Metrics } from '../telemetry/metrics.js';
import { READINESS_TIMEOUT_MS, runReadiness, type ReadinessCheck } from './readiness.js';

/** Default address and port of the endpoint. */
export const DAEMON_SERVER_DEFAULTS = { address: '127.0.0.1', port: 9599 } as const;

/** `api.address`'s default: loopback, port 9599. */
export const DEFAULT_LISTEN_ADDRESS = `${DAEMON_SERVER_DEFAULTS.address}:${DAEMON_SERVER_DEFAULTS.port}`;

/**
 * `host:port` (Vector's `api.address` form) → host and port: `127.0.0.1:9599`, `0.0.0.0:9599`,
 * `[::1]:9599`, `localhost:9599`; port 0 picks a free port. Throws `SLUICE_CONFIG_INVALID`.
 */
export function parseListenAddress(text: string, key = 'api.address'): { address: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim());
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || port > 65535) {
    throw new SluiceError('SLUICE_CONFIG_INVALID', `${key} must be host:port, such as 127.0.0.1:9599, 0.0.0.0:9599 or [::1]:9599; got ${JSON.stringify(text.slice(0, 100))}`);
  }
  return { address: m[1] ?? m[2], port };
}

/** Options of {@link startDaemonServer}. */
export interface DaemonServerOptions {
  /** Default `127.0.0.1`. */
  readonly address?: string;
  /** Default 9599; 0 picks a free port (tests). */
  readonly port?: number;
  readonly metrics: Metrics;
  /** Checks of `GET /readyz`; none means always ready. */
  readonly readiness?: readonly ReadinessCheck[];
  /** Time each readiness check may take, ms. Default 2000. */
  readonly readinessTimeoutMs?: number;
  /** Fastify's errors go here (requests are not logged: a scrape every 15 s is noise). Default: none. */
  readonly logger?: Logger;
}

/** A running endpoint. */
export interface DaemonServer {
  /** `http://address:port` as bound. */
  readonly url: string;
  readonly address: string;
  readonly port: number;
  /** Stops accepting, lets requests in progress finish (new ones get 503), then closes. */
  close(): Promise<void>;
}

/** Starts the endpoint; resolves once it listens. */
export async function startDaemonServer(options: DaemonServerOptions): Promise<DaemonServer> {
  // Fastify's own lines (errors, not requests: a scrape every 15 s is noise) go to our logger.
  const app: FastifyInstance = (
    options.logger
      ? Fastify({
          loggerInstance: options.logger.child({ component_kind: 'api', component_type: 'http', component_id: 'api' }),
          logController: new LogController({ disableRequestLogging: true }),
        })
      : Fastify({ logger: false })
  ) as unknown as FastifyInstance;
  const { metrics } = options;
  const checks = options.readiness ?? [];
  const timeoutMs = options.readinessTimeoutMs ?? READINESS_TIMEOUT_MS;

  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.expose();
    return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(text);
  });
  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const result = await runReadiness(checks, timeoutMs);
    return reply
      .code(result.ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: result.ready ? 'ready' : 'not_ready', checks: result.checks });
  });

  await app.listen({ host: options.address ?? DAEMON_SERVER_DEFAULTS.address, port: options.port ?? DAEMON_SERVER_DEFAULTS.port });
  const bound = app.server.address();
  if (bound === null || typeof bound === 'string') throw new Error('the HTTP endpoint did not bind to a TCP port');
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${bound.port}`,
    address: bound.address,
    port: bound.port,
    close: () => (closing ??= app.close()),
  };
}

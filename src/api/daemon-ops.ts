/**
 * Everything a long-running command needs for operations, started and stopped together: the
 * metrics registry, the logger, the periodic health line and (when enabled) the HTTP endpoint.
 * `sluice watch` (and `capture`, `tail`) call {@link startDaemonOps} once and {@link DaemonOps.close}
 * in their `finally`.
 */
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { HEALTH_LOG_INTERVAL_SECS, startHealthLog, type HealthLog } from '../telemetry/health-log.js';
import { createLogger, isTerminal, type LogFormat, type LogLevel } from '../telemetry/logger.js';
import { Metrics } from '../telemetry/metrics.js';
import { registerLegacyLogMetrics, type LegacyLogMetrics } from '../telemetry/legacy-metrics.js';
import { DEFAULT_LISTEN_ADDRESS, parseListenAddress, startDaemonServer, type DaemonServer } from './daemon-server.js';
import type { ReadinessCheck } from './readiness.js';

/** Options of {@link startDaemonOps} (from `api.*` and `log.*`). */
export interface DaemonOpsOptions {
  /** The command, on every log line (`watch`). */
  readonly command: string;
  readonly version?: string;
  /** The HTTP endpoint; off unless `enabled`. */
  readonly api?: { readonly enabled: boolean; /** `host:port`; default `127.0.0.1:9599`. */ readonly address?: string };
  readonly log?: { readonly level?: LogLevel; readonly format?: LogFormat; readonly healthIntervalSecs?: number };
  /** Where log lines go (default stderr). */
  readonly logDestination?: number | Writable;
}

/** The running operations side of a command. */
export interface DaemonOps {
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** The original pipeline's metric names (`logs_processed_total`, …), fed by the log commands. */
  readonly legacy: LegacyLogMetrics;
  /**
   * True when log lines are JSON (a log shipper or journald reads them): commands then log each of
   * their events as a structured line too. False on a terminal, where their own text lines suffice.
   */
  readonly structured: boolean;
  /** The endpoint, when enabled. */
  readonly server: DaemonServer | undefined;
  /** Adds a check to `GET /readyz` (e.g. once the engine client exists). */
  addReadiness(check: ReadinessCheck): void;
  /** Stops the health line and the endpoint (requests in progress finish), and flushes the logger. */
  close(): Promise<void>;
}

/** Starts metrics, logger, health line and endpoint. Throws when the endpoint cannot listen (port taken). */
export async function startDaemonOps(options: DaemonOpsOptions): Promise<DaemonOps> {
  const logger = createLogger({ level: options.log?.level, format: options.log?.format, destination: options.logDestination, base: { command: options.command } });
  const metrics = new Metrics({ version: options.version });
  const checks: ReadinessCheck[] = [];
  let server: DaemonServer | undefined;
  if (options.api?.enabled) {
    const { address, port } = parseListenAddress(options.api.address ?? DEFAULT_LISTEN_ADDRESS);
    server = await startDaemonServer({
      address,
      port,
      metrics,
      readiness: checks,
      logger,
    });
    logger.info({ url: server.url }, `Serving /metrics, /healthz and /readyz at ${server.url}.`);
  }
  const health: HealthLog = startHealthLog({ logger, metrics, intervalSecs: options.log?.healthIntervalSecs ?? HEALTH_LOG_INTERVAL_SECS });
  let closed: Promise<void> | undefined;
  const level = options.log?.level ?? 'info';
  const format = options.log?.format ?? 'auto';
  const structured = level !== 'silent' && (format === 'json' || (format === 'auto' && !isTerminal(options.logDestination ?? 2)));
  const legacy = registerLegacyLogMetrics(metrics);
  return {
    metrics,
    logger,
    legacy,
    structured,
    server,
    addReadiness: (check) => void checks.push(check),
    close: () =>
      (closed ??= (async () => {
        health.stop();
        await server?.close();
        logger.flush();
      })()),
  };
}

/**
 * Readiness checks of `GET /readyz`: can this daemon do its work right now? Each check names one
 * dependency (the engine answers `GET /`, the embedded store opens, intake is not paused); the
 * endpoint is ready when every check passes, and otherwise says which failed and why.
 */
import { scrubUrlCredentials } from '../telemetry/logger.js';
import { detectEngine } from '../sinks/elasticsearch/http/detect-engine.js';
import type { EngineClient } from '../sinks/elasticsearch/http/engine-client.js';
import { openLocalStore } from '../sinks/local/local-store.js';

/** One dependency. `check` resolves when it is usable and throws (with a reason for the operator) when not. */
export interface ReadinessCheck {
  /** Short, stable name (`elasticsearch`, `store`, `intake`). */
  readonly name: string;
  /** Must give up when `signal` aborts. The error message is shown: never put credentials in it. */
  check(signal: AbortSignal): Promise<void>;
}

/** The outcome of one check. */
export interface ReadinessCheckResult {
  readonly name: string;
  readonly ok: boolean;
  /** Why it failed (credentials in URLs removed). */
  readonly reason?: string;
  readonly duration_ms: number;
}

/** The outcome of every check. */
export interface ReadinessResult {
  readonly ready: boolean;
  readonly checks: readonly ReadinessCheckResult[];
}

/** Default time a check may take before it counts as failed, ms. */
export const READINESS_TIMEOUT_MS = 2_000;

/** Runs every check at once; each gets `timeoutMs` (a check that ignores its signal still counts as failed then). */
export async function runReadiness(checks: readonly ReadinessCheck[], timeoutMs = READINESS_TIMEOUT_MS): Promise<ReadinessResult> {
  const results = await Promise.all(
    checks.map(async (c): Promise<ReadinessCheckResult> => {
      const started = performance.now();
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const err = new Error(`no answer within ${timeoutMs} ms`);
          controller.abort(err);
          reject(err);
        }, timeoutMs);
      });
      try {
        await Promise.race([c.check(controller.signal), timeout]);
        return { name: c.name, ok: true, duration_ms: Math.round(performance.now() - started) };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return { name: c.name, ok: false, reason: scrubUrlCredentials(message), duration_ms: Math.round(performance.now() - started) };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: results.every((r) => r.ok), checks: results };
}

/** Elasticsearch/OpenSearch answers `GET /` as a supported engine (the client's errors are already free of secrets). */
export function engineReadiness(client: EngineClient, name = 'elasticsearch'): ReadinessCheck {
  return {
    name,
    async check(signal) {
      await detectEngine(client, signal);
    },
  };
}

/** The embedded store under `dataDir` opens and answers a query. */
export function storeReadiness(dataDir: string, name = 'store'): ReadinessCheck {
  return {
    name,
    async check() {
      const store = openLocalStore({ dataDir, readonly: true });
      try {
        store.db.prepare('SELECT 1').get();
      } finally {
        store.close();
      }
    },
  };
}

/** A source that can hold intake back (the watcher's free-disk guard) is taking work. */
export function intakeReadiness(source: { readonly isPaused: boolean }, name = 'intake'): ReadinessCheck {
  return {
    name,
    async check() {
      if (source.isPaused) throw new Error('intake is paused: the data directory has less free space than min_free_mb');
    },
  };
}

/**
 * Redis (the shared rate limit) answers PING. While it does not, the limiter works on local buckets
 * (each process allows the full rate), which is degraded but not stopped: this check says so.
 */
export function redisReadiness(redis: { ping(): Promise<void> }, name = 'redis'): ReadinessCheck {
  return {
    name,
    async check() {
      await redis.ping();
    },
  };
}
